"""Transient cluster errors (429, 5xx, 409 on scale) are retried a bounded number of times."""

import pytest

from tenants.cluster import ClusterError, ClusterUnavailable
from tenants.models import TenantStateHistory

from .kubernetes_operations import OPERATIONS, prepare, snapshot

pytestmark = pytest.mark.django_db

ATTEMPTS = 3  # KUBERNETES_MAX_RETRIES=2 in the kubernetes_cluster fixture


@pytest.mark.parametrize("name", OPERATIONS)
@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_transient_error_is_retried_and_the_operation_then_succeeds_once(
    kubernetes_cluster, make_tenant, name, status
):
    operation = prepare(kubernetes_cluster, make_tenant, name)
    records_before = TenantStateHistory.objects.count()
    kubernetes_cluster.fail_next(status, verb=operation.verb, resource=operation.resource)

    operation.run()

    assert kubernetes_cluster.count(operation.verb, operation.resource) == 2
    assert TenantStateHistory.objects.count() == records_before + 1


@pytest.mark.parametrize("name", OPERATIONS)
def test_a_server_error_that_persists_gives_up_after_the_bounded_retries_and_records_nothing(
    kubernetes_cluster, make_tenant, name
):
    operation = prepare(kubernetes_cluster, make_tenant, name)
    before = snapshot()
    kubernetes_cluster.fail_next(500, count=100, verb=operation.verb, resource=operation.resource)

    with pytest.raises(ClusterUnavailable, match=f"answered 500 to {operation.verb} {operation.resource}"):
        operation.run()

    assert kubernetes_cluster.count(operation.verb, operation.resource) == ATTEMPTS
    assert snapshot() == before


def test_a_conflict_on_scale_is_retried_and_then_succeeds(kubernetes_cluster, make_tenant):
    operation = prepare(kubernetes_cluster, make_tenant, "scale")
    records_before = TenantStateHistory.objects.count()
    kubernetes_cluster.fail_next(409, verb="patch")

    operation.run()

    assert kubernetes_cluster.count("patch", "deployments/scale") == 2
    assert kubernetes_cluster.get("team-a", "shop").replicas == 1
    assert TenantStateHistory.objects.count() == records_before + 1


def test_a_conflict_that_never_clears_fails_and_records_nothing(kubernetes_cluster, make_tenant):
    operation = prepare(kubernetes_cluster, make_tenant, "scale")
    before = snapshot()
    kubernetes_cluster.fail_next(409, count=100, verb="patch")

    with pytest.raises(ClusterError, match="Conflict on patch deployments/scale"):
        operation.run()

    assert kubernetes_cluster.count("patch", "deployments/scale") == ATTEMPTS
    assert snapshot() == before


@pytest.mark.parametrize("status", [400, 422])
def test_a_client_error_is_not_retried_and_records_nothing(kubernetes_cluster, make_tenant, status):
    operation = prepare(kubernetes_cluster, make_tenant, "scale")
    before = snapshot()
    kubernetes_cluster.fail_next(status, verb="patch")

    with pytest.raises(ClusterError, match=f"answered {status}"):
        operation.run()

    assert kubernetes_cluster.count("patch", "deployments/scale") == 1
    assert snapshot() == before
