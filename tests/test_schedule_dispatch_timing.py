"""Beat runs the dispatcher on the clock, so a run due on the minute is dispatched on the minute."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.conf import settings

from tenants.schedules.beat import ClockAlignedInterval


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def every(seconds: float, now: str) -> ClockAlignedInterval:
    return ClockAlignedInterval(run_every=seconds, nowfun=lambda: at(now))


def test_due_at_the_minute_whenever_beat_started():
    # Beat started at 19:59:17 and last dispatched at 19:59:47; counted from its start, the next
    # dispatch would be at 20:00:17, 17 s after the runs due at 20:00 fell due.
    state = every(30, "2026-12-04T20:00:00.010+00:00").is_due(at("2026-12-04T19:59:47+00:00"))

    assert state.is_due
    assert state.next == pytest.approx(29.99)


def test_not_due_again_in_the_same_slot_and_due_when_the_next_begins():
    last_run = at("2026-12-04T20:00:00.020+00:00")

    before = every(30, "2026-12-04T20:00:29.500+00:00").is_due(last_run)
    on_time = every(30, "2026-12-04T20:00:30+00:00").is_due(last_run)

    assert not before.is_due
    assert before.next == pytest.approx(0.5)  # beat wakes up exactly when the slot begins
    assert on_time.is_due
    assert on_time.next == pytest.approx(30)


def test_slots_missed_while_beat_was_down_make_one_dispatch():
    long_ago = at("2026-12-04T08:00:00+00:00")
    now = "2026-12-04T20:00:05+00:00"

    assert every(30, now).is_due(long_ago).is_due
    assert not every(30, now).is_due(at(now)).is_due  # once it has run, not again in this slot


def test_slots_are_the_same_in_every_time_zone():
    berlin_now = every(30, "2026-12-04T21:00:00.001+01:00")  # 20:00:00.001 UTC

    assert berlin_now.is_due(at("2026-12-04T19:59:59+00:00")).is_due
    remaining = berlin_now.remaining_estimate(at("2026-12-04T20:00:00.001+00:00"))
    assert remaining.total_seconds() == pytest.approx(29.999)


def test_the_dispatcher_entry_runs_on_the_clock_every_schedule_dispatch_seconds():
    entry = settings.CELERY_BEAT_SCHEDULE["dispatch-due-schedules"]

    assert isinstance(entry["schedule"], ClockAlignedInterval)
    assert entry["schedule"].run_every == timedelta(seconds=settings.SCHEDULE_DISPATCH_SECONDS)
