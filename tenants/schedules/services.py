"""Writing schedules: create, update, enable, disable, delete; and their next run times.

Every write validates the whole schedule (``full_clean``: cron, time zone, replicas only for
scale) and recomputes ``next_run_at`` from now, so a changed or re-enabled schedule never
catches up on occurrences from before the change.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Tenant
from ..services import TenantArchivedError
from .cron import next_occurrence, next_occurrences, normalize_cron
from .models import ScheduleAction, TenantSchedule

EDITABLE_FIELDS = frozenset({"action", "replicas", "cron", "timezone", "enabled"})


def schedule_create(
    *,
    tenant: Tenant,
    action: str,
    cron: str,
    timezone_name: str = "UTC",
    replicas: int | None = None,
    enabled: bool = True,
    actor: str,
) -> TenantSchedule:
    """Create a schedule for ``tenant``; raises ``ValidationError`` naming the bad field.

    An archived tenant gets no new schedule (``TenantArchivedError``, a 409 in the API).
    """
    if tenant.is_archived:
        raise TenantArchivedError(tenant)
    schedule = TenantSchedule(
        tenant=tenant,
        action=action,
        replicas=replicas,
        cron=cron,
        timezone=timezone_name,
        enabled=enabled,
        created_by=actor[:150],
        updated_by=actor[:150],
    )
    _prepare(schedule)
    schedule.save()
    return schedule


def schedule_update(*, schedule: TenantSchedule, actor: str, **fields: object) -> TenantSchedule:
    """Change some of ``action``, ``replicas``, ``cron``, ``timezone``, ``enabled``.

    Changing the action away from ``scale`` drops the replicas. Raises ``ValidationError``.
    """
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({field: "This field cannot be changed." for field in sorted(unknown)})
    with transaction.atomic():
        # Lock against the dispatcher, which moves next_run_at under the same lock.
        locked = TenantSchedule.objects.select_for_update().get(pk=schedule.pk)
        for field, value in fields.items():
            setattr(locked, field, value)
        if "action" in fields and locked.action != ScheduleAction.SCALE and "replicas" not in fields:
            locked.replicas = None
        locked.updated_by = actor[:150]
        _prepare(locked)
        locked.save()
    return locked


def schedule_enable(*, schedule: TenantSchedule, actor: str) -> TenantSchedule:
    """Enable a schedule; it runs from its next occurrence on (nothing missed while disabled)."""
    return schedule_update(schedule=schedule, actor=actor, enabled=True)


def schedule_disable(*, schedule: TenantSchedule, actor: str) -> TenantSchedule:
    """Disable a schedule; a run already queued for it is recorded as skipped."""
    return schedule_update(schedule=schedule, actor=actor, enabled=False)


def schedule_delete(*, schedule: TenantSchedule, actor: str) -> None:
    """Delete a schedule. Its executions stay (audit), no longer linked to it."""
    schedule.delete()


def schedule_next_runs(schedule: TenantSchedule, count: int = 5, *, after: datetime | None = None) -> list[datetime]:
    """The next ``count`` run times of an enabled schedule, in its time zone ([] when disabled)."""
    if not schedule.enabled:
        return []
    return next_occurrences(schedule.cron, schedule.timezone, after or timezone.now(), count)


def _prepare(schedule: TenantSchedule) -> None:
    if schedule.cron is not None:
        schedule.cron = normalize_cron(schedule.cron)
    if isinstance(schedule.timezone, str):
        schedule.timezone = schedule.timezone.strip()
    # clean() and the field validators already check what the CHECK constraints say; skipping
    # Django's re-check of them (one query each) and of the tenant's existence saves round trips.
    schedule.full_clean(exclude=["tenant"], validate_constraints=False)
    schedule.next_run_at = (
        next_occurrence(schedule.cron, schedule.timezone, timezone.now()) if schedule.enabled else None
    )
