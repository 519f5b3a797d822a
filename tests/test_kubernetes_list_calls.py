"""The reconciler reads the cluster with one list call per namespace, never one call per tenant."""

import pytest

from tenants.cluster import reset_backend
from tenants.reconciler import reconcile_tenants

pytestmark = pytest.mark.django_db

NAMESPACES = ("team-a", "team-b", "team-c")


@pytest.fixture
def fifty_tenants(kubernetes_cluster, make_tenant):
    for number in range(50):
        namespace = NAMESPACES[number % 3]
        kubernetes_cluster.add(namespace, f"app-{number}", replicas=1, ready=1, tier="tenant")
        make_tenant(f"tenant-{number}", namespace=namespace, deployment_name=f"app-{number}")
    kubernetes_cluster.add("team-a", "not-a-tenant", replicas=5, ready=5)
    kubernetes_cluster.requests.clear()


def test_fifty_tenants_in_three_namespaces_are_read_with_three_list_calls(kubernetes_cluster, fifty_tenants):
    for number in range(0, 50, 7):  # drift on some, so the reconciler has work to record
        kubernetes_cluster.set(NAMESPACES[number % 3], f"app-{number}", replicas=2, ready=2)

    result = reconcile_tenants()

    assert (result.tenants_seen, result.records_written) == (50, 8)
    assert [(request.method, request.path) for request in kubernetes_cluster.requests] == [
        ("GET", f"/apis/apps/v1/namespaces/{namespace}/deployments") for namespace in NAMESPACES
    ]


def test_a_second_reconcile_with_nothing_new_makes_the_same_three_calls_and_records_nothing(
    kubernetes_cluster, fifty_tenants
):
    assert reconcile_tenants().records_written == 0
    assert kubernetes_cluster.count("list", "deployments") == 3
    assert len(kubernetes_cluster.requests) == 3


def test_the_label_selector_setting_is_sent_with_each_list_call(kubernetes_cluster, fifty_tenants, settings):
    settings.KUBERNETES_LABEL_SELECTOR = "tier=tenant"
    reset_backend()

    assert reconcile_tenants().records_written == 0  # every tenant's Deployment carries the label
    assert [request.query.get("labelSelector") for request in kubernetes_cluster.requests] == [["tier=tenant"]] * 3
