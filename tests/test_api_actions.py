"""Start, stop and scale through the API: the service records the user, source api and the reason."""

import pytest

from tenants.cluster import ClusterUnavailable, use_backend
from tenants.models import Tenant, TenantStateHistory
from tests.api_clients import token_client

pytestmark = pytest.mark.django_db


def _records(tenant):
    return list(TenantStateHistory.objects.filter(tenant=tenant).order_by("changed_at", "id"))


def test_start_scales_to_the_desired_replicas_and_records_who_and_why(operator, make_tenant):
    tenant = make_tenant(desired_replicas=2)

    response = token_client(operator).post(f"/api/tenants/{tenant.pk}/start", {"reason": "Go live"}, format="json")

    assert response.status_code == 200
    assert (response.json()["state"], response.json()["replicas"]) == ("scaling", 2)
    record = _records(tenant)[-1]
    assert (record.previous_state, record.new_state, record.new_replicas) == ("stopped", "scaling", 2)
    assert (record.changed_by, record.source, record.reason) == ("operator", "api", "Go live")


def test_stop_scales_to_zero(operator, make_tenant, ready_at_once):
    tenant = make_tenant()
    client = token_client(operator)
    client.post(f"/api/tenants/{tenant.pk}/start", format="json")

    response = client.post(f"/api/tenants/{tenant.pk}/stop/", format="json")

    assert (response.json()["state"], response.json()["replicas"]) == ("stopped", 0)
    assert _records(tenant)[-1].reason == ""


def test_scale_sets_the_replicas_and_the_desired_replicas(operator, make_tenant):
    tenant = make_tenant()

    response = token_client(operator).post(
        f"/api/tenants/{tenant.pk}/scale", {"replicas": 4, "reason": "Black Friday"}, format="json"
    )

    body = response.json()
    assert (body["replicas"], body["desired_replicas"], body["state"]) == (4, 4, "scaling")
    assert _records(tenant)[-1].reason == "Black Friday"


@pytest.mark.parametrize(
    ("action", "body"), [("stop", {}), ("scale", {"replicas": 0})], ids=["stop-a-stopped", "scale-to-same"]
)
def test_an_action_that_changes_nothing_succeeds_and_writes_no_record(operator, make_tenant, action, body):
    tenant = make_tenant()
    before = _records(tenant)

    response = token_client(operator).post(f"/api/tenants/{tenant.pk}/{action}", body, format="json")

    assert response.status_code == 200
    assert response.json()["state"] == "stopped"
    assert _records(tenant) == before


def test_starting_a_started_tenant_writes_no_second_record(operator, make_tenant):
    tenant = make_tenant()
    client = token_client(operator)
    client.post(f"/api/tenants/{tenant.pk}/start", format="json")
    before = _records(tenant)

    assert client.post(f"/api/tenants/{tenant.pk}/start", format="json").status_code == 200
    assert _records(tenant) == before


class _Unreachable:
    def get_status(self, ref):
        raise ClusterUnavailable("connection refused")

    def list_statuses(self, namespaces):
        raise ClusterUnavailable("connection refused")

    def scale(self, ref, replicas):
        raise ClusterUnavailable("connection refused")


@pytest.mark.parametrize(("action", "body"), [("start", {}), ("scale", {"replicas": 3})])
def test_a_cluster_failure_is_a_503_with_nothing_recorded(operator, make_tenant, action, body):
    tenant = make_tenant()
    before = (_records(tenant), Tenant.objects.get(pk=tenant.pk).replicas)

    with use_backend(_Unreachable()):
        response = token_client(operator).post(f"/api/tenants/{tenant.pk}/{action}", body, format="json")

    assert response.status_code == 503
    assert response.json()["code"] == "cluster_error"
    assert "Nothing was changed" in response.json()["detail"]
    assert (_records(tenant), Tenant.objects.get(pk=tenant.pk).replicas) == before
