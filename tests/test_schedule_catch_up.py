"""Runs missed while the system was down run once on recovery: the latest missed occurrence only."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import TestCase
from django.utils import timezone

from tenants.models import TenantStateHistory
from tenants.reconciler import reconcile_tenants
from tenants.schedules.models import ScheduleExecution, TenantSchedule
from tenants.schedules.runs import schedule_run_occurrence, schedules_dispatch
from tenants.schedules.services import schedule_create
from tenants.services import tenant_start

from .schedules import dispatch_and_run

pytestmark = pytest.mark.django_db

MONDAY_NOON = datetime(2026, 2, 2, 11, 0, tzinfo=UTC)  # 12:00 in Berlin


def test_with_the_clock_three_days_ahead_a_daily_schedule_runs_once_and_next_run_is_in_the_future(make_tenant):
    tenant = make_tenant()
    with time_machine.travel(MONDAY_NOON, tick=False):
        schedule = schedule_create(
            tenant=tenant, action="start", cron="0 20 * * *", timezone_name="Europe/Berlin", actor="a"
        )
    assert schedule.next_run_at == datetime(2026, 2, 2, 19, 0, tzinfo=UTC)

    with time_machine.travel(MONDAY_NOON + timedelta(days=3), tick=False):
        claimed = dispatch_and_run()
        again = dispatch_and_run()
        now = timezone.now()

    [execution] = ScheduleExecution.objects.filter(schedule=schedule)
    assert execution.scheduled_for == datetime(2026, 2, 4, 19, 0, tzinfo=UTC)  # Wednesday 20:00: the latest missed
    assert execution.status == "succeeded"
    assert [occurrence.scheduled_for for occurrence in claimed] == [execution.scheduled_for]
    assert again == []
    assert TenantStateHistory.objects.filter(tenant=tenant, changed_by="scheduler").count() == 1
    schedule.refresh_from_db()
    assert schedule.next_run_at == datetime(2026, 2, 5, 19, 0, tzinfo=UTC)
    assert schedule.next_run_at > now


@pytest.mark.parametrize("start_runs_first", [True, False], ids=["start-first", "stop-first"])
def test_after_downtime_yesterdays_stop_does_not_undo_todays_start_in_either_order(
    make_tenant, ready_at_once, start_runs_first
):
    """Stop weekdays at 20:00, start at 07:00; down from Monday 19:00 to Tuesday 09:00 (Berlin)."""
    tenant = make_tenant()
    with time_machine.travel(MONDAY_NOON, tick=False):
        tenant_start(tenant=tenant, actor="alice", source="api")
        reconcile_tenants()
        stop = schedule_create(
            tenant=tenant, action="stop", cron="0 20 * * 1-5", timezone_name="Europe/Berlin", actor="a"
        )
        start = schedule_create(
            tenant=tenant, action="start", cron="0 7 * * 1-5", timezone_name="Europe/Berlin", actor="a"
        )

    with time_machine.travel(datetime(2026, 2, 3, 8, 0, tzinfo=UTC), tick=False):
        claimed = []
        with TestCase.captureOnCommitCallbacks(execute=True):
            schedules_dispatch(enqueue=claimed.extend)
        by_schedule = {occurrence.schedule_id: occurrence for occurrence in claimed}
        # Two workers may take the two runs in either order.
        for schedule in (start, stop) if start_runs_first else (stop, start):
            occurrence = by_schedule[schedule.pk]
            schedule_run_occurrence(schedule_id=occurrence.schedule_id, scheduled_for=occurrence.scheduled_for)

    tenant.refresh_from_db()
    assert tenant.state in ("running", "scaling")
    stop_run = ScheduleExecution.objects.get(schedule=stop)
    start_run = ScheduleExecution.objects.get(schedule=start)
    assert stop_run.scheduled_for == datetime(2026, 2, 2, 19, 0, tzinfo=UTC)
    assert stop_run.status == "skipped"
    assert f"Superseded by schedule #{start.pk}" in stop_run.error
    assert start_run.scheduled_for == datetime(2026, 2, 3, 6, 0, tzinfo=UTC)
    # The tenant was running: the start itself had nothing to do, and no stop was recorded.
    assert start_run.status == "skipped"
    assert not TenantStateHistory.objects.filter(tenant=tenant, changed_by="scheduler").exists()


def test_schedules_sharing_a_cron_each_get_their_own_latest_occurrence_and_one_cron_evaluation(
    make_tenant, monkeypatch
):
    from tenants.schedules import runs

    evaluations = []
    real_latest = runs.latest_occurrence
    monkeypatch.setattr(runs, "latest_occurrence", lambda *args: evaluations.append(args) or real_latest(*args))
    with time_machine.travel(MONDAY_NOON, tick=False):
        berlin = [
            schedule_create(tenant=make_tenant(), action="start", cron="0 20 * * *", timezone_name=zone, actor="a")
            for zone in ["Europe/Berlin"] * 5
        ]
        new_york = schedule_create(
            tenant=make_tenant(), action="start", cron="0 20 * * *", timezone_name="America/New_York", actor="a"
        )

    with time_machine.travel(MONDAY_NOON + timedelta(days=3), tick=False):
        claimed = dispatch_and_run()

    ran_for = dict(ScheduleExecution.objects.values_list("schedule_id", "scheduled_for"))
    # Wednesday 20:00 in each zone: 19:00 UTC in Berlin, Thursday 01:00 UTC in New York.
    wednesday_berlin, wednesday_new_york = (
        datetime(2026, 2, 4, 19, 0, tzinfo=UTC),
        datetime(2026, 2, 5, 1, 0, tzinfo=UTC),
    )
    assert ran_for == {**{s.pk: wednesday_berlin for s in berlin}, new_york.pk: wednesday_new_york}
    assert len(claimed) == 6
    assert len(evaluations) == 2  # one per (cron, time zone), not one per schedule
    next_runs = dict(TenantSchedule.objects.values_list("id", "next_run_at"))
    assert {next_runs[s.pk] for s in berlin} == {datetime(2026, 2, 5, 19, 0, tzinfo=UTC)}
    assert next_runs[new_york.pk] == datetime(2026, 2, 6, 1, 0, tzinfo=UTC)
