"""End to end: a real Celery beat and worker against the real Redis run a due schedule."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tenantmgmt.celery import app
from tenants.models import TenantStateHistory
from tenants.reconciler import reconcile_tenants
from tenants.schedules.models import ScheduleExecution, TenantSchedule
from tenants.schedules.services import schedule_create
from tenants.services import tenant_start

from .conftest import requires_redis
from .fault_processes import celery_env, start_celery, stop_process, tail

WAIT_SECONDS = 60


@requires_redis
@pytest.mark.django_db(transaction=True)
def test_a_schedule_due_now_stops_a_running_tenant_via_a_real_worker_and_beat(make_tenant, tmp_path, ready_at_once):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the worker must share the test database, SQLite's is in memory")
    tenant = tenant_start(tenant=make_tenant("nightly"), actor="alice", source="api").tenant
    reconcile_tenants()
    tenant.refresh_from_db()
    assert tenant.state == "running"
    schedule = schedule_create(tenant=tenant, action="stop", cron="* * * * *", timezone_name="Europe/Berlin", actor="a")
    TenantSchedule.objects.filter(pk=schedule.pk).update(next_run_at=timezone.now())  # due now, not next minute
    app.control.purge()  # our Redis db: drop messages a previous, killed run may have left

    env = celery_env(tmp_path, settings.REDIS_URL)
    processes = []
    try:
        processes.append(start_celery("worker", tmp_path, env))
        processes.append(start_celery("beat", tmp_path, env))
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            tenant.refresh_from_db()
            if tenant.state == "stopped" and ScheduleExecution.objects.filter(schedule=schedule).exists():
                break
            if any(process.poll() is not None for process, _ in processes):
                break
            time.sleep(0.5)
    finally:
        for process, _ in processes:
            stop_process(process)
    logs = tail(*(log for _, log in processes))

    tenant.refresh_from_db()
    assert tenant.state == "stopped", f"not stopped within {WAIT_SECONDS} s\n{logs}"
    [execution] = ScheduleExecution.objects.filter(schedule=schedule)
    assert execution.status == "succeeded", logs
    last = TenantStateHistory.objects.filter(tenant=tenant).order_by("changed_at", "id").last()
    assert (last.changed_by, last.source, last.new_state, last.id) == (
        "scheduler",
        "schedule",
        "stopped",
        execution.history_id,
    )
