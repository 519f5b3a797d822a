"""Celery tasks: thin wrappers that call services."""

from __future__ import annotations

from celery import shared_task

from .cluster import ClusterError
from .reconciler import reconcile_tenants as run_reconcile
from .schedules.tasks import dispatch_due_schedules, run_schedule  # noqa: F401 (registers the schedule tasks)


@shared_task(name="tenants.tasks.reconcile_tenants", ignore_result=True)
def reconcile_tenants() -> dict[str, int]:
    try:
        result = run_reconcile()
    except ClusterError as exc:
        # Beat runs this again in RECONCILE_INTERVAL_SECONDS; that is the retry.
        return {"error": str(exc)}  # type: ignore[dict-item]
    return {"tenants_seen": result.tenants_seen, "records_written": result.records_written}
