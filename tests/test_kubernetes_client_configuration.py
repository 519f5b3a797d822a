"""CLUSTER_BACKEND=kubernetes finds its cluster from KUBECONFIG (+ KUBERNETES_CONTEXT) or in-cluster config."""

import pytest

from tenants.cluster import ClusterUnavailable, get_backend, reset_backend
from tenants.cluster.kubernetes import KubernetesBackend

from .k8s_fake_api import TOKEN

pytestmark = pytest.mark.django_db


def test_the_kubernetes_setting_selects_the_real_client_configured_from_kubeconfig(kubernetes_cluster, make_tenant):
    kubernetes_cluster.add("team-a", "shop", replicas=2, ready=1)
    assert isinstance(get_backend(), KubernetesBackend)

    tenant = make_tenant("shop", namespace="team-a", deployment_name="shop")

    assert (tenant.state, tenant.replicas) == ("running", 2)
    [request] = kubernetes_cluster.requests
    assert request.authorization == f"Bearer {TOKEN}"  # the kubeconfig's user credentials


def test_kubernetes_context_picks_a_context_other_than_the_current_one(
    fake_kubernetes_api, kubernetes_cluster, tmp_path, monkeypatch, settings, make_tenant
):
    monkeypatch.setenv("KUBECONFIG", str(fake_kubernetes_api.write_kubeconfig(tmp_path, current_context="elsewhere")))
    settings.KUBERNETES_CONTEXT = "fake"
    reset_backend()
    kubernetes_cluster.add("team-a", "shop", replicas=0)

    assert make_tenant("shop", namespace="team-a", deployment_name="shop").state == "stopped"


def test_a_kubeconfig_that_cannot_be_read_is_a_cluster_error_naming_it(kubernetes_cluster, tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing-kubeconfig"))
    reset_backend()
    with pytest.raises(ClusterUnavailable, match="configuration could not be loaded"):
        get_backend()


def test_an_unknown_context_is_a_cluster_error_naming_it(kubernetes_cluster, settings):
    settings.KUBERNETES_CONTEXT = "no-such-context"
    reset_backend()
    with pytest.raises(ClusterUnavailable, match="no-such-context"):
        get_backend()


def test_inside_a_pod_without_kubeconfig_it_uses_the_service_account(monkeypatch, tmp_path, settings):
    from kubernetes.config import incluster_config

    token, ca = tmp_path / "token", tmp_path / "ca.crt"
    token.write_text("service-account-token")
    ca.write_text("not really a certificate, the client only checks that it exists")
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    monkeypatch.setattr(incluster_config, "SERVICE_TOKEN_FILENAME", str(token))
    monkeypatch.setattr(incluster_config, "SERVICE_CERT_FILENAME", str(ca))
    settings.CLUSTER_BACKEND = "kubernetes"
    reset_backend()

    configuration = get_backend().apps.api_client.configuration

    assert configuration.host == "https://10.0.0.1:443"
    assert configuration.ssl_ca_cert == str(ca)
    assert configuration.get_api_key_with_prefix("BearerToken") == "bearer service-account-token"
    assert configuration.refresh_api_key_hook is not None  # projected tokens rotate; the client rereads them
