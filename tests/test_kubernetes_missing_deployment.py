"""A Deployment that is gone (404) makes the tenant `unknown`, through the reconciler only."""

import pytest

from tenants.cluster import DeploymentNotFound
from tenants.models import TenantStateHistory
from tenants.reconciler import reconcile_tenants
from tenants.services import tenant_start

pytestmark = pytest.mark.django_db


def _records(tenant):
    return list(TenantStateHistory.objects.filter(tenant=tenant).order_by("changed_at", "id"))


def test_scaling_a_deployment_that_is_gone_raises_not_found_and_records_nothing(kubernetes_cluster, make_tenant):
    kubernetes_cluster.add("team-a", "shop", replicas=0)
    tenant = make_tenant("shop", namespace="team-a", deployment_name="shop")
    kubernetes_cluster.remove("team-a", "shop")

    with pytest.raises(DeploymentNotFound, match="team-a/shop"):
        tenant_start(tenant=tenant, actor="alice", source="api")

    assert kubernetes_cluster.count("patch", "deployments/scale") == 1  # a 404 is an answer: not retried
    assert len(_records(tenant)) == 1
    tenant.refresh_from_db()
    assert (tenant.state, tenant.replicas) == ("stopped", 0)


def test_the_reconciler_records_a_deployment_that_is_gone_as_unknown_once(kubernetes_cluster, make_tenant):
    kubernetes_cluster.add("team-a", "shop", replicas=2, ready=2)
    tenant = make_tenant("shop", namespace="team-a", deployment_name="shop")
    kubernetes_cluster.remove("team-a", "shop")

    assert reconcile_tenants().records_written == 1
    assert reconcile_tenants().records_written == 0

    last = _records(tenant)[-1]
    assert (last.previous_state, last.new_state, last.changed_by, last.source) == (
        "running",
        "unknown",
        "cluster",
        "reconciler",
    )
    assert last.reason == "Deployment team-a/shop not found in the cluster"


def test_registering_a_tenant_whose_deployment_does_not_exist_records_unknown(kubernetes_cluster, make_tenant):
    tenant = make_tenant("ghost", namespace="team-a", deployment_name="ghost")
    assert tenant.state == "unknown"
    assert kubernetes_cluster.count("get", "deployments") == 1
