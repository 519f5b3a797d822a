"""Login attempt limiting (django-axes): /login/ and /admin/login/ lock a username+address pair."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_it_locks_out_after_the_limit_even_with_the_right_password(client, superuser, limit, path):
    for _ in range(limit):
        response = client.post(path, {"username": "root", "password": "wrong"})
        assert response.status_code in (200, 429)
    response = client.post(path, {"username": "root", "password": "pw-root"})
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_below_the_limit_then_the_right_password_log_in_and_reset(client, viewer, limit):
    for _ in range(limit - 1):
        client.post("/login/", {"username": "viewer", "password": "wrong"})
    response = client.post("/login/", {"username": "viewer", "password": "pw-viewer"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="viewer").exists()


def test_a_lockout_is_for_that_username_only(client, viewer, superuser, limit):
    for _ in range(limit):
        client.post("/login/", {"username": "root", "password": "wrong"})
    response = Client().post("/login/", {"username": "viewer", "password": "pw-viewer"})
    assert response.status_code == 302


def test_axes_reset_lifts_the_lockout(client, superuser, limit):
    for _ in range(limit):
        client.post("/login/", {"username": "root", "password": "wrong"})
    call_command("axes_reset_username", "root")
    response = client.post("/login/", {"username": "root", "password": "pw-root"})
    assert response.status_code == 302


def test_token_authenticated_api_calls_are_not_counted_as_logins(viewer):
    from tests.api_clients import token_client

    assert token_client(viewer).get("/api/tenants/").status_code == 200
    assert not AccessAttempt.objects.exists()
