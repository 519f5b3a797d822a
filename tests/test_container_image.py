"""The Dockerfile builds a slim, non-root image whose commands (and the k8s containers') name real code.

No container engine runs here, so the Dockerfile is parsed, linted, and its steps are run as commands.
"""

from __future__ import annotations

import importlib
import json
import os
import shlex
import shutil
import subprocess
import sys

import pytest
from celery import Celery
from django.core.management import get_commands
from dockerfile_parse import DockerfileParser

from .k8s_manifests import ROOT, containers, workloads

DOCKERFILE = ROOT / "Dockerfile"
# Tools installed into the virtualenv running the tests, found even when it is not on PATH.
VENV_PATH = f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ.get('PATH', '')}"
HADOLINT = shutil.which("hadolint", path=VENV_PATH)


def _dockerfile() -> DockerfileParser:
    return DockerfileParser(path=str(DOCKERFILE))


def _instructions(name: str) -> list[str]:
    return [item["value"] for item in _dockerfile().structure if item["instruction"] == name]


def _final_stage_instructions(name: str) -> list[str]:
    final_stage: list[dict] = []
    for item in _dockerfile().structure:
        if item["instruction"] == "FROM":
            final_stage = []
        final_stage.append(item)
    return [item["value"] for item in final_stage if item["instruction"] == name]


def _production_env(tmp_path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DEBUG="0",
        SECRET_KEY="a-test-key-that-is-long-and-random-enough-7f3c9e1b2d4a6f8e0c2b4d6f8a",
        ALLOWED_HOSTS="tenants.example.com",
        VAR_DIR=str(tmp_path / "var"),
        PATH=VENV_PATH,
    )
    env.update(extra)
    return env


def test_it_builds_in_two_stages_from_python_3_11_slim():
    bases = [value.split()[0] for value in _instructions("FROM")]
    assert bases == ["python:3.11-slim", "python:3.11-slim"]
    assert "--from=build" in " ".join(_final_stage_instructions("COPY"))


def test_the_final_image_runs_as_a_numeric_non_root_user():
    (user,) = _final_stage_instructions("USER")
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0
    web = next(doc for doc in workloads() if doc["metadata"]["name"] == "tenantmgmt-web")
    assert web["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == int(uid)


def test_dependencies_come_from_requirements_txt():
    runs = " ".join(_instructions("RUN"))
    assert "pip install --no-cache-dir -r /tmp/requirements.txt" in runs
    assert any("requirements.txt" in value for value in _instructions("COPY"))


def test_the_default_command_is_gunicorn_serving_the_wsgi_application(tmp_path):
    (cmd,) = _final_stage_instructions("CMD")
    argv = json.loads(cmd)  # exec form: no shell between the signal and gunicorn
    assert argv[0] == "gunicorn"
    assert argv[-1] == "tenantmgmt.wsgi:application"
    # gunicorn itself loads the config and the application, with production settings.
    result = subprocess.run(
        [*argv, "--check-config"], cwd=ROOT, env=_production_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_build_collects_static_files_with_a_throwaway_key(tmp_path):
    (collect,) = [value for value in _instructions("RUN") if "collectstatic" in value]
    assert "SECRET_KEY=" in collect and "DEBUG=0" in collect
    env = _production_env(tmp_path, STATIC_ROOT=str(tmp_path / "static"))
    del env["SECRET_KEY"]  # the build has no secret: the command must bring its own
    command = collect.split("&&")[0]
    result = subprocess.run(["sh", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
    assert list((tmp_path / "static" / "admin").rglob("*.css"))


def test_the_docker_context_leaves_out_local_state_and_secrets():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".git", ".venv", "var", "staticfiles", "tests"} <= ignored


@pytest.mark.skipif(HADOLINT is None, reason="hadolint not installed (requirements-dev.txt has it)")
def test_hadolint_finds_nothing_wrong_with_the_dockerfile():
    result = subprocess.run([HADOLINT, str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def _commands_in_k8s() -> list[tuple[str, list[str]]]:
    """(container name, argv) for every container with a command; a `sh -c` script counts by its words."""
    found = []
    for doc in workloads():
        for container in containers(doc):
            command = container.get("command")
            if not command:
                continue
            if command[:2] == ["sh", "-c"]:
                command = shlex.split(command[2].split(";")[0].removeprefix("until ").split(">")[0])
            found.append((f"{doc['metadata']['name']}/{container['name']}", command))
    return found


def test_the_web_container_uses_the_image_default_command():
    web = next(doc for doc in workloads() if doc["metadata"]["name"] == "tenantmgmt-web")
    (container,) = web["spec"]["template"]["spec"]["containers"]
    assert "command" not in container and "args" not in container


@pytest.mark.parametrize(("where", "argv"), _commands_in_k8s(), ids=[where for where, _ in _commands_in_k8s()])
def test_every_container_command_names_code_that_exists(where, argv):
    program = argv[0]
    assert program in {"python", "celery"}, f"{where}: unexpected program {program}"
    if program == "celery":
        module = argv[argv.index("-A") + 1]
        app = importlib.import_module(module).celery_app
        assert isinstance(app, Celery)
        assert argv[argv.index("-A") + 2] in {"worker", "beat"}
    else:
        assert argv[1] == "manage.py"
        assert argv[2] in get_commands(), f"{where}: no management command {argv[2]}"


def test_the_celery_app_the_containers_name_loads_with_production_settings(tmp_path):
    result = subprocess.run(
        [shutil.which("celery", path=VENV_PATH), "-A", "tenantmgmt", "report"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "tenants.tasks.reconcile_tenants" in result.stdout
