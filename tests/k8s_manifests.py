"""Reading the k8s/ manifests in tests: every document of every file, and the pod specs inside them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "k8s"
KUSTOMIZATION = K8S / "kustomization.yaml"
SECRET_TEMPLATE = K8S / "secret.template.yaml"
# Written by the Kubernetes-backend issue; listed in the kustomization before it lands.
PROVIDED_ELSEWHERE = {"rbac.yaml"}


def manifest_files() -> list[Path]:
    """Every Kubernetes manifest in k8s/ (whatever exists now), the kustomization excepted."""
    return sorted(path for path in K8S.glob("*.yaml") if path != KUSTOMIZATION)


def documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def all_documents() -> list[dict]:
    return [doc for path in manifest_files() for doc in documents(path)]


def kustomization() -> dict:
    return yaml.safe_load(KUSTOMIZATION.read_text())


def resource(kind: str, name: str) -> dict:
    matches = [doc for doc in all_documents() if doc["kind"] == kind and doc["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)}"
    return matches[0]


def pod_spec(doc: dict) -> dict | None:
    """The pod spec of a Deployment, Job or CronJob; None for other kinds."""
    if doc["kind"] in {"Deployment", "Job"}:
        return doc["spec"]["template"]["spec"]
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return None


def workloads() -> list[dict]:
    return [doc for doc in all_documents() if pod_spec(doc) is not None]


def containers(doc: dict) -> Iterator[dict]:
    spec = pod_spec(doc) or {}
    yield from spec.get("initContainers", [])
    yield from spec.get("containers", [])
