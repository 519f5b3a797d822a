"""With DEBUG off and only the required variables set, Django's deployment checklist is clean."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "Zq8v2LrX5nW1tB7yK3mP9sD4fH6jG0cA-e_uQ2wR8oI5lT1xN7bV3zM9kS4dF6hJ",
    "ALLOWED_HOSTS": "tenants.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://tenants.example.com",
}
# Variables that would change the production defaults under test (pytest.ini turns the redirect off).
OVERRIDES = {
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
}


def _check_deploy(tmp_path, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in OVERRIDES}
    environment.update(PRODUCTION, VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_no_warning_with_production_defaults(tmp_path):
    result = _check_deploy(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    # One silenced: Django's W008, replaced by tenantmgmt.W008 (see tenantmgmt/https.py).
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_check_deploy_names_the_setting_an_operator_turned_off(tmp_path):
    result = _check_deploy(tmp_path, SECURE_SSL_REDIRECT="0", SESSION_COOKIE_SECURE="0")
    assert result.returncode != 0
    assert "tenantmgmt.W008" in result.stderr
    assert "security.W012" in result.stderr
