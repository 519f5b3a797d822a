"""Reading schedules for the web UI: a tenant's schedules with their latest runs."""

from __future__ import annotations

from django.db.models import Prefetch

from ..models import Tenant
from .models import ScheduleExecution, TenantSchedule


def tenant_schedules_with_recent_runs(tenant: Tenant, *, runs: int) -> list[TenantSchedule]:
    """The tenant's schedules, oldest first, each with ``recent_runs``: its last ``runs`` executions (2 queries).

    Each execution comes with the history record it wrote (``history``), if any.
    """
    recent = ScheduleExecution.objects.select_related("history").order_by("-scheduled_for", "-id")[:runs]
    schedules = TenantSchedule.objects.filter(tenant=tenant).order_by("id")
    return list(schedules.prefetch_related(Prefetch("executions", queryset=recent, to_attr="recent_runs")))
