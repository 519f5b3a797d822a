"""A Celery worker keeps its PostgreSQL connection across tasks, and replaces one the server ended.

Celery's Django fixup closes the connection around every task; the worker recycles it as Django
does around requests instead (tenantmgmt/celery.py), so a run no longer pays for a new
connection. Counted with PostgreSQL's own ``pg_stat_database.sessions`` (sessions established).
PostgreSQL only: the worker shares the test database, and SQLite's test database is in memory.
"""

from __future__ import annotations

import re
import time

import pytest
from django.db import connection
from django.utils import timezone

from tenants.schedules.models import ScheduleExecution, TenantSchedule
from tenants.schedules.services import schedule_create

from .conftest import requires_postgres
from .fault_processes import REDIS_SERVER, PrivateRedis, celery_env, start_celery, stop_process, tail, wait_until

pytestmark = [
    requires_postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server on PATH"),
]
DISPATCHED = re.compile(r"Task tenants\.schedules\.dispatch_due_schedules\[[^\]]+\] succeeded")


def _sessions_established() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def _tasks_done(log) -> int:
    return len(DISPATCHED.findall(log.read_text(errors="replace"))) if log.exists() else 0


def _statistics_flushed() -> None:
    # Session counts reach pg_stat_database when a backend reports them; ask for fresh figures.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")


def test_a_worker_runs_many_tasks_over_one_connection_and_survives_losing_it(make_tenant, tmp_path):
    redis_server = PrivateRedis(tmp_path).start()
    env = celery_env(tmp_path, redis_server.url)  # beat dispatches every second: one task a second
    worker, worker_log = start_celery("worker", tmp_path, env)
    beat, beat_log = start_celery("beat", tmp_path, env)
    try:
        assert wait_until(lambda: _tasks_done(worker_log) >= 2, 60), tail(worker_log, beat_log)
        _statistics_flushed()
        sessions_before, tasks_before = _sessions_established(), _tasks_done(worker_log)
        assert wait_until(lambda: _tasks_done(worker_log) >= tasks_before + 6, 60), tail(worker_log, beat_log)
        time.sleep(1)  # a closed session is counted when it ends
        _statistics_flushed()
        new_sessions = _sessions_established() - sessions_before
        tasks = _tasks_done(worker_log) - tasks_before

        # The server ends every other session (a PostgreSQL restart, a proxy's idle timeout): the
        # next task checks its connection first (CONN_HEALTH_CHECKS) and opens a new one.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
            terminated = cursor.fetchone()[0]
        tenant = make_tenant("after-the-cut")
        schedule = schedule_create(tenant=tenant, action="start", cron="* * * * *", timezone_name="UTC", actor="a")
        TenantSchedule.objects.filter(pk=schedule.pk).update(next_run_at=timezone.now())
        ran = wait_until(lambda: ScheduleExecution.objects.filter(schedule=schedule).exists(), 60)
    finally:
        stop_process(beat)
        stop_process(worker)
        redis_server.stop()
    logs = tail(worker_log, beat_log)

    # One task a second; before, each opened its own connection (one session per task at least).
    assert tasks >= 6, logs
    assert new_sessions <= 2, f"{new_sessions} new database sessions for {tasks} tasks\n{logs}"
    assert terminated >= 1, logs  # the worker's connection, open between tasks
    assert ran, f"no run after the server ended the worker's connection\n{logs}"
    # (A dispatch caught mid-query by the cut may fail; the next one, a second later, claims the run.)
    assert ScheduleExecution.objects.get(schedule=schedule).status == "succeeded", logs
