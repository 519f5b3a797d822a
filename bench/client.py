"""The HTTP side of the benchmark: gunicorn on 127.0.0.1, and timed GETs against it."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.timing import Probe

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, *, workers: int = 2, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Serve the application with production settings (DEBUG off) on a free local port."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "BENCH_COUNT_QUERIES": "1",
        "LOG_LEVEL": "WARNING",
        "ACCESS_LOG": "0",
        # Static files are not collected for the bench; WhiteNoise would warn in every worker.
        "PYTHONWARNINGS": "ignore:No directory at",
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "gunicorn", "tenantmgmt.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        _wait_until_listening(port, process)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_listening(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start listening within 60 s")


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    query_count: int | None
    seconds: float

    def json(self) -> dict:
        return json.loads(self.body)


class Client:
    """One new connection per request, as gunicorn's sync workers close it after each response."""

    def __init__(self, address: str, token: str) -> None:
        self.host, port = address.split(":")
        self.port = int(port)
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}

    def get(self, path: str) -> Response:
        began = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request("GET", path, headers=self.headers)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        seconds = time.perf_counter() - began
        count = response.getheader("X-Query-Count")
        return Response(response.status, body, int(count) if count is not None else None, seconds)

    def probe(self, paths: Sequence[str]) -> Probe:
        """A probe GETting ``paths[n % len(paths)]`` in round ``n``; anything but a 200 stops the benchmark."""

        def get(round_number: int) -> tuple[float, int | None]:
            path = paths[round_number % len(paths)]
            response = self.get(path)
            if response.status != 200:
                raise RuntimeError(f"GET {path} answered {response.status}: {response.body[:300]!r}")
            return response.seconds, response.query_count

        return get
