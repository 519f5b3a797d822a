"""Running schedules: the dispatcher that claims due occurrences, and the run of one occurrence.

Exactly once (README "Schedules"):
1. ``schedules_dispatch`` claims a due schedule by moving its ``next_run_at`` past now in the
   transaction that holds its row lock (``select_for_update(skip_locked=True)``; on SQLite every
   write transaction takes the database lock, so dispatchers run one after the other). The run
   is enqueued only once that transaction commits (``transaction.on_commit``). A second
   dispatcher (a second beat) skips the locked rows and finds them no longer due afterwards.
2. ``schedule_run_occurrence`` inserts the execution row first; the unique
   ``(schedule, scheduled_for)`` makes any second message for the occurrence (a redelivery, a
   duplicate) fail there and do nothing. The row, the tenant change and its history record are
   one transaction: a run whose worker died left nothing behind and is run again on redelivery.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ..cluster import ClusterError
from ..models import Tenant
from ..services import TenantArchivedError, TenantChange, tenant_scale, tenant_start, tenant_stop
from ..states import Source
from .cron import latest_occurrence, next_occurrence
from .models import ExecutionStatus, ScheduleAction, ScheduleExecution, TenantSchedule

logger = logging.getLogger(__name__)

SCHEDULER_ACTOR = "scheduler"
DISPATCH_BATCH_SIZE = 500


@dataclass(frozen=True)
class Occurrence:
    schedule_id: int
    scheduled_for: datetime


def schedules_dispatch(
    *,
    enqueue: Callable[[list[Occurrence]], None],
    now: datetime | None = None,
    batch_size: int = DISPATCH_BATCH_SIZE,
) -> list[Occurrence]:
    """Claim every due, enabled schedule and hand one occurrence of each to ``enqueue`` after commit.

    ``enqueue`` gets each committed batch's occurrences as one list (one message per occurrence).

    A schedule whose runs were missed (the system was down) gets one occurrence: the latest one
    at or before ``now``. Its ``next_run_at`` moves to its first occurrence after ``now``.
    Returns the occurrences claimed. Works in batches, each its own transaction, so runs of the
    first batch start while later ones are claimed.
    """
    now = now or timezone.now()
    claimed: list[Occurrence] = []
    while True:
        batch = _dispatch_batch(now=now, batch_size=batch_size, enqueue=enqueue)
        claimed.extend(batch)
        if len(batch) < batch_size:
            return claimed


def _dispatch_batch(*, now: datetime, batch_size: int, enqueue: Callable[[list[Occurrence]], None]) -> list[Occurrence]:
    with transaction.atomic():
        due = list(
            # Schedules of archived tenants are never run (a subquery, not a join: only schedule rows are locked).
            _lock_skipping_locked(
                TenantSchedule.objects.filter(
                    enabled=True, next_run_at__lte=now, tenant_id__in=Tenant.objects.active().values("pk")
                )
            )
            .order_by("next_run_at", "id")
            .only("id", "cron", "timezone", "next_run_at")[:batch_size]
        )
        occurrences = []
        # Schedules sharing a cron and time zone ("0 20 * * 1-5" in Europe/Berlin for half the
        # fleet) share their occurrences too: each pair is evaluated once per batch, and its
        # schedules move to their next run in one UPDATE.
        timings: dict[tuple[str, str], tuple[datetime | None, datetime]] = {}
        advanced: dict[datetime, list[int]] = defaultdict(list)
        for schedule in due:
            key = (schedule.cron, schedule.timezone)
            if key not in timings:
                timings[key] = (latest_occurrence(*key, now), next_occurrence(*key, now))
            latest, following = timings[key]
            occurrences.append(Occurrence(schedule.id, latest or schedule.next_run_at))
            schedule.next_run_at = following
            advanced[following].append(schedule.id)
        for next_run_at, ids in advanced.items():
            TenantSchedule.objects.filter(pk__in=ids).update(next_run_at=next_run_at)
        if occurrences:
            claimed_next = {schedule.id: schedule.next_run_at for schedule in due}
            transaction.on_commit(lambda: _enqueue_or_reopen(enqueue, occurrences, claimed_next))
    if occurrences:
        logger.info("Dispatched %d scheduled run(s)", len(occurrences))
    return occurrences


class BrokerUnavailableError(Exception):
    """The runs could not be sent to the broker; their schedules stay due for the next dispatch."""


def _enqueue_or_reopen(
    enqueue: Callable[[list[Occurrence]], None], occurrences: list[Occurrence], claimed_next: dict[int, datetime]
) -> None:
    """Send the committed claims; if the broker is down, make them due again instead of losing them.

    Reopening is conditional (``next_run_at`` still what this claim set), so a schedule changed
    meanwhile is left alone. Messages sent before the failure may be sent again by the next
    dispatch: a second message for an occurrence does nothing (the unique execution row).
    """
    try:
        enqueue(occurrences)
    except Exception as exc:  # kombu raises several types for "cannot reach the broker"
        for occurrence in occurrences:
            TenantSchedule.objects.filter(
                pk=occurrence.schedule_id, next_run_at=claimed_next[occurrence.schedule_id]
            ).update(next_run_at=occurrence.scheduled_for)
        message = (
            f"The broker could not be reached ({exc.__class__.__name__}: {exc}); {len(occurrences)} scheduled "
            "run(s) were not sent and stay due for the next dispatch."
        )
        logger.error(message)
        raise BrokerUnavailableError(message) from exc


def _lock_skipping_locked(queryset):
    # SQLite has no row locks (Django ignores select_for_update there); its write lock, taken at
    # BEGIN (transaction_mode IMMEDIATE in settings), serializes dispatchers instead.
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    return queryset.select_for_update()


def schedule_run_occurrence(*, schedule_id: int, scheduled_for: datetime) -> ScheduleExecution | None:
    """Run one occurrence of a schedule, once; returns its execution, or None for a duplicate.

    The action goes through the same service as a person's (``changed_by="scheduler"``,
    ``source="schedule"``). ``skipped``: the action changed nothing, the schedule was disabled
    in the meantime, or a later occurrence of another schedule of the tenant supersedes this one.
    ``failed``: the cluster or the service refused; the error says why.
    """
    # The schedule and the other schedules of its tenant (for _superseding_schedule) in one query.
    of_tenant = {s.pk: s for s in TenantSchedule.objects.select_related("tenant").filter(tenant__schedules=schedule_id)}
    schedule = of_tenant.pop(schedule_id, None)
    if schedule is None:
        logger.info("Schedule %s is gone; its run for %s is dropped", schedule_id, scheduled_for)
        return None
    with transaction.atomic():
        try:
            with transaction.atomic():
                execution = ScheduleExecution.objects.create(
                    schedule=schedule,
                    tenant_id=schedule.tenant_id,
                    scheduled_for=scheduled_for,
                    started_at=timezone.now(),
                    status=ExecutionStatus.SKIPPED,
                )
        except IntegrityError:
            logger.info("Schedule %s already ran for %s; duplicate message ignored", schedule_id, scheduled_for)
            return None
        status, error, change = _run(schedule, scheduled_for, list(of_tenant.values()))
        execution.status = status
        execution.error = error
        execution.history = change.record if change else None
        execution.finished_at = timezone.now()
        execution.save(update_fields=["status", "error", "history", "finished_at"])
    logger.info("Schedule %s for %s: %s %s", schedule_id, scheduled_for.isoformat(), status, error)
    return execution


def _run(
    schedule: TenantSchedule, scheduled_for: datetime, others: list[TenantSchedule]
) -> tuple[str, str, TenantChange | None]:
    if not schedule.enabled:
        return ExecutionStatus.SKIPPED, "The schedule was disabled before this run started.", None
    superseding = _superseding_schedule(scheduled_for, others)
    if superseding is not None:
        other, when = superseding
        message = f"Superseded by schedule #{other.pk} ({other.action_label}) at {when.isoformat()}, a later run."
        return ExecutionStatus.SKIPPED, message, None
    reason = f"Schedule #{schedule.pk}: {schedule.action_label} at '{schedule.cron}' ({schedule.timezone})"
    arguments = {"tenant": schedule.tenant, "actor": SCHEDULER_ACTOR, "source": Source.SCHEDULE, "reason": reason}
    try:
        # Each service call is its own savepoint: a failed action rolls back alone, and the
        # execution row records the failure in the still usable outer transaction.
        if schedule.action == ScheduleAction.START:
            change = tenant_start(**arguments)
        elif schedule.action == ScheduleAction.STOP:
            change = tenant_stop(**arguments)
        else:
            change = tenant_scale(replicas=schedule.replicas, **arguments)
    except TenantArchivedError as exc:
        return ExecutionStatus.SKIPPED, str(exc), None
    except ClusterError as exc:
        return ExecutionStatus.FAILED, f"Cluster error: {exc}", None
    except ValidationError as exc:
        return ExecutionStatus.FAILED, "; ".join(exc.messages), None
    if not change.changed:
        return ExecutionStatus.SKIPPED, f"Nothing to do: the tenant is already {change.tenant.state}.", change
    return ExecutionStatus.SUCCEEDED, "", change


def _superseding_schedule(
    scheduled_for: datetime, others: list[TenantSchedule]
) -> tuple[TenantSchedule, datetime] | None:
    """Another enabled schedule of the tenant with a run due after ``scheduled_for`` (by now).

    Happens only after a catch-up or a long queue: "stop at 20:00" missed yesterday must not undo
    "start at 07:00" today when both run on recovery, in whatever order the workers take them.
    An occurrence from before the other schedule was last saved does not count: it never runs.
    """
    now = timezone.now()
    for other in others:
        if not other.enabled:
            continue
        latest = latest_occurrence(other.cron, other.timezone, now)
        if latest is not None and latest > scheduled_for and latest >= other.updated_at:
            return other, latest
    return None
