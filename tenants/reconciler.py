"""Compares what the cluster shows with what we recorded, and records the difference."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings

from .cluster import ClusterError, get_backend
from .cluster_sync import cluster_sync_record_failure, cluster_sync_record_success
from .models import Tenant
from .services import deployment_ref, observation_differs, tenant_observe

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReconcileResult:
    tenants_seen: int
    records_written: int


def reconcile_tenants() -> ReconcileResult:
    """Observe every tenant's Deployment with one list call per namespace and record changes.

    Raises ``ClusterError`` when the cluster cannot be read: then nothing is recorded, since a
    Deployment we could not see is not a Deployment that is gone. Either way the outcome is
    kept in ``cluster_sync_status`` (the time of the last successful sync, or the error).
    """
    started = time.monotonic()
    tenants = list(Tenant.objects.active())
    namespaces = sorted({tenant.namespace for tenant in tenants})
    try:
        statuses = get_backend().list_statuses(namespaces)
    except ClusterError as exc:
        logger.warning("Reconcile skipped: the cluster could not be read: %s", exc)
        cluster_sync_record_failure(backend=settings.CLUSTER_BACKEND, error=str(exc))
        raise
    written = 0
    for tenant in tenants:
        status = statuses.get(deployment_ref(tenant))
        if not observation_differs(tenant, status):
            continue  # cheap check on the unlocked row; tenant_observe checks again under the lock
        if tenant_observe(tenant=tenant, status=status).changed:
            written += 1
    cluster_sync_record_success(
        backend=settings.CLUSTER_BACKEND,
        tenants_seen=len(tenants),
        namespaces_seen=len(namespaces),
        duration_seconds=time.monotonic() - started,
    )
    return ReconcileResult(tenants_seen=len(tenants), records_written=written)
