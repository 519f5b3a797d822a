"""Tenants through the API: list, register (first record from the cluster), read, change, delete."""

from datetime import UTC, datetime

import pytest
import time_machine

from tenants.cluster import ClusterUnavailable, use_backend
from tenants.models import Tenant, TenantStateHistory
from tests.api_clients import token_client

pytestmark = pytest.mark.django_db

TENANT_FIELDS = {
    "id",
    "name",
    "namespace",
    "deployment_name",
    "desired_replicas",
    "replicas",
    "state",
    "state_since",
    "created_at",
}
NOW = datetime(2026, 1, 14, 15, 48, 10, 687_835, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_registering_a_tenant_writes_its_first_record_as_the_user(superuser):
    response = token_client(superuser).post(
        "/api/tenants/",
        {"name": "acme", "namespace": "tenant-acme", "deployment_name": "acme-web", "desired_replicas": 2},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == TENANT_FIELDS
    assert body["name"] == "acme"
    assert (body["state"], body["replicas"], body["desired_replicas"]) == ("stopped", 0, 2)
    assert body["created_at"] == body["state_since"] == "2026-01-14T15:48:10.687835+00:00"
    (record,) = TenantStateHistory.objects.filter(tenant_id=body["id"])
    assert (record.previous_state, record.new_state, record.changed_by, record.source) == (
        None,
        "stopped",
        "root",
        "api",
    )


def test_desired_replicas_defaults_to_one(superuser):
    body = (
        token_client(superuser)
        .post("/api/tenants", {"name": "a", "namespace": "ns", "deployment_name": "d"}, format="json")
        .json()
    )

    assert body["desired_replicas"] == 1


def test_registering_against_an_unreachable_cluster_is_a_503_and_creates_nothing(superuser):
    class Unreachable:
        def get_status(self, ref):
            raise ClusterUnavailable("connection refused")

    with use_backend(Unreachable()):
        response = token_client(superuser).post(
            "/api/tenants/", {"name": "a", "namespace": "ns", "deployment_name": "d"}, format="json"
        )

    assert response.status_code == 503
    assert response.json()["code"] == "cluster_error"
    assert "connection refused" in response.json()["detail"]
    assert not Tenant.objects.exists()
    assert not TenantStateHistory.objects.exists()


def test_the_list_has_every_tenant_by_name_in_a_constant_number_of_queries(
    viewer, make_tenant, django_assert_max_num_queries
):
    for name in ["zeta", "alpha", "mid"]:
        make_tenant(name)
    client = token_client(viewer)

    with django_assert_max_num_queries(4):
        response = client.get("/api/tenants/")

    assert [tenant["name"] for tenant in response.json()] == ["alpha", "mid", "zeta"]
    assert all(set(tenant) == TENANT_FIELDS for tenant in response.json())


def test_a_tenant_is_read_by_id(viewer, make_tenant):
    tenant = make_tenant("acme")

    body = token_client(viewer).get(f"/api/tenants/{tenant.pk}/").json()

    assert (body["id"], body["name"], body["state"]) == (tenant.pk, "acme", "stopped")


def test_patch_changes_the_name_and_desired_replicas_but_not_the_state(superuser, make_tenant):
    tenant = make_tenant("old")
    records = TenantStateHistory.objects.count()

    response = token_client(superuser).patch(
        f"/api/tenants/{tenant.pk}/", {"name": "new", "desired_replicas": 3, "state": "running"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["desired_replicas"]) == ("new", 3)
    assert response.json()["state"] == "stopped"
    tenant.refresh_from_db()
    assert (tenant.name, tenant.desired_replicas, tenant.state) == ("new", 3, "stopped")
    assert TenantStateHistory.objects.count() == records


def test_put_is_not_offered(superuser, make_tenant):
    tenant = make_tenant()

    response = token_client(superuser).put(f"/api/tenants/{tenant.pk}/", {"name": "x"}, format="json")

    assert response.status_code == 405


def test_delete_archives_the_tenant_with_204_and_keeps_its_history(superuser, make_tenant):
    tenant = make_tenant("acme")
    records = TenantStateHistory.objects.filter(tenant=tenant).count()

    response = token_client(superuser).delete(f"/api/tenants/{tenant.pk}/")

    assert response.status_code == 204
    tenant.refresh_from_db()
    assert tenant.archived_at is not None
    assert tenant.archived_by == "root"
    assert TenantStateHistory.objects.filter(tenant=tenant).count() == records
