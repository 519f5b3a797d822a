"""Schedules under faults, with a real Celery worker and beat and a real (private) Redis.

- Redis goes away while worker and beat run, a run is missed meanwhile; when Redis returns, the
  schedules resume and the missed occurrence runs exactly once.
- The worker process executing a run is killed with SIGKILL while the cluster call is in flight;
  the message is redelivered and the occurrence has run exactly once (one execution, one record).

PostgreSQL only: the worker shares the test database, and SQLite's test database is in memory.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tenants.models import TenantStateHistory
from tenants.reconciler import reconcile_tenants
from tenants.schedules.models import ScheduleExecution, TenantSchedule
from tenants.schedules.services import schedule_create
from tenants.services import tenant_start

from .conftest import requires_postgres
from .fault_processes import (
    REDIS_SERVER,
    PrivateRedis,
    celery_env,
    children_of,
    start_celery,
    stop_process,
    tail,
    wait_until,
)

pytestmark = [
    requires_postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server on PATH"),
]
WAIT_SECONDS = 60


def _due_now(schedule) -> None:
    # Due a second ago; the occurrence it runs is the cron's latest (today's or yesterday's 03:00).
    TenantSchedule.objects.filter(pk=schedule.pk).update(next_run_at=timezone.now() - timedelta(seconds=1))


def _latest_three_am():
    now = timezone.now()
    today = now.replace(hour=3, minute=0, second=0, microsecond=0)
    return today if today <= now else today - timedelta(days=1)


def test_when_redis_returns_schedules_resume_and_the_missed_run_happens_once(make_tenant, tmp_path, ready_at_once):
    tenant = tenant_start(tenant=make_tenant("nightly"), actor="alice", source="api").tenant
    reconcile_tenants()
    schedule = schedule_create(tenant=tenant, action="stop", cron="0 3 * * *", timezone_name="UTC", actor="a")
    redis_server = PrivateRedis(tmp_path).start()
    env = celery_env(tmp_path, redis_server.url)
    processes = [start_celery("worker", tmp_path, env), start_celery("beat", tmp_path, env)]
    try:
        time.sleep(3)  # both connected and beat dispatching every second (nothing due yet)
        redis_server.stop()
        _due_now(schedule)  # the run falls due while Redis is away
        time.sleep(4)  # beat's dispatches fail meanwhile; nothing can run
        assert not ScheduleExecution.objects.exists()

        redis_server.start()  # same port, empty: whatever was queued before is gone
        ran = wait_until(lambda: ScheduleExecution.objects.filter(schedule=schedule).exists(), WAIT_SECONDS)
        time.sleep(4)  # several more dispatch rounds: none may run it again
    finally:
        for process, _ in processes:
            stop_process(process)
        redis_server.stop()
    logs = tail(*(log for _, log in processes))

    assert ran, f"the missed run did not happen within {WAIT_SECONDS} s of Redis returning\n{logs}"
    [execution] = ScheduleExecution.objects.filter(schedule=schedule)
    assert execution.status == "succeeded", logs
    assert execution.scheduled_for == _latest_three_am()
    assert TenantStateHistory.objects.filter(tenant=tenant, source="schedule").count() == 1


def test_a_worker_killed_mid_run_has_the_run_redelivered_and_done_exactly_once(
    kubernetes_cluster, make_tenant, tmp_path
):
    kubernetes_cluster.add("team-a", "shop", replicas=2, ready=2)
    tenant = make_tenant("shop", namespace="team-a", deployment_name="shop")
    assert tenant.state == "running"
    schedule = schedule_create(tenant=tenant, action="stop", cron="0 3 * * *", timezone_name="UTC", actor="a")
    kubeconfig = os.environ["KUBECONFIG"]
    # The first scale call hangs 8 s: the run is in flight there when its process is killed.
    kubernetes_cluster.hang_next(8, count=1, verb="patch")
    kubernetes_cluster.requests.clear()

    redis_server = PrivateRedis(tmp_path).start()
    env = celery_env(
        tmp_path,
        redis_server.url,
        CLUSTER_BACKEND="kubernetes",
        KUBECONFIG=kubeconfig,
        KUBERNETES_TIMEOUT_SECONDS="20",
        KUBERNETES_MAX_RETRIES="0",
    )
    worker, worker_log = start_celery("worker", tmp_path, env)
    beat, beat_log = start_celery("beat", tmp_path, env)
    killed: list[int] = []
    try:
        _due_now(schedule)
        in_flight = wait_until(lambda: kubernetes_cluster.count("patch", "deployments/scale") >= 1, WAIT_SECONDS)
        assert in_flight, tail(worker_log, beat_log)
        assert not ScheduleExecution.objects.exists()  # the run's transaction is open, not committed
        for child in children_of(worker.pid):  # the pool process executing the run
            os.kill(child, signal.SIGKILL)
            killed.append(child)

        def done() -> bool:
            return ScheduleExecution.objects.filter(schedule=schedule).exists()

        ran = wait_until(done, WAIT_SECONDS)
        time.sleep(4)  # time for any further (wrong) delivery to show
    finally:
        stop_process(beat)
        stop_process(worker)
        redis_server.stop()
    logs = tail(worker_log, beat_log)

    assert killed, logs
    assert ran, f"the run was not redelivered within {WAIT_SECONDS} s\n{logs}"
    assert "WorkerLostError" in logs or "SIGKILL" in logs, logs
    [execution] = ScheduleExecution.objects.filter(schedule=schedule)
    assert execution.status == "succeeded", logs
    records = TenantStateHistory.objects.filter(tenant=tenant, source="schedule")
    assert [(record.new_state, record.changed_by) for record in records] == [("stopped", "scheduler")]
    assert kubernetes_cluster.count("patch", "deployments/scale") == 2  # the killed attempt and the redelivery
