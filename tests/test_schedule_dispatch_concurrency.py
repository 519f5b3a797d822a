"""Two dispatchers at once (two beats): each due occurrence runs once and writes one history record."""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from tenants.models import TenantStateHistory
from tenants.schedules.models import ScheduleExecution, TenantSchedule
from tenants.schedules.runs import schedules_dispatch
from tenants.schedules.services import schedule_create

from .conftest import requires_postgres
from .schedules import run_now

SCHEDULES = 40
DISPATCHERS = 2


@requires_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("batch_size", [1, 7, 500], ids=["batches-of-1", "batches-of-7", "one-batch"])
def test_two_dispatchers_at_once_run_each_due_occurrence_exactly_once(make_tenant, batch_size):
    tenants = [make_tenant() for _ in range(SCHEDULES)]
    with time_machine.travel(datetime(2026, 2, 2, 9, 30, tzinfo=UTC), tick=False):
        for tenant in tenants:
            schedule_create(tenant=tenant, action="start", cron="0 10 * * *", timezone_name="UTC", actor="alice")
    due_at = datetime(2026, 2, 2, 10, 0, tzinfo=UTC)
    assert set(TenantSchedule.objects.values_list("next_run_at", flat=True)) == {due_at}

    claimed, errors = [], []
    barrier = threading.Barrier(DISPATCHERS)

    def dispatcher() -> None:
        barrier.wait()
        try:
            claimed.extend(
                schedules_dispatch(enqueue=run_now, now=due_at + timedelta(seconds=5), batch_size=batch_size)
            )
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(DISPATCHERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(Counter(occurrence.schedule_id for occurrence in claimed).values()) == [1] * SCHEDULES
    executions = ScheduleExecution.objects.all()
    assert executions.count() == SCHEDULES
    assert {(execution.status, execution.scheduled_for) for execution in executions} == {("succeeded", due_at)}
    scheduler_records = TenantStateHistory.objects.filter(changed_by="scheduler", source="schedule")
    assert sorted(Counter(scheduler_records.values_list("tenant_id", flat=True)).values()) == [1] * SCHEDULES
    assert set(TenantSchedule.objects.values_list("next_run_at", flat=True)) == {due_at + timedelta(days=1)}
