"""Health endpoints for Kubernetes probes: unauthenticated, cheap, JSON.

- ``/healthz`` (liveness): the process answers. It touches nothing else, so a database outage
  never makes Kubernetes restart healthy web pods.
- ``/readyz`` (readiness): the database and the Celery broker answer. 200 when both do; 503
  naming each failing part otherwise, so the pod leaves the Service until they are back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def database_is_reachable() -> None:
    """Run ``SELECT 1`` on the default database; raises when it cannot."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def broker_is_reachable() -> None:
    """Open (and release) a connection to the Celery broker; raises when it cannot."""
    from tenantmgmt.celery import app

    timeout = settings.HEALTH_CHECK_TIMEOUT_SECONDS
    with app.connection_for_write() as connection:
        # One quick attempt: a probe that waits out kombu's retries would itself time out.
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)


READINESS_CHECKS: dict[str, Callable[[], None]] = {
    "database": database_is_reachable,
    "broker": broker_is_reachable,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: 200 whenever the process can answer a request."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: ``{"status": "ok", "checks": {"database": "ok", "broker": "ok"}}`` or a 503 naming
    the failing parts: ``{"status": "unavailable", "failing": ["database"], "checks": {...}}``."""
    checks: dict[str, str] = {}
    for name, check in READINESS_CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure means "not ready"; the reason goes to the log, not the client
            logger.warning("readiness check %s failed: %s", name, exc)
            checks[name] = "unavailable"
        else:
            checks[name] = "ok"
    failing = [name for name, result in checks.items() if result != "ok"]
    if failing:
        return JsonResponse({"status": "unavailable", "failing": failing, "checks": checks}, status=503)
    return JsonResponse({"status": "ok", "checks": checks})
