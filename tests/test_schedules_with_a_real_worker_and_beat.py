"""End to end: a real Celery beat and worker against the real Redis run a due schedule."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

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

WAIT_SECONDS = 60
BASE_DIR = Path(settings.BASE_DIR)


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{quote(db['USER'] or '')}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def _start(role: str, tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / f"{role}.log"
    arguments = {
        "worker": ["worker", "--pool=prefork", "--concurrency=1", "--without-mingle", "--without-gossip"],
        "beat": ["beat", "--schedule", str(tmp_path / "beat-schedule")],
    }[role]
    command = [sys.executable, "-m", "celery", "-A", "tenantmgmt", *arguments, "--loglevel=INFO"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)
    return process, log


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


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

    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SCHEDULE_DISPATCH_SECONDS": "1",
        "RECONCILE_INTERVAL_SECONDS": "3600",
        "SIMULATED_READY_SECONDS": "0",
        "VAR_DIR": str(tmp_path),
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "CLUSTER_BACKEND": "simulated",
    }
    processes = []
    try:
        processes.append(_start("worker", tmp_path, env))
        processes.append(_start("beat", tmp_path, env))
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
            _stop(process)
    logs = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}" for _, log in processes)

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
