"""Faults end to end: the Kubernetes API down, slow, or failing, seen through the HTTP API and the web UI.

The real client talks to tests/k8s_fake_api.py (0.5 s per attempt, 3 attempts). Every action
answers 503 well within the client's budget, the UI says what happened, and nothing is recorded.
"""

import time

import pytest
from django.test import Client

from tests.api_clients import token_client

from .kubernetes_operations import snapshot

pytestmark = pytest.mark.django_db

# (attempts) x (client timeout) + backoff, with room for a slow test machine; the server hangs 30 s.
BUDGET_SECONDS = 3 * 0.5 + 3.0
HTMX = {"HX-Request": "true"}

FAULTS = {
    "hangs": lambda api, verb: api.hang_next(30, count=100, verb=verb),
    "answers 503": lambda api, verb: api.fail_next(503, count=100, verb=verb),
    "answers 500": lambda api, verb: api.fail_next(500, count=100, verb=verb),
}
ACTIONS = {"start": {}, "stop": {}, "scale": {"replicas": 3}}


@pytest.fixture
def shop(kubernetes_cluster, make_tenant):
    kubernetes_cluster.add("team-a", "shop", replicas=1, ready=1)
    return make_tenant("shop", namespace="team-a", deployment_name="shop")


def _faulted(api, fault: str) -> None:
    FAULTS[fault](api, "patch")


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("action", ACTIONS)
def test_an_api_action_is_a_503_within_the_budget_and_records_nothing(
    kubernetes_cluster, shop, operator, fault, action
):
    if action == "start":  # start a stopped tenant; stop and scale a running one
        kubernetes_cluster.set("team-a", "shop", replicas=0, ready=0)
        token_client(operator).post(f"/api/tenants/{shop.pk}/stop", {}, format="json")
    before = snapshot()
    _faulted(kubernetes_cluster, fault)

    started = time.monotonic()
    response = token_client(operator).post(f"/api/tenants/{shop.pk}/{action}", ACTIONS[action], format="json")
    waited = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "cluster_error"
    assert "Nothing was changed" in body["detail"]
    assert waited < BUDGET_SECONDS
    assert snapshot() == before


@pytest.mark.parametrize("fault", FAULTS)
def test_the_ui_says_the_cluster_failed_and_records_nothing(kubernetes_cluster, shop, operator, fault):
    client = Client()
    client.force_login(operator)
    before = snapshot()
    _faulted(kubernetes_cluster, fault)

    started = time.monotonic()
    response = client.post(f"/tenants/{shop.pk}/stop", headers=HTMX)
    waited = time.monotonic() - started

    assert response.status_code == 503
    html = response.content.decode()
    assert "The cluster refused or could not be reached" in html
    assert "Nothing was changed" in html
    assert waited < BUDGET_SECONDS
    assert snapshot() == before


def test_registering_while_the_cluster_is_down_is_a_503_and_creates_nothing(kubernetes_cluster, superuser, settings):
    from tenants.cluster import reset_backend

    settings.KUBERNETES_CONTEXT = "elsewhere"  # the kubeconfig's other context: nothing listens there
    reset_backend()
    before = snapshot()
    body = {"name": "new", "namespace": "team-a", "deployment_name": "new"}

    started = time.monotonic()
    response = token_client(superuser).post("/api/tenants/", body, format="json")

    assert response.status_code == 503
    assert time.monotonic() - started < BUDGET_SECONDS
    assert snapshot() == before


def test_pages_and_metrics_keep_working_while_the_cluster_is_down(kubernetes_cluster, shop, operator, settings):
    from tenants.cluster import reset_backend

    settings.KUBERNETES_CONTEXT = "elsewhere"
    reset_backend()
    kubernetes_cluster.requests.clear()
    client = Client()
    client.force_login(operator)
    for path in ("/", f"/tenants/{shop.pk}/", f"/tenants/{shop.pk}/uptime/", f"/tenants/{shop.pk}/history/"):
        assert client.get(path).status_code == 200, path
    api = token_client(operator)
    for path in ("metrics", "metrics/current-state", "metrics/monthly", "metrics/history"):
        assert api.get(f"/api/tenants/{shop.pk}/{path}").status_code == 200, path
    assert kubernetes_cluster.count() == 0  # reads never ask the cluster (nor the port nobody listens on)
