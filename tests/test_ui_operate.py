"""Start, Stop and Scale in the web UI: only for operators, CSRF-protected, through the service."""

import pytest
from django.test import Client

from tenants.cluster import ClusterUnavailable, use_backend
from tenants.models import Tenant, TenantStateHistory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def tenant(make_tenant, ready_at_once):
    return make_tenant("acme", desired_replicas=2)


def _records(tenant):
    return list(TenantStateHistory.objects.filter(tenant=tenant).order_by("changed_at", "id"))


def test_operators_see_the_start_stop_and_scale_buttons(client, operator, tenant):
    client.force_login(operator)
    html = client.get(f"/tenants/{tenant.pk}/").content.decode()
    assert f'hx-post="/tenants/{tenant.pk}/start"' in html
    assert f'hx-post="/tenants/{tenant.pk}/stop"' in html
    assert f'hx-post="/tenants/{tenant.pk}/scale"' in html
    assert 'hx-headers=\'{"x-csrftoken": "' in html


def test_the_buttons_are_absent_without_the_operate_permission(client, viewer, tenant):
    client.force_login(viewer)
    html = client.get(f"/tenants/{tenant.pk}/").content.decode()
    assert "Stopped for" in html
    assert "/start" not in html and "/stop" not in html and "/scale" not in html


@pytest.mark.parametrize("action", ["start", "stop", "scale"])
def test_a_post_without_the_operate_permission_is_403_and_changes_nothing(client, viewer, tenant, action):
    client.force_login(viewer)
    response = client.post(f"/tenants/{tenant.pk}/{action}", {"replicas": 3}, headers=HTMX)
    assert response.status_code == 403
    assert len(_records(tenant)) == 1


def test_an_anonymous_post_is_sent_to_log_in(client, tenant):
    response = client.post(f"/tenants/{tenant.pk}/start")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_post_without_the_csrf_token_is_rejected(operator, tenant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    response = client.post(f"/tenants/{tenant.pk}/start", headers=HTMX)
    assert response.status_code == 403
    assert b"CSRF" in response.content
    assert len(_records(tenant)) == 1


def test_a_post_with_the_csrf_header_htmx_sends_is_accepted(operator, tenant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    page = client.get(f"/tenants/{tenant.pk}/")
    token = page.context["csrf_token"]
    response = client.post(f"/tenants/{tenant.pk}/start", headers={**HTMX, "X-CSRFToken": str(token)})
    assert response.status_code == 200
    assert Tenant.objects.get(pk=tenant.pk).replicas == 2


def test_start_with_htmx_returns_the_new_header_and_tells_the_tab_to_refresh(client, operator, tenant):
    client.force_login(operator)
    response = client.post(f"/tenants/{tenant.pk}/start", {"reason": "customer asked"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="tenant-header"')
    assert "Scaling for 0s" in html
    assert response["HX-Trigger"] == '{"tenant-changed": {}}'
    record = _records(tenant)[-1]
    assert (record.previous_state, record.new_state, record.new_replicas) == ("stopped", "scaling", 2)
    assert (record.changed_by, record.source, record.reason) == ("operator", "ui", "customer asked")


def test_stop_records_the_user_and_a_default_reason(client, operator, tenant):
    client.force_login(operator)
    client.post(f"/tenants/{tenant.pk}/start", headers=HTMX)
    response = client.post(f"/tenants/{tenant.pk}/stop", headers=HTMX)
    assert "Stopped for 0s" in response.content.decode()
    record = _records(tenant)[-1]
    assert (record.new_state, record.changed_by, record.reason) == ("stopped", "operator", "Stop from the web UI")


def test_scale_sets_the_replicas(client, operator, tenant):
    client.force_login(operator)
    client.post(f"/tenants/{tenant.pk}/scale/", {"replicas": "3"}, headers=HTMX)
    tenant.refresh_from_db()
    assert (tenant.replicas, tenant.desired_replicas) == (3, 3)


@pytest.mark.parametrize("replicas", ["", "three", "-1", "1001"])
def test_scale_with_a_bad_replicas_value_is_400_naming_the_parameter(client, operator, tenant, replicas):
    client.force_login(operator)
    response = client.post(f"/tenants/{tenant.pk}/scale", {"replicas": replicas}, headers=HTMX)
    assert response.status_code == 400
    assert "replicas:" in response.content.decode()
    assert len(_records(tenant)) == 1


def test_an_action_that_changes_nothing_says_so_and_writes_no_record(client, operator, tenant):
    client.force_login(operator)
    response = client.post(f"/tenants/{tenant.pk}/stop", headers=HTMX)
    assert "already stopped" in response.content.decode()
    assert "HX-Trigger" not in response
    assert len(_records(tenant)) == 1


def test_a_cluster_error_shows_a_clear_message_and_changes_nothing(client, operator, tenant):
    client.force_login(operator)

    class Unreachable:
        def scale(self, ref, replicas):
            raise ClusterUnavailable("connection refused by 10.0.0.1:6443")

    with use_backend(Unreachable()):
        response = client.post(f"/tenants/{tenant.pk}/start", headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 503
    assert 'role="alert"' in html
    assert "connection refused by 10.0.0.1:6443" in html
    assert "Nothing was changed." in html
    assert "Stopped for" in html
    assert len(_records(tenant)) == 1
    assert Tenant.objects.get(pk=tenant.pk).state == "stopped"


def test_without_htmx_it_redirects_back_with_a_message(client, operator, tenant):
    client.force_login(operator)
    response = client.post(f"/tenants/{tenant.pk}/start", follow=True)
    assert response.redirect_chain == [(f"/tenants/{tenant.pk}/", 302)]
    assert "acme is now scaling (2 replicas)." in response.content.decode()


def test_it_returns_404_for_an_unknown_tenant(client, operator):
    client.force_login(operator)
    assert client.post("/tenants/999999/start", headers=HTMX).status_code == 404


def test_a_get_is_not_allowed(client, operator, tenant):
    client.force_login(operator)
    assert client.get(f"/tenants/{tenant.pk}/start").status_code == 405
