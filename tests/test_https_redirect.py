"""Plain http to a public host name is redirected to https; the machine's own loopback is not."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tenantmgmt.https import is_loopback_host

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def https_redirect_on(settings):
    settings.HTTPS_REDIRECT = True
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "tenants.example.com", "[::1]"]


@pytest.mark.django_db
def test_it_redirects_http_to_https_for_a_public_host(client, https_redirect_on):
    response = client.get("/admin/login/?next=/", HTTP_HOST="tenants.example.com")
    assert response.status_code == 301
    assert response["Location"] == "https://tenants.example.com/admin/login/?next=/"


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost", "[::1]:8000"])
def test_it_serves_loopback_hosts_over_plain_http(client, https_redirect_on, host):
    assert client.get("/admin/login/", HTTP_HOST=host).status_code == 200


@pytest.mark.django_db
def test_it_serves_https_requests_without_a_redirect(client, https_redirect_on):
    assert client.get("/admin/login/", HTTP_HOST="tenants.example.com", secure=True).status_code == 200


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1:80", True),
        ("127.8.9.1", True),
        ("app.localhost", True),
        ("[::1]:8000", True),
        ("tenants.example.com", False),
        ("10.0.0.1", False),
        ("localhost.example.com", False),
    ],
)
def test_it_tells_loopback_hosts_from_others(host, loopback):
    assert is_loopback_host(host) is loopback


def test_a_production_start_without_collectstatic_serves_pages_and_static_files(tmp_path):
    """`gunicorn tenantmgmt.wsgi` from a checkout (no collectstatic) must not fail for want of a manifest."""
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command; call_command('migrate', verbosity=0)\n"
        "from django.test import Client\n"
        "client = Client(HTTP_HOST='127.0.0.1:8000')\n"
        "print(client.get('/admin/login/').status_code, client.get('/static/admin/css/base.css').status_code)\n"
    )
    environment = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    environment.update(
        DJANGO_SETTINGS_MODULE="tenantmgmt.settings",
        DEBUG="0",
        SECRET_KEY="a-production-like-secret-key-for-this-test-only-0123456789",
        STATIC_ROOT=str(tmp_path / "never-collected"),
        VAR_DIR=str(tmp_path / "var"),
    )
    environment.pop("SECURE_SSL_REDIRECT", None)  # the production default: on
    environment.pop("ALLOWED_HOSTS", None)  # the default: loopback names
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "200"]
