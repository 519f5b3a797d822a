"""A cluster API that hangs or is not there is a timely ClusterUnavailable, and nothing is recorded."""

import time

import pytest

from tenants.cluster import ClusterUnavailable, reset_backend

from .kubernetes_operations import OPERATIONS, prepare, snapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", OPERATIONS)
def test_a_hanging_api_times_out_after_the_bounded_retries_and_records_nothing(kubernetes_cluster, make_tenant, name):
    operation = prepare(kubernetes_cluster, make_tenant, name)
    before = snapshot()
    kubernetes_cluster.hang_next(30, count=100, verb=operation.verb)

    started = time.monotonic()
    with pytest.raises(ClusterUnavailable, match=r"did not answer .* after 3 attempt.*timed out"):
        operation.run()
    waited = time.monotonic() - started

    # Three attempts of 0.5 s each, not the server's 30 s: every call carries its own timeout.
    assert waited < 10
    assert kubernetes_cluster.count(operation.verb, operation.resource) == 3
    assert snapshot() == before


@pytest.mark.parametrize("name", OPERATIONS)
def test_an_api_nobody_listens_on_is_unavailable_and_records_nothing(kubernetes_cluster, make_tenant, settings, name):
    operation = prepare(kubernetes_cluster, make_tenant, name)
    before = snapshot()
    settings.KUBERNETES_CONTEXT = "elsewhere"  # the kubeconfig's other context: a port nothing listens on
    reset_backend()

    with pytest.raises(ClusterUnavailable, match=r"did not answer .* after 3 attempt"):
        operation.run()

    assert snapshot() == before
