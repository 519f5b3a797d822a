"""Settings come from the environment, and a bad value stops start-up with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _check(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"DEBUG": "1", "CLUSTER_BACKEND": "openshift"},
            "CLUSTER_BACKEND='openshift' is not one of: simulated, kubernetes",
        ),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"DEBUG": "0"}, "SECRET_KEY must be set when DEBUG is off"),
        ({"DEBUG": "1", "DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL='nosuchdb://x' is not a usable database URL"),
        ({"DEBUG": "1", "TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE='Mars/Olympus' is not an IANA time zone"),
        ({"DEBUG": "1", "SIMULATED_READY_SECONDS": "soon"}, "SIMULATED_READY_SECONDS='soon' is not a number"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_the_variable(env, message, tmp_path):
    result = _check(VAR_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_a_secret_can_be_read_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-mounted-secret\n")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tenantmgmt.settings",
            "DEBUG": "0",
            "SECRET_KEY_FILE": str(secret),
            "VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "from-a-mounted-secret"


def test_the_defaults_need_no_external_service(tmp_path):
    result = _check(DEBUG="1", VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
