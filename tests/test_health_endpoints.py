"""/healthz says the process answers; /readyz says the database and the broker do, or names the one that doesn't."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .k8s_manifests import ROOT, resource

VENV_PATH = f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ.get('PATH', '')}"


def test_healthz_answers_200_to_anonymous_requests_without_touching_the_database(client):
    response = client.get("/healthz")  # no django_db mark: any query would raise
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_answers_200_when_the_database_and_the_broker_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def test_health_endpoints_only_answer_get(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


@contextmanager
def _closed_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound, never listening, for the duration."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str, host: str = "localhost") -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host})  # localhost: as the kubelet's probes do
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class Server:
    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process = process
        self.port = port

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        return _get(self.port, path)

    def stdout_lines(self) -> list[str]:
        self.process.terminate()
        output, _ = self.process.communicate(timeout=30)
        return [line for line in output.splitlines() if line.strip()]


@contextmanager
def production_server(
    tmp_path: Path, *, database_url: str | None, redis_url: str | None, **extra_env: str
) -> Iterator[Server]:
    """The image's default command (gunicorn) with the k8s ConfigMap's settings and secret files."""
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}}
    env.update(resource("ConfigMap", "tenantmgmt-config")["data"])
    env.update(VAR_DIR=str(tmp_path / "var"), WEB_CONCURRENCY="1", PATH=VENV_PATH)
    env.pop("SECURE_SSL_REDIRECT", None)  # production default: on
    env.update(extra_env)
    values = {"SECRET_KEY": "k" * 20 + "-a-long-random-enough-key-for-the-test-server-0123456789"}
    if database_url:
        values["DATABASE_URL"] = database_url
    if redis_url:
        values["REDIS_URL"] = redis_url
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        if name in values:
            (secrets / name).write_text(values[name])
            env[f"{name}_FILE"] = str(secrets / name)
        else:
            env.pop(f"{name}_FILE")  # the embedded defaults: SQLite under VAR_DIR, the file broker

    port = _free_port()
    command = [shutil.which("gunicorn", path=VENV_PATH), "--config", "gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "tenantmgmt.wsgi:application"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.communicate()
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz within 30 s"
            time.sleep(0.2)
        yield Server(process, port)
    finally:
        if process.poll() is None:
            process.terminate()  # gunicorn's master stops its workers too; SIGKILL would orphan them
            try:
                process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


def test_readyz_answers_503_naming_the_database_when_it_is_unreachable(tmp_path):
    with (
        _closed_port() as port,
        production_server(
            tmp_path, database_url=f"postgres://tenantmgmt@127.0.0.1:{port}/tenantmgmt", redis_url=None
        ) as server,
    ):
        status, _, body = server.get("/readyz")
        assert status == 503
        assert json.loads(body) == {
            "status": "unavailable",
            "failing": ["database"],
            "checks": {"database": "unavailable", "broker": "ok"},
        }
        # Liveness does not depend on the database: Kubernetes must not restart the pod for it.
        assert server.get("/healthz")[0] == 200
        lines = server.stdout_lines()

    records = [json.loads(line) for line in lines]  # every line on stdout is one JSON log record
    assert any(r["logger"] == "tenantmgmt.health" and "database" in r["message"] for r in records)
    assert any(r["logger"] == "gunicorn.access" and "/readyz" in r["message"] for r in records)
    assert {"time", "level", "logger", "message"} <= set(records[0])


def test_readyz_answers_503_naming_the_broker_when_it_is_unreachable(tmp_path):
    with (
        _closed_port() as port,
        production_server(tmp_path, database_url=None, redis_url=f"redis://127.0.0.1:{port}/0") as server,
    ):
        status, _, body = server.get("/readyz")
        assert status == 503
        assert json.loads(body)["failing"] == ["broker"]
        assert json.loads(body)["checks"]["database"] == "ok"


def test_probes_and_loopback_get_their_answer_over_plain_http_while_public_hosts_redirect_to_https(tmp_path):
    with production_server(tmp_path, database_url=None, redis_url=None) as server:
        assert server.get("/healthz")[0] == 200
        assert server.get("/readyz")[0] == 200
        assert _get(server.port, "/healthz", host="tenants.example.com")[0] == 200
        status, headers, _ = _get(server.port, "/admin/login/", host="tenants.example.com")
        assert status == 301
        assert headers["Location"] == "https://tenants.example.com/admin/login/"
        # A request on the machine itself (loopback host) is not redirected: nothing leaves the host.
        assert server.get("/admin/login/")[0] == 200


def test_access_log_off_leaves_out_the_request_lines_only(tmp_path):
    with production_server(tmp_path, database_url=None, redis_url=None, ACCESS_LOG="0") as server:
        assert server.get("/healthz")[0] == 200
        assert server.get("/readyz")[0] == 200
        lines = server.stdout_lines()

    records = [json.loads(line) for line in lines]
    assert records, "gunicorn's own start-up lines are still logged"
    assert not [r for r in records if r["logger"] == "gunicorn.access"]
