"""Scaling up from zero on a real (wire-format) cluster: stopped -> scaling, then running once ready."""

import json

import pytest

from tenants.models import TenantStateHistory
from tenants.reconciler import reconcile_tenants
from tenants.services import tenant_start, tenant_stop

pytestmark = pytest.mark.django_db


def _chain(tenant):
    records = TenantStateHistory.objects.filter(tenant=tenant).order_by("changed_at", "id")
    return [(r.previous_state, r.new_state, r.new_replicas, r.changed_by, r.source) for r in records]


def test_a_scale_up_from_zero_is_scaling_until_the_reconciler_sees_a_ready_replica(kubernetes_cluster, make_tenant):
    kubernetes_cluster.add("team-a", "shop", replicas=0)
    tenant = make_tenant("shop", namespace="team-a", deployment_name="shop", desired_replicas=2)

    change = tenant_start(tenant=tenant, actor="alice", source="api")
    assert change.tenant.state == "scaling"
    assert kubernetes_cluster.get("team-a", "shop").replicas == 2

    assert reconcile_tenants().records_written == 0  # pods not ready yet: still scaling
    kubernetes_cluster.set("team-a", "shop", ready=1)
    assert reconcile_tenants().records_written == 1
    assert reconcile_tenants().records_written == 0

    assert _chain(tenant) == [
        (None, "stopped", 0, "tester", "api"),
        ("stopped", "scaling", 2, "alice", "api"),
        ("scaling", "running", 2, "cluster", "reconciler"),
    ]
    last = TenantStateHistory.objects.filter(tenant=tenant).order_by("changed_at", "id").last()
    assert last.reason == "1 of 2 replicas ready"


def test_scaling_patches_the_scale_subresource_and_never_replaces_the_deployment(kubernetes_cluster, make_tenant):
    kubernetes_cluster.add("team-a", "shop", replicas=0)
    tenant = make_tenant("shop", namespace="team-a", deployment_name="shop")
    tenant = tenant_start(tenant=tenant, actor="alice", source="api").tenant
    tenant_stop(tenant=tenant, actor="alice", source="api")

    writes = [request for request in kubernetes_cluster.requests if request.method != "GET"]
    assert [(request.method, request.path) for request in writes] == [
        ("PATCH", "/apis/apps/v1/namespaces/team-a/deployments/shop/scale"),
        ("PATCH", "/apis/apps/v1/namespaces/team-a/deployments/shop/scale"),
    ]
    assert {request.content_type for request in writes} == {"application/merge-patch+json"}
    assert {tuple(request.query["fieldManager"]) for request in writes} == {("tenantmgmt",)}
    assert kubernetes_cluster.get("team-a", "shop").replicas == 0


def test_the_patch_body_sets_only_spec_replicas(kubernetes_cluster, make_tenant):
    kubernetes_cluster.add("team-a", "shop", replicas=0)
    tenant = make_tenant("shop", namespace="team-a", deployment_name="shop", desired_replicas=3)
    tenant_start(tenant=tenant, actor="alice", source="api")
    [patch] = [request for request in kubernetes_cluster.requests if request.method == "PATCH"]
    assert json.loads(patch.body) == {"spec": {"replicas": 3}}
