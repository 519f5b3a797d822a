"""The same run message delivered twice (a redelivery, a second beat) runs the occurrence once."""

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection

from tenants.models import TenantStateHistory
from tenants.schedules.models import ScheduleExecution
from tenants.schedules.services import schedule_create
from tenants.schedules.tasks import run_schedule

from .conftest import requires_postgres

DUE = datetime(2026, 2, 2, 7, 0, tzinfo=UTC)


def _start_at_seven(tenant):
    with time_machine.travel(datetime(2026, 2, 1, 12, tzinfo=UTC), tick=False):
        return schedule_create(tenant=tenant, action="start", cron="0 7 * * *", timezone_name="UTC", actor="alice")


def _scheduler_records(tenant):
    return TenantStateHistory.objects.filter(tenant=tenant, changed_by="scheduler")


@pytest.mark.django_db
def test_the_same_message_delivered_twice_runs_once(make_tenant):
    tenant = make_tenant()
    schedule = _start_at_seven(tenant)

    first = run_schedule(schedule.pk, DUE.isoformat())
    second = run_schedule(schedule.pk, DUE.isoformat())

    assert (first, second) == ("succeeded", "duplicate")
    assert ScheduleExecution.objects.filter(schedule=schedule).count() == 1
    assert _scheduler_records(tenant).count() == 1


@pytest.mark.django_db
def test_the_run_task_is_acknowledged_late_and_requeued_when_its_worker_is_lost():
    assert run_schedule.acks_late is True
    assert run_schedule.reject_on_worker_lost is True


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_message_run_by_four_workers_at_once_runs_once(make_tenant):
    tenant = make_tenant()
    schedule = _start_at_seven(tenant)
    outcomes, errors = [], []
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        try:
            outcomes.append(run_schedule(schedule.pk, DUE.isoformat()))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(outcomes) == ["duplicate", "duplicate", "duplicate", "succeeded"]
    assert ScheduleExecution.objects.filter(schedule=schedule).count() == 1
    assert _scheduler_records(tenant).count() == 1
