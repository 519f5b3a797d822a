"""Compares what the cluster shows with what we recorded, and records the difference."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from .cluster import ClusterError, get_backend
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
    Deployment we could not see is not a Deployment that is gone.
    """
    tenants = list(Tenant.objects.all())
    namespaces = sorted({tenant.namespace for tenant in tenants})
    try:
        statuses = get_backend().list_statuses(namespaces)
    except ClusterError:
        logger.warning("Reconcile skipped: the cluster could not be read", exc_info=True)
        raise
    written = 0
    for tenant in tenants:
        status = statuses.get(deployment_ref(tenant))
        if not observation_differs(tenant, status):
            continue  # cheap check on the unlocked row; tenant_observe checks again under the lock
        if tenant_observe(tenant=tenant, status=status).changed:
            written += 1
    return ReconcileResult(tenants_seen=len(tenants), records_written=written)
