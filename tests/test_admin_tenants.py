"""The Django admin: tenant list with state, duration and month uptime; actions; read-only history."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.cluster import ClusterUnavailable, use_backend
from tenants.models import Tenant, TenantStateHistory
from tenants.services import tenant_append_history
from tests.metrics_factories import tenant_with_history

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 11, tzinfo=UTC)
CHANGELIST = "/admin/tenants/tenant/"


def _tenant(name: str, hours_up: int) -> Tenant:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return tenant_with_history(
        name, start, [(start, "running", None), (start + timedelta(hours=hours_up), "stopped", "running")]
    )


def test_the_list_shows_state_state_duration_and_this_months_uptime(client, superuser):
    _tenant("alpha", 120)
    client.force_login(superuser)
    with time_machine.travel(NOW, tick=False):
        html = client.get(CHANGELIST).content.decode()
    assert re.search(r'<td class="field-state">Stopped</td>', html)
    assert '<td class="field-state_duration">5d 0h</td>' in html
    assert '<td class="field-month_uptime">50.00%</td>' in html


def test_the_list_needs_the_same_number_of_queries_for_two_or_twenty_tenants(client, superuser):
    client.force_login(superuser)
    for number in range(2):
        _tenant(f"few-{number}", 24)
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as few:
        client.get(CHANGELIST)
    for number in range(18):
        _tenant(f"many-{number}", 48)
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as many:
        html = client.get(CHANGELIST).content.decode()
    assert html.count('class="field-month_uptime"') == 20
    assert len(many) == len(few)


def test_the_list_filters_by_state_and_searches(client, superuser):
    _tenant("alpha", 24)
    tenant_with_history("bravo", NOW, [(NOW, "running", None)])
    client.force_login(superuser)
    assert ">bravo<" in client.get(CHANGELIST + "?state__exact=running").content.decode()
    assert ">alpha<" not in client.get(CHANGELIST + "?state__exact=running").content.decode()
    assert ">alpha<" not in client.get(CHANGELIST + "?q=bra").content.decode()


def test_the_stop_action_goes_through_the_service(client, superuser, make_tenant, ready_at_once):
    client.force_login(superuser)
    tenant = make_tenant("acme")
    client.post(CHANGELIST, {"action": "start_selected", "_selected_action": [tenant.pk]})
    client.post(CHANGELIST, {"action": "stop_selected", "_selected_action": [tenant.pk]})
    record = TenantStateHistory.objects.filter(tenant=tenant).order_by("-changed_at", "-id").first()
    assert (record.new_state, record.source, record.changed_by) == ("stopped", "admin", "root")


def test_the_change_page_shows_the_newest_20_records_and_links_to_all(client, superuser, make_tenant):
    tenant = make_tenant("busy", registered_at=datetime(2026, 1, 1, tzinfo=UTC))
    for number in range(1, 26):
        state = "running" if number % 2 else "stopped"
        tenant = tenant_append_history(
            tenant=tenant,
            new_state=state,
            new_replicas=int(state == "running"),
            changed_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=number),
            actor="tester",
            source="api",
            reason=f"change {number}",
        ).tenant
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(f"/admin/tenants/tenant/{tenant.pk}/change/").content.decode()
    assert len(queries) < 15
    reasons = re.findall(r"change (\d+)", html)
    assert reasons == [str(number) for number in range(25, 5, -1)]
    assert f'href="/admin/tenants/tenantstatehistory/?tenant__id__exact={tenant.pk}">All 26 records</a>' in html
    all_records = client.get(f"/admin/tenants/tenantstatehistory/?tenant__id__exact={tenant.pk}")
    assert all_records.status_code == 200
    assert "26 state history\n" in all_records.content.decode()


def test_history_records_cannot_be_added_changed_or_deleted_in_admin(client, superuser, make_tenant):
    tenant = make_tenant("acme")
    record = TenantStateHistory.objects.get(tenant=tenant)
    client.force_login(superuser)
    assert client.get("/admin/tenants/tenantstatehistory/add/").status_code == 403
    assert client.get(f"/admin/tenants/tenantstatehistory/{record.pk}/delete/").status_code == 403
    view = client.get(f"/admin/tenants/tenantstatehistory/{record.pk}/change/").content.decode()
    assert 'name="_save"' not in view
    client.post(f"/admin/tenants/tenantstatehistory/{record.pk}/change/", {"reason": "rewritten"})
    client.post(
        "/admin/tenants/tenantstatehistory/",
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )
    record.refresh_from_db()
    assert record.reason == "Registered"


def test_adding_a_tenant_when_the_cluster_is_unreachable_shows_the_form_again_with_the_reason(client, superuser):
    class Unreachable:
        def get_status(self, ref):
            raise ClusterUnavailable("connection refused by 10.0.0.1:6443")

    client.force_login(superuser)
    form = {"name": "acme", "namespace": "tenants", "deployment_name": "acme-web", "desired_replicas": 2}
    form.update({"history-TOTAL_FORMS": 0, "history-INITIAL_FORMS": 0})
    with use_backend(Unreachable()):
        response = client.post("/admin/tenants/tenant/add/", form)
    html = response.content.decode()
    assert response.status_code == 200
    assert "connection refused by 10.0.0.1:6443" in html
    assert "The tenant was not registered" in html
    assert 'value="acme-web"' in html  # what was typed is kept
    assert not Tenant.objects.exists()


def test_adding_a_tenant_registers_it_with_its_first_record(client, superuser):
    client.force_login(superuser)
    form = {"name": "acme", "namespace": "tenants", "deployment_name": "acme-web", "desired_replicas": 2}
    form.update({"history-TOTAL_FORMS": 0, "history-INITIAL_FORMS": 0})
    response = client.post("/admin/tenants/tenant/add/", form)
    assert response.status_code == 302
    tenant = Tenant.objects.get(name="acme")
    record = TenantStateHistory.objects.get(tenant=tenant)
    assert (record.previous_state, record.source, record.changed_by) == (None, "admin", "root")
