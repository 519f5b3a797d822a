"""A cluster that fails leaves the tenant and its history exactly as they were."""

import pytest

from tenants.cluster import ClusterError, ClusterUnavailable, DeploymentNotFound, use_backend
from tenants.models import Tenant, TenantStateHistory
from tenants.reconciler import reconcile_tenants
from tenants.services import tenant_register, tenant_scale, tenant_start, tenant_stop

pytestmark = pytest.mark.django_db


class UnreachableCluster:
    def get_status(self, ref):
        raise ClusterUnavailable("connection refused")

    def list_statuses(self, namespaces):
        raise ClusterUnavailable("connection refused")

    def scale(self, ref, replicas):
        raise ClusterUnavailable("connection refused")


class GoneDeploymentCluster(UnreachableCluster):
    def scale(self, ref, replicas):
        raise DeploymentNotFound(f"Deployment {ref} not found")


def _snapshot(tenant):
    tenant = Tenant.objects.get(pk=tenant.pk)
    return (
        tenant.state,
        tenant.replicas,
        tenant.desired_replicas,
        tenant.state_since,
        TenantStateHistory.objects.filter(tenant=tenant).count(),
    )


@pytest.mark.parametrize("cluster", [UnreachableCluster(), GoneDeploymentCluster()], ids=["unreachable", "gone"])
@pytest.mark.parametrize(
    ("started_first", "action"),
    [
        (False, lambda tenant: tenant_start(tenant=tenant, actor="alice", source="api")),
        (True, lambda tenant: tenant_stop(tenant=tenant, actor="alice", source="api")),
        (False, lambda tenant: tenant_scale(tenant=tenant, replicas=3, actor="alice", source="api")),
    ],
    ids=["start", "stop", "scale"],
)
def test_a_failing_backend_leaves_no_record_and_the_tenant_unchanged(make_tenant, cluster, started_first, action):
    tenant = make_tenant()
    if started_first:
        tenant = tenant_start(tenant=tenant, actor="setup", source="api").tenant
    before = _snapshot(tenant)
    with use_backend(cluster), pytest.raises(ClusterError):
        action(tenant)
    assert _snapshot(tenant) == before


def test_registering_against_an_unreachable_cluster_creates_nothing(db):
    with use_backend(UnreachableCluster()), pytest.raises(ClusterError, match="connection refused"):
        tenant_register(name="acme", namespace="ns", deployment_name="app", actor="alice", source="api")
    assert not Tenant.objects.exists()
    assert not TenantStateHistory.objects.exists()


def test_the_reconciler_records_nothing_when_the_cluster_cannot_be_read(make_tenant):
    tenant = make_tenant()
    before = _snapshot(tenant)
    with use_backend(UnreachableCluster()), pytest.raises(ClusterError):
        reconcile_tenants()
    assert _snapshot(tenant) == before
