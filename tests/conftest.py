"""Shared fixtures: users by role, tenants registered through the service, backend switches."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.db import connection

from tenants.cluster import reset_backend
from tenants.models import Tenant
from tenants.services import tenant_register
from tenants.states import Source

from .k8s_fake_api import FakeKubernetesAPI


def _user(username: str, *codenames: str, superuser: bool = False) -> User:
    if superuser:
        return User.objects.create_superuser(username=username, password="pw-" + username)
    user = User.objects.create_user(username=username, password="pw-" + username)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="tenants", codename__in=codenames))
    return User.objects.get(pk=user.pk)  # fresh instance: no stale permission cache


@pytest.fixture
def stranger(db) -> User:
    """Logged in, but with no permission at all."""
    return _user("stranger")


@pytest.fixture
def viewer(db) -> User:
    return _user("viewer", "view_tenant")


@pytest.fixture
def operator(db) -> User:
    return _user("operator", "view_tenant", "operate_tenant")


@pytest.fixture
def superuser(db) -> User:
    return _user("root", superuser=True)


@pytest.fixture(autouse=True)
def _no_month_cache(settings) -> None:
    """The fleet report's month cache (on with Redis) would outlive a test: its own tests turn it on."""
    settings.METRICS_MONTH_CACHE = False


@pytest.fixture(autouse=True)
def _fresh_backend() -> Iterator[None]:
    reset_backend()
    yield
    reset_backend()


@pytest.fixture
def make_tenant(db) -> Callable[..., Tenant]:
    """Register a tenant through the service, as the API would (first record included)."""
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, **fields: object) -> Tenant:
        number = next(counter)
        return tenant_register(
            name=name or f"tenant-{number}",
            namespace=str(fields.pop("namespace", "tenants")),
            deployment_name=str(fields.pop("deployment_name", f"app-{number}")),
            desired_replicas=int(fields.pop("desired_replicas", 1)),
            actor=str(fields.pop("actor", "tester")),
            source=str(fields.pop("source", Source.API)),
            **fields,
        )

    return make


@pytest.fixture
def ready_at_once(settings) -> None:
    """Simulated scale-ups are ready the moment they are made."""
    settings.SIMULATED_READY_SECONDS = 0


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


requires_postgres = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)",
)
requires_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis: set REDIS_URL=redis://... (CI does)")


# --- Kubernetes wire-format API (issue 6) ------------------------------------------------------
@pytest.fixture
def fake_kubernetes_api() -> Iterator[FakeKubernetesAPI]:
    """An HTTP server speaking the Kubernetes API for apps/v1 Deployments (tests/k8s_fake_api.py)."""
    api = FakeKubernetesAPI().start()
    yield api
    api.stop()


@pytest.fixture
def kubernetes_cluster(fake_kubernetes_api, tmp_path, monkeypatch, settings) -> FakeKubernetesAPI:
    """CLUSTER_BACKEND=kubernetes with KUBECONFIG pointing the real client at the fake API.

    Short timeouts and backoff keep failure tests fast; two retries (three attempts) per call.
    """
    monkeypatch.setenv("KUBECONFIG", str(fake_kubernetes_api.write_kubeconfig(tmp_path)))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    settings.CLUSTER_BACKEND = "kubernetes"
    settings.KUBERNETES_CONTEXT = None
    settings.KUBERNETES_TIMEOUT_SECONDS = 0.5
    settings.KUBERNETES_MAX_RETRIES = 2
    settings.KUBERNETES_BACKOFF_SECONDS = 0.01
    settings.KUBERNETES_LABEL_SELECTOR = ""
    reset_backend()
    return fake_kubernetes_api


# --- Fast password hashing (issue 3): each user fixture hashed with PBKDF2 cost ~1 s of setup. ---
@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Static files (issue 4) ---
@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings) -> None:
    """Pages render in tests without `collectstatic`: plain static storage instead of the manifest one."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# --- Security and reliability (issue 9) ---
@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache (our own Redis db in CI): throttling counters do not leak."""
    from django.core.cache import cache

    cache.clear()
    yield
