"""A 403 from the cluster is an error naming the missing RBAC permission; nothing is recorded."""

import pytest

from tenants.cluster import ClusterForbidden
from tenants.models import ClusterSyncStatus
from tenants.reconciler import reconcile_tenants

from .kubernetes_operations import OPERATIONS, prepare, snapshot

pytestmark = pytest.mark.django_db

ALL_GRANTS = {
    ("get", "deployments"),
    ("list", "deployments"),
    ("watch", "deployments"),
    ("get", "deployments/scale"),
    ("patch", "deployments/scale"),
}


@pytest.mark.parametrize("name", OPERATIONS)
def test_a_missing_permission_is_named_with_its_verb_resource_and_namespace(kubernetes_cluster, make_tenant, name):
    operation = prepare(kubernetes_cluster, make_tenant, name)
    before = snapshot()
    kubernetes_cluster.rbac = {
        (verb, resource, "team-a") for verb, resource in ALL_GRANTS - {(operation.verb, operation.resource)}
    }

    with pytest.raises(ClusterForbidden) as raised:
        operation.run()

    message = str(raised.value)
    assert f"to {operation.verb} '{operation.resource}' (API group 'apps') in namespace 'team-a'" in message
    assert "k8s/rbac.yaml" in message
    assert f'cannot {operation.verb} resource "{operation.resource}"' in message  # the API server's own words
    assert kubernetes_cluster.count(operation.verb, operation.resource) == 1  # a refusal is not retried
    assert snapshot() == before


def test_a_namespace_the_reconciler_may_not_list_stops_the_whole_reconcile(kubernetes_cluster, make_tenant):
    for namespace in ("team-a", "team-b"):
        kubernetes_cluster.add(namespace, "shop", replicas=0)
        make_tenant(f"shop-{namespace}", namespace=namespace, deployment_name="shop")
        kubernetes_cluster.set(namespace, "shop", replicas=2, ready=2)  # a drift in both namespaces
    kubernetes_cluster.rbac = {(verb, resource, "team-a") for verb, resource in ALL_GRANTS}
    before = snapshot()

    with pytest.raises(ClusterForbidden, match=r"list 'deployments' .* in namespace 'team-b'"):
        reconcile_tenants()

    # team-a could be read, but half a picture is not recorded.
    assert snapshot() == before
    assert "namespace 'team-b'" in ClusterSyncStatus.objects.get(backend="kubernetes").last_error
