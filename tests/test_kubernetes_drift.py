"""A change made outside the application (someone ran `kubectl scale`) is recorded once, by the reconciler."""

import pytest

from tenants.models import TenantStateHistory
from tenants.reconciler import reconcile_tenants
from tenants.services import tenant_start

pytestmark = pytest.mark.django_db


def _records(tenant):
    return list(TenantStateHistory.objects.filter(tenant=tenant).order_by("changed_at", "id"))


@pytest.fixture
def running_tenant(kubernetes_cluster, make_tenant):
    kubernetes_cluster.add("team-a", "shop", replicas=0)
    tenant = make_tenant("shop", namespace="team-a", deployment_name="shop")
    tenant_start(tenant=tenant, actor="alice", source="api")
    kubernetes_cluster.set("team-a", "shop", ready=1)
    reconcile_tenants()
    tenant.refresh_from_db()
    assert (tenant.state, tenant.replicas) == ("running", 1)
    return tenant


def test_a_scale_made_outside_the_application_is_one_record_by_the_cluster(kubernetes_cluster, running_tenant):
    before = len(_records(running_tenant))
    kubernetes_cluster.set("team-a", "shop", replicas=3, ready=3)

    assert reconcile_tenants().records_written == 1
    assert reconcile_tenants().records_written == 0
    assert reconcile_tenants().records_written == 0

    records = _records(running_tenant)
    assert len(records) == before + 1
    drift = records[-1]
    assert (drift.previous_state, drift.new_state, drift.previous_replicas, drift.new_replicas) == (
        "running",
        "running",
        1,
        3,
    )
    assert (drift.changed_by, drift.source) == ("cluster", "reconciler")
    assert drift.reason == "Deployment scaled outside the application: spec replicas 1 -> 3 (3 ready)"


def test_someone_scaling_a_running_tenant_to_zero_is_recorded_as_stopped_once(kubernetes_cluster, running_tenant):
    kubernetes_cluster.set("team-a", "shop", replicas=0)
    assert reconcile_tenants().records_written == 1
    assert reconcile_tenants().records_written == 0
    last = _records(running_tenant)[-1]
    assert (last.previous_state, last.new_state, last.new_replicas, last.changed_by) == (
        "running",
        "stopped",
        0,
        "cluster",
    )


def test_a_running_tenant_that_loses_every_ready_replica_is_recorded_as_scaling(kubernetes_cluster, running_tenant):
    kubernetes_cluster.set("team-a", "shop", ready=0)
    assert reconcile_tenants().records_written == 1
    last = _records(running_tenant)[-1]
    assert (last.previous_state, last.new_state, last.reason) == ("running", "scaling", "No replica ready (0 of 1)")
