"""Who may call what: 401 for anonymous, 403 without the permission, 404 for an unknown tenant."""

import pytest
from django.contrib.auth.models import Permission

from tenants.models import TenantStateHistory
from tests.api_clients import token_client

pytestmark = pytest.mark.django_db

READS = [
    ("get", "/api/tenants/"),
    ("get", "/api/tenants/{id}/"),
    ("get", "/api/tenants/{id}/metrics"),
    ("get", "/api/tenants/{id}/metrics/current-state"),
    ("get", "/api/tenants/{id}/metrics/monthly"),
    ("get", "/api/tenants/{id}/metrics/history"),
]
ACTIONS = [
    ("post", "/api/tenants/{id}/start"),
    ("post", "/api/tenants/{id}/stop"),
    ("post", "/api/tenants/{id}/scale"),
]
MANAGEMENT = [
    ("post", "/api/tenants/"),
    ("patch", "/api/tenants/{id}/"),
    ("delete", "/api/tenants/{id}/"),
]
EVERYTHING = READS + ACTIONS + MANAGEMENT


def _call(client, method, path, tenant_id):
    body = {"replicas": 2} if path.endswith("scale") else {}
    return getattr(client, method)(path.format(id=tenant_id), body, format="json")


@pytest.mark.parametrize(("method", "path"), EVERYTHING)
def test_it_returns_401_with_a_token_challenge_for_anonymous_requests(make_tenant, method, path):
    tenant = make_tenant()

    response = _call(token_client(None), method, path, tenant.pk)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "path"), EVERYTHING)
def test_it_returns_401_for_an_unknown_token(make_tenant, method, path):
    client = token_client(None)
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    assert _call(client, method, path, make_tenant().pk).status_code == 401


@pytest.mark.parametrize(("method", "path"), EVERYTHING)
def test_it_returns_403_for_a_user_without_any_permission(stranger, make_tenant, method, path):
    response = _call(token_client(stranger), method, path, make_tenant().pk)

    assert response.status_code == 403
    assert set(response.json()) == {"detail", "code", "errors"}


@pytest.mark.parametrize(("method", "path"), ACTIONS + MANAGEMENT)
def test_it_returns_403_to_a_viewer_who_tries_to_change_anything(viewer, make_tenant, method, path):
    tenant = make_tenant()
    records = TenantStateHistory.objects.count()

    assert _call(token_client(viewer), method, path, tenant.pk).status_code == 403
    assert TenantStateHistory.objects.count() == records


@pytest.mark.parametrize(("method", "path"), MANAGEMENT)
def test_an_operator_may_act_but_not_manage_tenants(operator, make_tenant, method, path):
    assert _call(token_client(operator), method, path, make_tenant().pk).status_code == 403


@pytest.mark.parametrize(("method", "path"), [*READS[1:], *ACTIONS, *MANAGEMENT[1:]])
def test_it_returns_404_for_an_unknown_tenant(superuser, method, path):
    response = _call(token_client(superuser), method, path, 424242)

    assert response.status_code == 404
    assert response.json() == {"detail": "Tenant 424242 does not exist.", "code": "not_found", "errors": {}}


def test_a_viewer_reads_everything(viewer, make_tenant):
    tenant = make_tenant()
    client = token_client(viewer)

    for method, path in READS:
        assert _call(client, method, path, tenant.pk).status_code == 200, path


def test_permissions_granted_through_a_group_count(make_tenant, django_user_model):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="operators")
    group.permissions.add(*Permission.objects.filter(codename__in=["view_tenant", "operate_tenant"]))
    user = django_user_model.objects.create_user("grouped", password="pw")
    user.groups.add(group)

    response = token_client(user).post(f"/api/tenants/{make_tenant().pk}/start", format="json")

    assert response.status_code == 200


def test_a_logged_in_browser_session_is_accepted_and_needs_the_csrf_token_to_write(operator, make_tenant):
    from rest_framework.test import APIClient

    tenant = make_tenant()
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(operator)

    assert browser.get(f"/api/tenants/{tenant.pk}/metrics/current-state").status_code == 200
    refused = browser.post(f"/api/tenants/{tenant.pk}/start", format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
