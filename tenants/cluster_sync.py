"""When the reconciler last read the cluster successfully, and how its last failure went.

One ``cluster_sync_status`` row per backend, in the database so web, workers and beat agree.
The reconciler writes it; the admin, ``/api/cluster/status`` and health checks read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .models import ClusterSyncStatus

# A sync older than this many reconcile intervals means the reconciler is not keeping up (or not running).
STALE_AFTER_INTERVALS = 3


@dataclass(frozen=True)
class ClusterSyncReport:
    backend: str
    healthy: bool
    stale_after_seconds: int
    last_success_at: datetime | None
    seconds_since_last_success: int | None
    last_attempt_at: datetime | None
    last_failure_at: datetime | None
    last_error: str
    consecutive_failures: int
    tenants_seen: int
    namespaces_seen: int
    last_duration_seconds: float | None


def cluster_sync_record_success(
    *, backend: str, tenants_seen: int, namespaces_seen: int, duration_seconds: float, at: datetime | None = None
) -> None:
    """Note a complete reconcile: the cluster was read and every difference recorded."""
    at = at or timezone.now()
    ClusterSyncStatus.objects.get_or_create(backend=backend)
    ClusterSyncStatus.objects.filter(backend=backend).update(
        last_attempt_at=at,
        last_success_at=at,
        consecutive_failures=0,
        tenants_seen=tenants_seen,
        namespaces_seen=namespaces_seen,
        last_duration_seconds=round(duration_seconds, 3),
    )


def cluster_sync_record_failure(*, backend: str, error: str, at: datetime | None = None) -> None:
    """Note a reconcile that could not read the cluster (nothing was recorded for any tenant)."""
    at = at or timezone.now()
    ClusterSyncStatus.objects.get_or_create(backend=backend)
    ClusterSyncStatus.objects.filter(backend=backend).update(
        last_attempt_at=at,
        last_failure_at=at,
        last_error=error,
        consecutive_failures=F("consecutive_failures") + 1,
    )


def cluster_sync_report(*, backend: str | None = None, now: datetime | None = None) -> ClusterSyncReport:
    """The sync status of ``backend`` (default: the configured one), never synced when there is no row.

    Healthy means the last attempt succeeded and it is no older than ``STALE_AFTER_INTERVALS``
    reconcile intervals.
    """
    backend = backend or settings.CLUSTER_BACKEND
    now = now or timezone.now()
    row = ClusterSyncStatus.objects.filter(backend=backend).first() or ClusterSyncStatus(backend=backend)
    stale_after = int(STALE_AFTER_INTERVALS * settings.RECONCILE_INTERVAL_SECONDS)
    since = None if row.last_success_at is None else max(0, int((now - row.last_success_at).total_seconds()))
    return ClusterSyncReport(
        backend=backend,
        healthy=since is not None and since <= stale_after and row.consecutive_failures == 0,
        stale_after_seconds=stale_after,
        last_success_at=row.last_success_at,
        seconds_since_last_success=since,
        last_attempt_at=row.last_attempt_at,
        last_failure_at=row.last_failure_at,
        last_error=row.last_error,
        consecutive_failures=row.consecutive_failures,
        tenants_seen=row.tenants_seen,
        namespaces_seen=row.namespaces_seen,
        last_duration_seconds=row.last_duration_seconds,
    )
