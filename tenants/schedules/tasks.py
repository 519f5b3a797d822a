"""Celery tasks for schedules: thin, they take ids and call ``tenants.schedules.runs``."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from .runs import Occurrence, schedule_run_occurrence, schedules_dispatch


@shared_task(name="tenants.schedules.dispatch_due_schedules", ignore_result=True)
def dispatch_due_schedules() -> int:
    """Run by beat every SCHEDULE_DISPATCH_SECONDS: enqueue one run per due occurrence."""
    return len(schedules_dispatch(enqueue=enqueue_runs))


# acks_late: the message is acknowledged after the run, so a run lost with its worker is delivered
# again; reject_on_worker_lost: the same when the worker process is killed mid-run. Both are safe
# only because the task is idempotent (the unique execution row, README "Schedules").
@shared_task(
    name="tenants.schedules.run_schedule",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def run_schedule(schedule_id: int, scheduled_for: str) -> str:
    """Run one occurrence (``scheduled_for`` is ISO 8601); returns its status, or "duplicate"."""
    execution = schedule_run_occurrence(schedule_id=schedule_id, scheduled_for=datetime.fromisoformat(scheduled_for))
    return execution.status if execution else "duplicate"


def enqueue_runs(occurrences: list[Occurrence]) -> None:
    """Publish one ``run_schedule`` message per occurrence, over one broker connection."""
    with run_schedule.app.producer_or_acquire() as producer:
        for occurrence in occurrences:
            run_schedule.apply_async((occurrence.schedule_id, occurrence.scheduled_for.isoformat()), producer=producer)
