"""The k8s/ manifests validate offline against the Kubernetes schemas and deploy the app safely."""

from __future__ import annotations

import shutil
import subprocess

import kubernetes_validate
import pytest
import yaml

from .k8s_manifests import (
    K8S,
    KUSTOMIZATION,
    PROVIDED_ELSEWHERE,
    SECRET_TEMPLATE,
    containers,
    documents,
    kustomization,
    manifest_files,
    pod_spec,
    resource,
    workloads,
)

KUBERNETES_VERSION = "1.37.0"


@pytest.mark.parametrize("path", manifest_files(), ids=lambda path: path.name)
def test_every_manifest_validates_strictly_against_the_kubernetes_schemas(path):
    docs = documents(path)
    assert docs, f"{path.name} holds no document"
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_strict_validation_rejects_a_misspelt_field():
    web = resource("Deployment", "tenantmgmt-web")
    web["spec"]["replica"] = web["spec"].pop("replicas")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(web, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_lists_every_manifest_except_the_secret_template():
    listed = set(kustomization()["resources"])
    on_disk = {path.name for path in manifest_files()}
    assert listed - on_disk <= PROVIDED_ELSEWHERE
    assert on_disk - listed == {SECRET_TEMPLATE.name}


def test_the_application_lives_in_the_tenantmgmt_namespace():
    own = [doc for path in manifest_files() if path.name not in PROVIDED_ELSEWHERE for doc in documents(path)]
    assert resource("Namespace", "tenantmgmt")
    namespaced = [doc for doc in own if doc["kind"] != "Namespace"]
    assert {doc["metadata"].get("namespace") for doc in namespaced} == {"tenantmgmt"}
    # No namespace override: it would move the RBAC grants out of the tenants' namespaces.
    assert "namespace" not in kustomization()


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="needs kubectl (its built-in kustomize) on PATH")
def test_the_kustomization_renders_one_image_everywhere_and_validates(tmp_path):
    # Render a copy without the manifests still to come from another issue, so this runs before they land.
    build = tmp_path / "k8s"
    shutil.copytree(K8S, build)
    config = kustomization()
    config["resources"] = [name for name in config["resources"] if (K8S / name).exists()]
    (build / KUSTOMIZATION.name).write_text(yaml.safe_dump(config))

    result = subprocess.run(["kubectl", "kustomize", str(build)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr

    rendered = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    image = config["images"][0]
    expected = f"{image['newName']}:{image['newTag']}"
    images = {container["image"] for doc in rendered for container in containers(doc)}
    assert images == {expected}
    for doc in rendered:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    assert "Secret" not in {doc["kind"] for doc in rendered}


def test_every_container_runs_the_one_application_image():
    assert {container["image"] for doc in workloads() for container in containers(doc)} == {"tenantmgmt"}
    assert [image["name"] for image in kustomization()["images"]] == ["tenantmgmt"]


def test_web_runs_two_replicas_probed_on_readyz_and_healthz():
    web = resource("Deployment", "tenantmgmt-web")
    assert web["spec"]["replicas"] == 2
    (container,) = pod_spec(web)["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_the_probes_host_header_is_an_allowed_host():
    allowed = resource("ConfigMap", "tenantmgmt-config")["data"]["ALLOWED_HOSTS"].split(",")
    (container,) = pod_spec(resource("Deployment", "tenantmgmt-web"))["containers"]
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        headers = {h["name"]: h["value"] for h in container[probe]["httpGet"]["httpHeaders"]}
        assert headers["Host"] in allowed, probe


def test_beat_runs_exactly_one_replica_and_never_two_during_a_rollout():
    beat = resource("Deployment", "tenantmgmt-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}


@pytest.mark.parametrize("doc", workloads(), ids=lambda doc: doc["metadata"]["name"])
def test_every_pod_runs_as_non_root_on_a_read_only_root_filesystem(doc):
    spec = pod_spec(doc)
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] != 0
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    empty_dirs = {volume["name"] for volume in spec["volumes"] if "emptyDir" in volume}
    for container in containers(doc):
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"]["drop"] == ["ALL"]
        writable = {mount["mountPath"] for mount in container["volumeMounts"] if mount["name"] in empty_dirs}
        assert "/tmp" in writable, container["name"]


@pytest.mark.parametrize("doc", workloads(), ids=lambda doc: doc["metadata"]["name"])
def test_every_container_has_resource_requests_and_limits(doc):
    for container in containers(doc):
        assert {"cpu", "memory"} <= set(container["resources"]["requests"]), container["name"]
        assert {"cpu", "memory"} <= set(container["resources"]["limits"]), container["name"]


def test_var_dir_lies_on_the_writable_tmp_volume():
    assert resource("ConfigMap", "tenantmgmt-config")["data"]["VAR_DIR"].startswith("/tmp/")


def test_secrets_are_read_from_the_mounted_secret_files():
    data = resource("ConfigMap", "tenantmgmt-config")["data"]
    secret_keys = set(resource("Secret", "tenantmgmt-secrets")["stringData"])
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        assert name not in data
        assert data[f"{name}_FILE"] == f"/run/secrets/tenantmgmt/{name}"
        assert name in secret_keys
    for doc in workloads():
        spec = pod_spec(doc)
        secret_volumes = {v["name"] for v in spec["volumes"] if v.get("secret", {}).get("secretName")}
        for container in containers(doc):
            mounts = {m["mountPath"] for m in container["volumeMounts"] if m["name"] in secret_volumes}
            assert mounts == {"/run/secrets/tenantmgmt"}, container["name"]


def test_the_secret_template_holds_placeholders_only():
    values = resource("Secret", "tenantmgmt-secrets")["stringData"].values()
    assert all(value.startswith("<REPLACE") for value in values)
    assert "data" not in resource("Secret", "tenantmgmt-secrets")


def test_the_migration_job_runs_migrate_before_the_new_pods_start():
    job = resource("Job", "tenantmgmt-migrate")
    assert pod_spec(job)["containers"][0]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    for name in ("tenantmgmt-web", "tenantmgmt-worker", "tenantmgmt-beat"):
        (init,) = pod_spec(resource("Deployment", name))["initContainers"]
        assert "manage.py migrate --check" in init["command"][-1], name


def test_the_pod_disruption_budget_and_the_service_select_the_web_pods():
    web_labels = resource("Deployment", "tenantmgmt-web")["spec"]["template"]["metadata"]["labels"]
    selectors = [
        resource("PodDisruptionBudget", "tenantmgmt-web")["spec"]["selector"]["matchLabels"],
        resource("Service", "tenantmgmt-web")["spec"]["selector"],
    ]
    for selector in selectors:
        assert selector.items() <= web_labels.items()
    worker_labels = resource("Deployment", "tenantmgmt-worker")["spec"]["template"]["metadata"]["labels"]
    assert not selectors[1].items() <= worker_labels.items()
    assert resource("PodDisruptionBudget", "tenantmgmt-web")["spec"]["minAvailable"] == 1


def test_the_ingress_sends_its_host_to_the_web_service_over_tls():
    ingress = resource("Ingress", "tenantmgmt-web")
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] in ingress["spec"]["tls"][0]["hosts"]
    backend = rule["http"]["paths"][0]["backend"]["service"]
    service = resource("Service", backend["name"])
    assert backend["port"]["name"] in {port["name"] for port in service["spec"]["ports"]}
    allowed = resource("ConfigMap", "tenantmgmt-config")["data"]["ALLOWED_HOSTS"].split(",")
    assert rule["host"] in allowed
