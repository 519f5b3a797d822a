"""Deleting a tenant archives it: hidden from every list, history and metrics kept, changes refused."""

import pytest
from django.utils import timezone

from tenants.models import SimulatedDeployment, Tenant, TenantStateHistory
from tenants.reconciler import reconcile_tenants
from tenants.services import TenantArchivedError, tenant_archive, tenant_observe, tenant_start
from tenants.states import Source
from tests.api_clients import token_client

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def archived(make_tenant, superuser):
    make_tenant("kept")
    tenant = make_tenant("gone")
    assert token_client(superuser).delete(f"/api/tenants/{tenant.pk}/").status_code == 204
    tenant.refresh_from_db()
    return tenant


def test_an_archived_tenant_is_not_in_the_api_list(archived, viewer):
    names = [tenant["name"] for tenant in token_client(viewer).get("/api/tenants/").json()]
    assert names == ["kept"]


def test_an_archived_tenant_is_still_readable_by_id_with_its_metrics_and_history(archived, viewer):
    api = token_client(viewer)
    assert api.get(f"/api/tenants/{archived.pk}/").json()["name"] == "gone"
    for path in ("metrics", "metrics/current-state", "metrics/monthly", "metrics/history"):
        assert api.get(f"/api/tenants/{archived.pk}/{path}").status_code == 200, path
    history = api.get(f"/api/tenants/{archived.pk}/metrics/history").json()["results"]
    assert len(history) == TenantStateHistory.objects.filter(tenant=archived).count() == 1


@pytest.mark.parametrize(("action", "body"), [("start", {}), ("stop", {}), ("scale", {"replicas": 2})])
def test_actions_on_an_archived_tenant_are_409_and_record_nothing(archived, operator, action, body):
    response = token_client(operator).post(f"/api/tenants/{archived.pk}/{action}", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "archived"
    assert TenantStateHistory.objects.filter(tenant=archived).count() == 1


def test_changing_an_archived_tenant_is_409(archived, superuser):
    response = token_client(superuser).patch(f"/api/tenants/{archived.pk}/", {"name": "new"}, format="json")
    assert response.status_code == 409
    archived.refresh_from_db()
    assert archived.name == "gone"


def test_deleting_an_archived_tenant_again_is_204_and_keeps_the_first_archive_time(archived, superuser):
    first = archived.archived_at
    assert token_client(superuser).delete(f"/api/tenants/{archived.pk}/").status_code == 204
    archived.refresh_from_db()
    assert archived.archived_at == first


def test_deleting_needs_the_delete_permission(make_tenant, operator):
    tenant = make_tenant()
    assert token_client(operator).delete(f"/api/tenants/{tenant.pk}/").status_code == 403
    tenant.refresh_from_db()
    assert tenant.archived_at is None


def test_an_archived_tenant_is_not_in_the_web_list_but_its_page_says_archived(archived, client, operator):
    client.force_login(operator)
    listing = client.get("/").content.decode()
    assert "kept" in listing and "gone" not in listing
    page = client.get(f"/tenants/{archived.pk}/").content.decode()
    assert "Archived" in page
    assert f'hx-post="/tenants/{archived.pk}/start"' not in page


def test_the_web_ui_refuses_to_operate_an_archived_tenant_with_409(archived, client, operator):
    client.force_login(operator)
    response = client.post(f"/tenants/{archived.pk}/start", headers=HTMX)
    assert response.status_code == 409
    assert "archived" in response.content.decode()
    assert TenantStateHistory.objects.filter(tenant=archived).count() == 1


def test_the_admin_hides_archived_tenants_unless_asked(archived, client, superuser):
    client.force_login(superuser)
    default = client.get("/admin/tenants/tenant/").content.decode()
    assert "kept" in default and ">gone<" not in default
    archived_only = client.get("/admin/tenants/tenant/?archived=yes").content.decode()
    assert ">gone<" in archived_only and ">kept<" not in archived_only


def test_the_admin_cannot_delete_a_tenant_only_archive_it(make_tenant, client, superuser):
    tenant = make_tenant("acme")
    client.force_login(superuser)
    assert client.get(f"/admin/tenants/tenant/{tenant.pk}/delete/").status_code == 403
    response = client.post(
        "/admin/tenants/tenant/", {"action": "archive_selected", "_selected_action": [tenant.pk]}, follow=True
    )
    assert response.status_code == 200
    tenant.refresh_from_db()
    assert tenant.archived_by == "root"


def test_the_reconciler_skips_archived_tenants(archived, ready_at_once):
    # Both Deployments were scaled outside the application: only the active tenant's drift is recorded.
    for tenant in Tenant.objects.all():
        SimulatedDeployment.objects.update_or_create(
            namespace=tenant.namespace,
            name=tenant.deployment_name,
            defaults={"replicas": 3, "ready_at": timezone.now(), "deleted": False},
        )
    result = reconcile_tenants()
    assert result.tenants_seen == 1
    assert result.records_written == 1
    assert TenantStateHistory.objects.filter(tenant__name="kept").count() == 2
    assert TenantStateHistory.objects.filter(tenant=archived).count() == 1
    assert not tenant_observe(tenant=archived, status=None).changed


def test_the_services_refuse_to_change_an_archived_tenant(make_tenant):
    tenant = tenant_archive(tenant=make_tenant(), actor="tester", source=Source.API)
    with pytest.raises(TenantArchivedError):
        tenant_start(tenant=tenant, actor="tester", source=Source.API)
    assert Tenant.objects.archived().get() == tenant


def test_an_archived_tenant_is_not_in_the_fleet_report_or_the_fleet_page(archived, client, viewer):
    rows = token_client(viewer).get("/api/metrics/monthly").json()["results"]
    assert [row["tenant_name"] for row in rows] == ["kept"]
    client.force_login(viewer)
    page = client.get("/fleet/").content.decode()
    assert "kept" in page and ">gone<" not in page


def test_an_archived_tenant_is_not_exported_to_prometheus(archived, client, settings):
    settings.METRICS_BEARER_TOKEN = "scrape-token-for-tests"
    body = client.get("/metrics", headers={"Authorization": "Bearer scrape-token-for-tests"}).content.decode()
    assert 'tenant="kept"' in body
    assert 'tenant="gone"' not in body


def test_history_cannot_be_imported_into_an_archived_tenant(archived, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    export = tmp_path / "old.csv"
    header = "id,tenant_id,previous_state,new_state,previous_replicas,new_replicas,changed_at,changed_by,reason,source"
    export.write_text(f"{header}\n1,{archived.pk},stopped,running,0,1,2030-01-01T00:00:00+00:00,old,,api\n")
    with pytest.raises(CommandError):
        call_command("import_history", str(export), stdout=StringIO(), stderr=StringIO())
    assert TenantStateHistory.objects.filter(tenant=archived).count() == 1
