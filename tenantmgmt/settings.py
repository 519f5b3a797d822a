"""Settings for tenantmgmt, read from environment variables (README "Configuration")."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from tenants.schedules.beat import ClockAlignedInterval

from .env import (
    env_bool,
    env_choice,
    env_database,
    env_decimal,
    env_float,
    env_int,
    env_list,
    env_str,
    env_timezone,
)
from .logconfig import LOG_FORMATS, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (or SECRET_KEY_FILE).")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"

# Loopback names by default: a bare `gunicorn tenantmgmt.wsgi` answers on the machine itself.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "tenantmgmt.apps.ProjectConfig",
    "tenants",
    "metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tenantmgmt.https.HttpsRedirectMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "tenantmgmt.urls"
WSGI_APPLICATION = "tenantmgmt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web, worker and beat share one SQLite file: wait for a lock rather than fail at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL") or None
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_timezone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Hashed, compressed file names once `collectstatic` has run (the image does it at build time, with
# STATIC_MANIFEST=1). A plain checkout has not run it: there WhiteNoise serves the apps' own static
# folders, so pages never fail for want of a manifest.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", (STATIC_ROOT / "staticfiles.json").exists()) and not DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# --- The cluster ---------------------------------------------------------------------------
CLUSTER_BACKEND = env_choice("CLUSTER_BACKEND", "simulated", ("simulated", "kubernetes"))
SIMULATED_READY_SECONDS = env_float("SIMULATED_READY_SECONDS", 10.0, minimum=0)
RECONCILE_INTERVAL_SECONDS = env_float("RECONCILE_INTERVAL_SECONDS", 15.0, minimum=1)
KUBERNETES_CONTEXT = env_str("KUBERNETES_CONTEXT") or None
# Per request; worst case per call is (MAX_RETRIES + 1) * TIMEOUT plus backoff, kept under gunicorn's 30 s.
KUBERNETES_TIMEOUT_SECONDS = env_float("KUBERNETES_TIMEOUT_SECONDS", 5.0, minimum=0.1)
KUBERNETES_MAX_RETRIES = env_int("KUBERNETES_MAX_RETRIES", 3, minimum=0)
KUBERNETES_BACKOFF_SECONDS = env_float("KUBERNETES_BACKOFF_SECONDS", 0.5, minimum=0)
KUBERNETES_LABEL_SELECTOR = env_str("KUBERNETES_LABEL_SELECTOR", "") or ""

# --- Celery ----------------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
else:
    # An embedded broker for a machine without Redis: kombu keeps messages as files under var/.
    _broker_dir = VAR_DIR / "celery-broker"
    for _folder in ("queue", "processed"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "data_folder_processed": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery's Django fixup closes the database connection before and after every task (celery PR 9824),
# so each schedule run paid for a new PostgreSQL connection. Workers recycle connections as Django
# does around requests instead (tenantmgmt/celery.py: CONN_MAX_AGE and CONN_HEALTH_CHECKS apply);
# the fixup's own close then happens only every CELERY_DB_REUSE_MAX tasks.
CELERY_DB_REUSE_MAX = 1000
CELERY_BEAT_SCHEDULE = {
    "reconcile-tenants": {
        "task": "tenants.tasks.reconcile_tenants",
        "schedule": RECONCILE_INTERVAL_SECONDS,
        # A reconcile older than its interval is stale: the next one supersedes it.
        "options": {"expires": RECONCILE_INTERVAL_SECONDS},
    },
}

# --- Schedules (README "Schedules") -------------------------------------------------------------
SCHEDULE_DISPATCH_SECONDS = env_float("SCHEDULE_DISPATCH_SECONDS", 30.0, minimum=1)
CELERY_BEAT_SCHEDULE["dispatch-due-schedules"] = {
    "task": "tenants.schedules.dispatch_due_schedules",
    # On the clock (:00 and :30 for 30 s), so a run due on the minute is dispatched on the minute.
    "schedule": ClockAlignedInterval(run_every=SCHEDULE_DISPATCH_SECONDS),
    # A dispatch waiting longer than its interval is superseded by the next one.
    "options": {"expires": SCHEDULE_DISPATCH_SECONDS},
}
if REDIS_URL:
    # Redis hands an unacknowledged message to another worker after visibility_timeout seconds.
    # Schedule runs are acknowledged late (after the run), so this must exceed the longest a run
    # can wait in a worker's prefetch buffer plus run (4 prefetched x ~40 s for a slow cluster:
    # 10 s timeout x 4 attempts); we never send ETA/countdown messages, so a long wait for an ETA
    # cannot trigger redelivery loops. It is also how long a run lost with a whole worker host
    # waits before it is redelivered, hence minutes rather than Celery's default hour. A
    # redelivered run that had in fact finished is a no-op (the unique execution row).
    CELERY_VISIBILITY_TIMEOUT_SECONDS = env_int("CELERY_VISIBILITY_TIMEOUT_SECONDS", 600, minimum=60)
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = CELERY_VISIBILITY_TIMEOUT_SECONDS

# --- Metrics (issue 8): the fleet report caches months that are over (metrics/month_cache.py) ---------
# Only with a cache every process shares (Redis): a per-process cache would miss other processes' invalidations.
METRICS_MONTH_CACHE = env_bool("METRICS_MONTH_CACHE", bool(REDIS_URL))

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # DRF's token authentication, reading the token, its user and the user's permissions in one query.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenantmgmt.auth_backends.TokenWithPermissionsAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tenantmgmt.api.permissions.CanViewTenants"],
    "EXCEPTION_HANDLER": "tenantmgmt.api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "tenantmgmt API",
    "DESCRIPTION": "Start, stop, rescale and schedule tenants; uptime metrics from their state history.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name for each shared choice set.
    "ENUM_NAME_OVERRIDES": {"TenantState": "tenants.states.State", "Source": "tenants.states.Source"},
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- UI ----------------------------------------------------------------------------------------
UPTIME_TAB_REFRESH_SECONDS = env_int("UPTIME_TAB_REFRESH_SECONDS", 30, minimum=1)

# --- Production: HTTPS, proxy, health checks -----------------------------------------------
# With DEBUG off the defaults are the safe ones, so `manage.py check --deploy` is clean; each can be
# turned off by its own variable (tests set SECURE_SSL_REDIRECT=0 because the test client speaks http).
_PRODUCTION = not DEBUG
# The redirect is ours (tenantmgmt/https.py): it leaves loopback hosts alone, so Django's is off and
# its W008 check is replaced by tenantmgmt.W008.
HTTPS_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _PRODUCTION)
SECURE_SSL_REDIRECT = False
SILENCED_SYSTEM_CHECKS = ["security.W008"]
# Kubelet probes speak plain http to the pod: they must get the answer, not a redirect (a 301 is a "pass").
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if _PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _PRODUCTION)
# Only behind a proxy that overwrites X-Forwarded-Proto (the Ingress controller terminating TLS).
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # An unreachable database fails a readiness probe within its timeout instead of hanging.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5, minimum=1)
    )
HEALTH_CHECK_TIMEOUT_SECONDS = env_float("HEALTH_CHECK_TIMEOUT_SECONDS", 2.0, minimum=0.1)

# --- Benchmark (bench/, README "Performance") ----------------------------------------------------
# Off unless asked: adds an X-Query-Count header so the benchmark can count SQL queries per request.
BENCH_COUNT_QUERIES = env_bool("BENCH_COUNT_QUERIES", False)
if BENCH_COUNT_QUERIES:
    MIDDLEWARE.insert(0, "tenantmgmt.querycount.QueryCountHeaderMiddleware")

# --- Logging ---------------------------------------------------------------------------------
# To stdout, as JSON lines by default in production (LOG_FORMAT=plain for people), plain with DEBUG.
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOG_FORMAT = env_choice("LOG_FORMAT", "plain" if DEBUG else "json", LOG_FORMATS)
LOGGING = logging_config(level=LOG_LEVEL, log_format=LOG_FORMAT)

# --- Security and reliability (issue 9) --------------------------------------------------------
# The cache fails open (tenantmgmt/cache.py): Redis down means no throttling, never a 500.
if REDIS_URL:
    CACHE_TIMEOUT_SECONDS = env_float("CACHE_TIMEOUT_SECONDS", 0.5, minimum=0.05)
    CACHES["default"] = {
        "BACKEND": "tenantmgmt.cache.FailOpenRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": CACHE_TIMEOUT_SECONDS, "socket_timeout": CACHE_TIMEOUT_SECONDS},
    }
# API throttling per user through the shared cache; "0" turns a scope off.
API_THROTTLE_RATES = {
    "user": env_str("API_THROTTLE_USER_RATE", "1200/minute") or None,
    "anon": env_str("API_THROTTLE_ANON_RATE", "120/minute") or None,
}
API_THROTTLE_RATES = {scope: None if rate == "0" else rate for scope, rate in API_THROTTLE_RATES.items()}
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "tenantmgmt.api.throttling.UserRateThrottle",
    "tenantmgmt.api.throttling.AnonRateThrottle",
]
# Login attempt limiting (django-axes): /login/, /admin/login/ and /api/auth/login/ all go through
# django.contrib.auth.authenticate. After AXES_FAILURE_LIMIT failures for one username from one
# address, that pair is locked out for AXES_COOLOFF_HOURS (a 429 page); `manage.py axes_reset`
# (or axes_reset_username NAME) lifts it. Attempts are kept in the database, so web pods agree.
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
# Axes first, so it sees every attempt; then ModelBackend's rules with a user's permissions read in one
# query rather than two (tenantmgmt/auth_backends.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "tenantmgmt.auth_backends.OneQueryModelBackend"]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_float("AXES_COOLOFF_HOURS", 0.25, minimum=0.01)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("AXES_IPWARE_PROXY_COUNT", 0, minimum=0)  # 1 behind the Ingress controller
AXES_VERBOSE = False
# Content-Security-Policy (django-csp): scripts and styles only from our own origin, nothing inline;
# htmx is told not to inject its indicator <style> (templates/base.html). Swagger UI gets its
# allowances on /api/docs/ only (tenantmgmt/api/docs.py).
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
INSTALLED_APPS += ["csp"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Beyond uptime (issue 10): replica-hours pricing, Prometheus /metrics --------------------
# Optional price of one replica-hour (any currency, e.g. 0.042): the monthly metrics then say the money saved.
COST_PER_REPLICA_HOUR = env_decimal("COST_PER_REPLICA_HOUR")
# Bearer token Prometheus sends to scrape /metrics; unset: /metrics answers 404 (disabled).
METRICS_BEARER_TOKEN = env_str("METRICS_BEARER_TOKEN") or None
# Prometheus scrapes the pods over plain http inside the cluster; the bearer token guards it.
SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^metrics$"]
# An unknown ?format= is a 400 naming the parameter (tenantmgmt/api/negotiation.py).
REST_FRAMEWORK["DEFAULT_CONTENT_NEGOTIATION_CLASS"] = "tenantmgmt.api.negotiation.StrictFormatNegotiation"
