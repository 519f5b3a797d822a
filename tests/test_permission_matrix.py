"""Who gets what, for every URL the project serves: one row per URL pattern, five roles per row.

The roles: anonymous; ``nobody`` (signed in, no permission, not staff); ``viewer`` (staff with
``view_tenant``); ``operator`` (staff with ``view_tenant`` + ``operate_tenant``); ``superuser``.
Viewer and operator are staff so the admin's own permission checks are exercised too.

``test_every_url_pattern_has_a_row`` walks the URL resolver (admin and HTMX partials included) and
fails when a pattern has no row: a new URL cannot be added without deciding who may use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tenants.cluster_sync import cluster_sync_record_success
from tenants.models import ClusterSyncStatus, SimulatedDeployment, Tenant, TenantStateHistory
from tenants.schedules.models import ScheduleExecution
from tenants.schedules.services import schedule_create

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "nobody", "viewer", "operator", "superuser")


@dataclass(frozen=True)
class Row:
    """A request (path with ``{placeholders}``) and the status each role gets, in ROLES order."""

    method: str
    path: str
    statuses: tuple[int, int, int, int, int]
    data: dict = field(default_factory=dict)
    htmx: bool = False

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}{' (htmx)' if self.htmx else ''}"


def row(method: str, path: str, *statuses: int, data: dict | None = None, htmx: bool = False) -> Row:
    assert len(statuses) == len(ROLES), path
    return Row(method, path, statuses, data or {}, htmx)


def api(method: str, path: str, *statuses: int, data: dict | None = None) -> list[Row]:
    """An API endpoint, with its twin (trailing slash toggled) expected to answer the same."""
    twin = path[:-1] if path.endswith("/") else path + "/"
    return [row(method, path, *statuses, data=data), row(method, twin, *statuses, data=data)]


# Admin pages of one model, given what each staff role may do there: "" nothing, "view", or "full".
ADMIN_STATUSES = {
    # page: (no permission, view only, full) for staff; anonymous and non-staff go to the login page.
    "changelist": (403, 200, 200),
    "add": (403, 403, 200),
    "history": (403, 200, 200),
    "delete": (403, 403, 200),
    "change": (403, 200, 200),
}


def admin_model(app: str, model: str, obj: str, viewer: str, operator: str, superuser: str, **overrides) -> list[Row]:
    """The five admin pages of a model (plus the bare object URL, which redirects to its change page).

    ``overrides``: page -> superuser's status, for models whose admin refuses a page to everyone.
    """
    level = {"": 0, "view": 1, "full": 2}
    pages = {
        "changelist": "",
        "add": "add/",
        "history": f"{obj}/history/",
        "delete": f"{obj}/delete/",
        "change": f"{obj}/change/",
    }
    rows = []
    for page, suffix in pages.items():
        staff = [ADMIN_STATUSES[page][level[access]] for access in (viewer, operator, superuser)]
        staff[2] = overrides.get(page, staff[2])
        rows.append(row("GET", f"/admin/{app}/{model}/{suffix}", 302, 302, *staff))
    rows.append(row("GET", f"/admin/{app}/{model}/{obj}/", 302, 302, 302, 302, 302))
    return rows


MATRIX: list[Row] = [
    # --- health probes: public, answer without a session ---
    row("GET", "/healthz", 200, 200, 200, 200, 200),
    row("GET", "/readyz", 200, 200, 200, 200, 200),
    # --- API: 401 anonymous, 403 without the permission ---
    row("GET", "/api/cluster/status", 401, 403, 200, 200, 200),
    *api("GET", "/api/tenants/", 401, 403, 200, 200, 200),
    *api(
        "POST",
        "/api/tenants/",
        401,
        403,
        403,
        403,
        201,
        data={"name": "new-{n}", "namespace": "ns", "deployment_name": "new-{n}"},
    ),
    *api("GET", "/api/tenants/{tenant}/", 401, 403, 200, 200, 200),
    *api("PATCH", "/api/tenants/{tenant}/", 401, 403, 403, 403, 200, data={"desired_replicas": 2}),
    *api("DELETE", "/api/tenants/{other}/", 401, 403, 403, 403, 204),
    *api("POST", "/api/tenants/{tenant}/start", 401, 403, 403, 200, 200),
    *api("POST", "/api/tenants/{tenant}/stop", 401, 403, 403, 200, 200),
    *api("POST", "/api/tenants/{tenant}/scale", 401, 403, 403, 200, 200, data={"replicas": 2}),
    *api("GET", "/api/tenants/{tenant}/metrics", 401, 403, 200, 200, 200),
    *api("GET", "/api/tenants/{tenant}/metrics/current-state", 401, 403, 200, 200, 200),
    *api("GET", "/api/tenants/{tenant}/metrics/monthly", 401, 403, 200, 200, 200),
    *api("GET", "/api/tenants/{tenant}/metrics/history", 401, 403, 200, 200, 200),
    # --- schedules (issue 5): reading needs view_tenant, writing operate_tenant ---
    row("GET", "/api/tenants/{tenant}/schedules/", 401, 403, 200, 200, 200),
    row(
        "POST",
        "/api/tenants/{tenant}/schedules/",
        401,
        403,
        403,
        201,
        201,
        data={"action": "stop", "cron": "0 20 * * 1-5"},
    ),
    row("GET", "/api/schedules/{schedule}/", 401, 403, 200, 200, 200),
    row("PATCH", "/api/schedules/{schedule}/", 401, 403, 403, 200, 200, data={"enabled": False}),
    row("DELETE", "/api/schedules/{deletable_{n}}/", 401, 403, 403, 204, 204),
    row("GET", "/api/schedules/{schedule}/executions/", 401, 403, 200, 200, 200),
    # --- fleet report (issue 8) and Prometheus (issue 10) ---
    *api("GET", "/api/metrics/monthly", 401, 403, 200, 200, 200),
    row("GET", "/fleet/", 302, 403, 200, 200, 200),
    # /metrics needs METRICS_BEARER_TOKEN, not a session: 404 while unset (the default), whoever asks.
    row("GET", "/metrics", 404, 404, 404, 404, 404),
    # The schema and its Swagger UI are public, like any API reference; they hold no data.
    row("GET", "/api/schema/", 200, 200, 200, 200, 200),
    row("GET", "/api/docs/", 200, 200, 200, 200, 200),
    row("GET", "/api/auth/login/", 200, 200, 200, 200, 200),
    # Logging out redirects everyone to the login page (LOGOUT_REDIRECT_URL), signed in or not.
    row("POST", "/api/auth/logout/", 302, 302, 302, 302, 302),
    # --- web UI: anonymous users are sent to log in; signed in without view_tenant: 403 ---
    row("GET", "/", 302, 403, 200, 200, 200),
    row("GET", "/", 302, 403, 200, 200, 200, htmx=True),
    row("GET", "/login/", 200, 302, 302, 302, 302),
    row("POST", "/logout/", 302, 302, 302, 302, 302),
    row("GET", "/tenants/{tenant}/", 302, 403, 200, 200, 200),
    row("GET", "/tenants/{tenant}/", 302, 403, 200, 200, 200, htmx=True),
    row("GET", "/tenants/{tenant}/uptime/", 302, 403, 200, 200, 200),
    row("GET", "/tenants/{tenant}/uptime/", 302, 403, 200, 200, 200, htmx=True),
    row("GET", "/tenants/{tenant}/history/", 302, 403, 200, 200, 200),
    row("GET", "/tenants/{tenant}/history/", 302, 403, 200, 200, 200, htmx=True),
    row("GET", "/tenants/{tenant}/schedules/", 302, 403, 200, 200, 200),
    row("GET", "/tenants/{tenant}/schedules/", 302, 403, 200, 200, 200, htmx=True),
    row("POST", "/tenants/{tenant}/start", 302, 403, 403, 200, 200, htmx=True),
    row("POST", "/tenants/{tenant}/stop", 302, 403, 403, 200, 200, htmx=True),
    row("POST", "/tenants/{tenant}/scale", 302, 403, 403, 200, 200, data={"replicas": 2}, htmx=True),
    row("POST", "/tenants/{tenant}/start/", 302, 403, 403, 302, 302),
    # Schedules tab actions: operate_tenant, like the schedules API.
    row(
        "POST",
        "/tenants/{tenant}/schedules/add",
        302,
        403,
        403,
        200,
        200,
        data={"action": "stop", "cron": "0 20 * * 1-5", "timezone": "Europe/Berlin", "enabled": "on"},
        htmx=True,
    ),
    row("POST", "/schedules/{schedule}/disable", 302, 403, 403, 200, 200, htmx=True),
    row("POST", "/schedules/{schedule}/enable", 302, 403, 403, 200, 200, htmx=True),
    row("POST", "/schedules/{deletable_{n}}/delete", 302, 403, 403, 200, 200, htmx=True),
    # --- admin: staff only; each model by the Django permissions its admin asks for ---
    row("GET", "/admin/", 302, 302, 200, 200, 200),
    row("GET", "/admin/login/", 200, 200, 302, 302, 302),
    row("POST", "/admin/logout/", 302, 302, 302, 302, 302),
    row("GET", "/admin/password_change/", 302, 302, 200, 200, 200),
    row("GET", "/admin/password_change/done/", 302, 302, 200, 200, 200),
    row("GET", "/admin/autocomplete/", 302, 302, 403, 403, 403),
    row("GET", "/admin/jsi18n/", 302, 302, 200, 200, 200),
    row("GET", "/admin/r/{tenant_type}/{tenant}/", 302, 302, 404, 404, 404),
    row("GET", "/admin/tenants/", 302, 302, 200, 200, 200),
    row("GET", "/admin/auth/", 302, 302, 404, 404, 200),
    row("GET", "/admin/no-such-page/", 302, 302, 404, 404, 404),
    *admin_model("tenants", "tenant", "{tenant}", "view", "view", "full", delete=403),
    # History is an audit record: nobody adds, changes or deletes it, even a superuser.
    *admin_model("tenants", "tenantstatehistory", "{record}", "", "", "full", add=403, delete=403),
    *admin_model("tenants", "simulateddeployment", "{simulated}", "", "", "full"),
    *admin_model("tenants", "clustersyncstatus", "{sync}", "", "", "full", add=403, delete=403),
    *admin_model("tenants", "tenantschedule", "{schedule}", "", "", "full"),
    # Schedule executions are audit records too.
    *admin_model("tenants", "scheduleexecution", "{execution}", "", "", "full", add=403, delete=403),
    # Login attempts (django-axes): superusers may look at and delete them (deleting one lifts a lockout).
    *admin_model("axes", "accessattempt", "{attempt}", "", "", "full", add=403),
    *admin_model("axes", "accesslog", "{access_log}", "", "", "full", add=403),
    *admin_model("axes", "accessfailurelog", "{failure_log}", "", "", "full", add=403),
    *admin_model("auth", "user", "{user}", "", "", "full"),
    row("GET", "/admin/auth/user/{user}/password/", 302, 302, 403, 403, 200),
    *admin_model("auth", "group", "{group}", "", "", "full"),
    *admin_model("authtoken", "tokenproxy", "{token}", "", "", "full"),
]


def _join(prefix: str, route: str) -> str:
    # As Django's resolver joins routes (ResolverMatch.route): a nested regex loses its leading "^".
    if not prefix:
        return route
    return prefix + (route[1:] if route.startswith("^") else route)


def url_routes(patterns=None, prefix: str = "") -> set[str]:
    """Every URL pattern the project serves, as the full route ``resolve(path).route`` would name it."""
    routes = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            routes |= url_routes(pattern.url_patterns, _join(prefix, str(pattern.pattern)))
        elif isinstance(pattern, URLPattern):
            routes.add(_join(prefix, str(pattern.pattern)))
    return routes


# Values to route with: any number resolves, and this is only about which pattern answers.
ROUTE_PLACEHOLDERS = {key: "1" for key in ("tenant", "other", "record", "simulated", "sync", "user", "group")}
ROUTE_PLACEHOLDERS |= {"token": "1", "tenant_type": "1", "schedule": "1", "execution": "1", "deletable_0": "1"}
ROUTE_PLACEHOLDERS |= {"attempt": "1", "access_log": "1", "failure_log": "1"}


def concrete(path: str, values: dict[str, str], number: int) -> str:
    """The path with its placeholders filled; ``{n}`` (the role's number) first, for per-role objects."""
    return path.replace("{n}", str(number)).format(**values)


def test_every_url_pattern_has_a_row():
    covered = {resolve(concrete(r.path, ROUTE_PLACEHOLDERS, 0)).route for r in MATRIX}
    missing = url_routes() - covered
    assert not missing, f"URL patterns without a row in the permission matrix: {sorted(missing)}"


def _user(username: str, *codenames: str, staff: bool = False) -> User:
    user = User.objects.create_user(username=username, password="pw-" + username, is_staff=staff)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="tenants", codename__in=codenames))
    return user


@pytest.fixture
def users(db) -> dict[str, User | None]:
    return {
        "anonymous": None,
        "nobody": _user("nobody"),
        "viewer": _user("viewer", "view_tenant", staff=True),
        "operator": _user("operator", "view_tenant", "operate_tenant", staff=True),
        "superuser": User.objects.create_superuser("root", password="pw-root"),
    }


@pytest.fixture
def objects(make_tenant, ready_at_once, users) -> dict[str, str]:
    tenant = make_tenant("acme")
    other = make_tenant("other")
    cluster_sync_record_success(backend="simulated", tenants_seen=2, namespaces_seen=1, duration_seconds=0.1)
    SimulatedDeployment.objects.get_or_create(namespace="tenants", name=tenant.deployment_name)
    token, _ = Token.objects.get_or_create(user=users["viewer"])
    schedules = [
        schedule_create(tenant=tenant, action="stop", cron="0 20 * * *", actor="tester") for _ in range(1 + len(ROLES))
    ]
    execution = ScheduleExecution.objects.create(
        schedule=schedules[0], tenant=tenant, scheduled_for=timezone.now(), started_at=timezone.now(), status="skipped"
    )
    login_attempt = {"username": "nobody", "ip_address": "127.0.0.1", "user_agent": "test", "path_info": "/login/"}
    return {
        "attempt": str(AccessAttempt.objects.create(failures_since_start=1, **login_attempt).pk),
        "access_log": str(AccessLog.objects.create(**login_attempt).pk),
        "failure_log": str(AccessFailureLog.objects.create(**login_attempt).pk),
        "schedule": str(schedules[0].pk),
        "execution": str(execution.pk),
        **{f"deletable_{number}": str(schedule.pk) for number, schedule in enumerate(schedules[1:])},
        "tenant": str(tenant.pk),
        "other": str(other.pk),
        "record": str(TenantStateHistory.objects.filter(tenant=tenant).first().pk),
        "simulated": str(SimulatedDeployment.objects.first().pk),
        "sync": str(ClusterSyncStatus.objects.first().pk),
        "user": str(users["nobody"].pk),
        "group": str(Group.objects.create(name="operators").pk),
        "token": str(token.user_id),
        "tenant_type": str(ContentType.objects.get_for_model(Tenant).pk),
    }


def _request(client: Client, r: Row, path: str, data: dict):
    headers = {"HX-Request": "true"} if r.htmx else {}
    if r.method == "GET":
        return client.get(path, headers=headers)
    if r.method == "POST" and not path.startswith("/api/"):
        return client.post(path, data, headers=headers)
    return client.generic(r.method, path, _json(data), content_type="application/json", headers=headers)


def _json(data: dict) -> str:
    import json

    return json.dumps(data)


@pytest.mark.parametrize("r", MATRIX, ids=lambda r: r.id)
def test_each_role_gets_the_expected_status(r: Row, users, objects):
    actual = {}
    for number, role in enumerate(ROLES):
        client = Client()
        if users[role] is not None:
            client.force_login(users[role])
        # POST /api/tenants/ registers a new tenant per role, so each has names of its own.
        data = {key: value.format(n=number) if isinstance(value, str) else value for key, value in r.data.items()}
        actual[role] = _request(client, r, concrete(r.path, objects, number), data).status_code
    assert actual == dict(zip(ROLES, r.statuses, strict=True))
