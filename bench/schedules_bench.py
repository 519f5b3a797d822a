"""Benchmark: 10,000 schedules due in the same minute, run by real Celery workers and beat.

    DATABASE_URL=postgres://... REDIS_URL=redis://... make bench-schedules
    .venv/bin/python bench/schedules_bench.py --schedules 10000 --workers 2 --beats 1

Registers the bench tenants (``bench-00001`` ...) once through the service, replaces their
schedules with one each, all due at the same minute (start a stopped tenant, stop a running
one, so every run changes something), starts the workers and beat as subprocesses, and waits
until every occurrence has an execution. Reports how long from the due minute until the last
run finished, and duplicates: occurrences with more than one execution, tenants with more than
one scheduler record, and duplicate messages the workers absorbed. Target: under 60 s, 0 duplicates.
It purges the Celery queue of the Redis db in REDIS_URL and writes only bench-* tenants.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenantmgmt.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schedules", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="celery worker processes (default 2)")
    parser.add_argument(
        "--concurrency", type=int, default=2, help="pool size per worker (default 2, as in k8s/worker.yaml)"
    )
    parser.add_argument("--pool", default="prefork", choices=["prefork", "threads", "solo"], help="worker pool")
    parser.add_argument("--beats", type=int, default=1, help="beat processes; 2 shows no duplicates either")
    parser.add_argument("--dispatch-seconds", type=float, default=30.0, help="SCHEDULE_DISPATCH_SECONDS (default 30)")
    parser.add_argument("--lead-seconds", type=int, default=20, help="start-up time before the due minute")
    parser.add_argument("--timeout", type=int, default=300)
    options = parser.parse_args()

    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL=postgres://... and REDIS_URL=redis://... (the bench measures the production setup).")
        return 2
    # Production settings, as the workers run in the cluster: DEBUG on would also keep every SQL
    # statement in memory and slow each run down. A throwaway key, as nothing here is signed.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    tenants = _bench_tenants(options.schedules)
    due = _schedules_due_next_minute(tenants, options.lead_seconds)
    print(f"{len(tenants)} schedules due at {due.isoformat()}")

    from tenantmgmt.celery import app

    app.control.purge()
    env = {
        **os.environ,
        "SCHEDULE_DISPATCH_SECONDS": str(options.dispatch_seconds),
        "RECONCILE_INTERVAL_SECONDS": "3600",
        "SIMULATED_READY_SECONDS": "0",
        "LOG_LEVEL": "INFO",
    }
    workdir = Path(tempfile.mkdtemp(prefix="schedules-bench-"))
    processes: list[tuple[subprocess.Popen, Path]] = []
    try:
        for number in range(options.workers):
            processes.append(
                _start(
                    workdir,
                    f"worker{number}",
                    env,
                    "worker",
                    f"--hostname=bench{number}@%h",
                    f"--concurrency={options.concurrency}",
                    f"--pool={options.pool}",
                    "--without-mingle",
                    "--without-gossip",
                )
            )
        for number in range(options.beats):
            processes.append(_start(workdir, f"beat{number}", env, "beat", f"--schedule={workdir / f'beat{number}'}"))
        finished = _wait_for_runs(tenants, due, options.timeout)
    finally:
        for process, _ in processes:
            process.terminate()
        for process, _ in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    report = _report(tenants, due, finished, processes, options)
    print(json.dumps(report, indent=2))
    print(f"logs: {workdir}")
    return 0 if report["all_ran"] and report["duplicates"]["total"] == 0 else 1


def _bench_tenants(count: int) -> list:
    from tenants.models import Tenant
    from tenants.services import tenant_register

    names = [f"bench-{number:05d}" for number in range(1, count + 1)]
    existing = set(Tenant.objects.filter(name__in=names).values_list("name", flat=True))
    started = time.monotonic()
    for name in names:
        if name not in existing:
            tenant_register(name=name, namespace="bench", deployment_name=name, actor="bench", source="import")
    if len(existing) < count:
        print(f"registered {count - len(existing)} bench tenants in {time.monotonic() - started:.1f} s")
    return list(Tenant.objects.filter(name__in=names).order_by("name"))


def _schedules_due_next_minute(tenants: list, lead_seconds: int) -> datetime:
    from django.db import transaction

    from tenants.schedules.models import TenantSchedule
    from tenants.schedules.services import schedule_create

    # Earlier runs' executions stay (they are audit records; PostgreSQL refuses to delete them) with
    # their schedule set to null; this run counts only its own due minute.
    TenantSchedule.objects.filter(tenant__in=tenants).delete()
    started = time.monotonic()
    due = (datetime.now(UTC) + timedelta(seconds=lead_seconds)).replace(second=0, microsecond=0) + timedelta(minutes=1)
    with transaction.atomic():
        for tenant in tenants:
            action = "start" if tenant.state == "stopped" else "stop"
            schedule_create(tenant=tenant, action=action, cron=f"{due.minute} {due.hour} * * *", actor="bench")
    print(f"created {len(tenants)} schedules in {time.monotonic() - started:.1f} s")
    return due


def _start(workdir: Path, name: str, env: dict, *arguments: str) -> tuple[subprocess.Popen, Path]:
    log = workdir / f"{name}.log"
    command = [sys.executable, "-m", "celery", "-A", "tenantmgmt", *arguments, "--loglevel=INFO"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)
    return process, log


def _wait_for_runs(tenants: list, due: datetime, timeout: int) -> bool:
    from tenants.schedules.models import ScheduleExecution

    deadline = time.monotonic() + (due - datetime.now(UTC)).total_seconds() + timeout
    last_print = 0.0
    while time.monotonic() < deadline:
        done = ScheduleExecution.objects.filter(tenant__in=tenants, scheduled_for=due).count()
        if done >= len(tenants):
            return True
        if time.monotonic() - last_print > 5:
            print(f"{datetime.now(UTC):%H:%M:%S} {done}/{len(tenants)} executed")
            last_print = time.monotonic()
        time.sleep(0.5)
    return False


def _report(tenants: list, due: datetime, finished: bool, processes: list, options) -> dict:
    from django.db.models import Count, Max, Min

    from tenants.models import TenantStateHistory
    from tenants.schedules.models import ScheduleExecution

    executions = ScheduleExecution.objects.filter(tenant__in=tenants, scheduled_for=due)
    times = executions.aggregate(first=Min("started_at"), last=Max("finished_at"))
    per_occurrence = executions.values("schedule_id").annotate(n=Count("id")).filter(n__gt=1).count()
    records = TenantStateHistory.objects.filter(tenant__in=tenants, changed_by="scheduler", changed_at__gte=due)
    per_tenant = Counter(records.values_list("tenant_id", flat=True))
    absorbed = sum(log.read_text(errors="replace").count("duplicate message ignored") for _, log in processes)
    count = executions.count()
    last = times["last"]
    return {
        "schedules": len(tenants),
        "workers": options.workers,
        "pool": options.pool,
        "concurrency_per_worker": options.concurrency,
        "beats": options.beats,
        "dispatch_seconds": options.dispatch_seconds,
        "executed": count,
        "all_ran": finished and count == len(tenants),
        "statuses": dict(Counter(executions.values_list("status", flat=True))),
        "seconds_from_due_minute_to_last_run": round((last - due).total_seconds(), 1) if last else None,
        "seconds_from_first_to_last_run": round((last - times["first"]).total_seconds(), 1) if last else None,
        "runs_per_second": round(count / max((last - times["first"]).total_seconds(), 0.001), 1) if last else None,
        "duplicates": {
            "occurrences_with_more_than_one_execution": per_occurrence,
            "tenants_with_more_than_one_scheduler_record": sum(1 for n in per_tenant.values() if n > 1),
            "total": per_occurrence + sum(n - 1 for n in per_tenant.values() if n > 1),
        },
        "duplicate_messages_absorbed_by_the_unique_row": absorbed,
    }


if __name__ == "__main__":
    sys.exit(main())
