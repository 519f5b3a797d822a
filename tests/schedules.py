"""Helpers for schedule tests: run the dispatcher with runs executed in-process."""

from __future__ import annotations

from datetime import datetime

from django.test import TestCase

from tenants.schedules.runs import Occurrence, schedule_run_occurrence, schedules_dispatch


def run_now(occurrences: list[Occurrence]) -> None:
    for occurrence in occurrences:
        schedule_run_occurrence(schedule_id=occurrence.schedule_id, scheduled_for=occurrence.scheduled_for)


def dispatch_and_run(now: datetime | None = None, **kwargs) -> list[Occurrence]:
    """Dispatch due schedules as beat would, running each claimed occurrence once it is committed.

    Inside a test's transaction nothing commits, so the on_commit callbacks are captured and run
    at the end; with real transactions (``transaction=True``) they run at each commit as in production.
    """
    with TestCase.captureOnCommitCallbacks(execute=True):
        return schedules_dispatch(enqueue=run_now, now=now, **kwargs)
