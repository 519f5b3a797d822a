"""Real processes for fault tests: a private Redis server we can stop and start, Celery workers and beat.

Everything here is started by the test and stopped by it, by process id.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import redis
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of our own on a free port, without persistence: stop() is an outage."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = tmp_path
        self.process: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            command, cwd=self.directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_timeout=0.2).ping():
                    return self
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def database_url() -> str:
    """The test database as a URL, for child processes (PostgreSQL: SQLite's test database is in memory)."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{quote(db['USER'] or '')}{password}@{host}:{port}/{db['NAME']}"


def celery_env(tmp_path: Path, redis_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "SCHEDULE_DISPATCH_SECONDS": "1",
        "RECONCILE_INTERVAL_SECONDS": "3600",
        "SIMULATED_READY_SECONDS": "0",
        "VAR_DIR": str(tmp_path),
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "CLUSTER_BACKEND": "simulated",
        "LOG_FORMAT": "plain",
        **extra,
    }


def start_celery(role: str, tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / f"{role}.log"
    arguments = {
        "worker": [
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--prefetch-multiplier=1",
            "--without-mingle",
            "--without-gossip",
        ],
        "beat": ["beat", "--schedule", str(tmp_path / "beat-schedule")],
    }[role]
    command = [sys.executable, "-m", "celery", "-A", "tenantmgmt", *arguments, "--loglevel=INFO"]
    with log.open("ab") as output:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)
    return process, log


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def children_of(pid: int) -> list[int]:
    """Process ids of ``pid``'s children (Linux /proc), e.g. a Celery worker's pool processes."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


def wait_until(condition, seconds: float, interval: float = 0.25) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def tail(*logs: Path) -> str:
    return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}" for log in logs if log.exists())
