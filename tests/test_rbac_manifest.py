"""k8s/rbac.yaml grants exactly what the backend needs, only in tenant namespaces."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tenants.cluster import ClusterForbidden
from tenants.reconciler import reconcile_tenants
from tenants.services import tenant_scale, tenant_start, tenant_stop

K8S = Path(settings.BASE_DIR) / "k8s"
EXPECTED_GRANTS = {
    ("apps", "deployments", "get"),
    ("apps", "deployments", "list"),
    ("apps", "deployments", "watch"),
    ("apps", "deployments/scale", "get"),
    ("apps", "deployments/scale", "patch"),
}
SERVICE_ACCOUNT = {"kind": "ServiceAccount", "name": "tenantmgmt", "namespace": "tenantmgmt"}


def _documents() -> list[dict]:
    return [document for document in yaml.safe_load_all((K8S / "rbac.yaml").read_text()) if document]


def _of_kind(kind: str) -> list[dict]:
    return [document for document in _documents() if document["kind"] == kind]


def _grants(role: dict) -> set[tuple[str, str, str]]:
    return {
        (group, resource, verb)
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }


def _bound_namespaces() -> set[str]:
    return {binding["metadata"]["namespace"] for binding in _of_kind("RoleBinding")}


def test_it_defines_the_tenantmgmt_service_account_in_the_tenantmgmt_namespace():
    [account] = _of_kind("ServiceAccount")
    assert (account["metadata"]["name"], account["metadata"]["namespace"]) == ("tenantmgmt", "tenantmgmt")


def test_the_role_grants_exactly_get_list_watch_on_deployments_and_get_patch_on_their_scale():
    roles = _of_kind("ClusterRole") + _of_kind("Role")
    assert len(roles) == 1
    assert _grants(roles[0]) == EXPECTED_GRANTS
    assert all(set(rule) == {"apiGroups", "resources", "verbs"} for rule in roles[0]["rules"])  # no nonResourceURLs


def test_it_grants_only_inside_tenant_namespaces_through_role_bindings():
    [role] = _of_kind("ClusterRole")
    assert not _of_kind("ClusterRoleBinding")
    bindings = _of_kind("RoleBinding")
    assert bindings
    for binding in bindings:
        assert binding["metadata"]["namespace"] not in {"tenantmgmt", "kube-system", "default"}
        assert binding["roleRef"] == {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": role["metadata"]["name"],
        }
        assert binding["subjects"] == [SERVICE_ACCOUNT]


def test_a_kustomization_that_applies_it_keeps_the_role_bindings_in_their_namespaces():
    kustomization_file = K8S / "kustomization.yaml"
    if not kustomization_file.exists():
        pytest.skip("no k8s/kustomization.yaml yet")
    kustomization = yaml.safe_load(kustomization_file.read_text())
    if "rbac.yaml" not in kustomization.get("resources", []):
        pytest.skip("the kustomization does not apply rbac.yaml")
    # A top-level `namespace:` makes kustomize move every RoleBinding into that namespace.
    assert "namespace" not in kustomization, "kustomize would move the tenant RoleBindings out of tenant namespaces"


@pytest.mark.django_db
def test_everything_the_backend_does_is_allowed_by_the_manifest_and_nothing_more_is_asked(
    kubernetes_cluster, make_tenant
):
    [role] = _of_kind("ClusterRole")
    granted = _grants(role)
    [namespace] = _bound_namespaces()
    kubernetes_cluster.rbac = {(verb, resource, namespace) for _, resource, verb in granted}
    kubernetes_cluster.add(namespace, "shop", replicas=0)

    tenant = make_tenant("shop", namespace=namespace, deployment_name="shop")
    tenant = tenant_start(tenant=tenant, actor="alice", source="api").tenant
    kubernetes_cluster.set(namespace, "shop", ready=1)
    reconcile_tenants()
    tenant = tenant_scale(tenant=tenant, replicas=3, actor="alice", source="api").tenant
    tenant_stop(tenant=tenant, actor="alice", source="api")
    reconcile_tenants()

    used = {("apps", request.resource, request.verb) for request in kubernetes_cluster.requests}
    assert used == {
        ("apps", "deployments", "get"),
        ("apps", "deployments", "list"),
        ("apps", "deployments/scale", "patch"),
    }
    assert used <= granted


@pytest.mark.django_db
def test_a_namespace_without_a_role_binding_is_refused_naming_the_permission(kubernetes_cluster, make_tenant):
    [role] = _of_kind("ClusterRole")
    kubernetes_cluster.rbac = {
        (verb, resource, ns) for _, resource, verb in _grants(role) for ns in _bound_namespaces()
    }
    kubernetes_cluster.add("unbound", "shop", replicas=0)
    with pytest.raises(ClusterForbidden, match=r"get 'deployments' .* in namespace 'unbound'"):
        make_tenant("shop", namespace="unbound", deployment_name="shop")
