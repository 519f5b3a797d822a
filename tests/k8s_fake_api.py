"""A small HTTP server that speaks the Kubernetes API wire format for apps/v1 Deployments.

The tests point the real ``kubernetes`` client at it through a kubeconfig file, so the client's
configuration loading, serialization, timeouts and error handling all run. It serves:

    GET   /apis/apps/v1/namespaces/{ns}/deployments            (list; labelSelector k=v[,k=v])
    GET   /apis/apps/v1/namespaces/{ns}/deployments/{name}     (get)
    GET   /apis/apps/v1/namespaces/{ns}/deployments/{name}/scale
    PATCH /apis/apps/v1/namespaces/{ns}/deployments/{name}/scale  (merge / strategic-merge patch)

It records every request, checks the bearer token, can enforce an RBAC grant (a set of
``(verb, resource, namespace)``; anything else is a 403 shaped like the API server's), and can
inject faults: the next N matching requests answer a status, or hang.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

TOKEN = "test-token-for-the-fake-api"
_PATH = re.compile(
    r"^/apis/apps/v1/namespaces/(?P<namespace>[^/]+)/deployments(?:/(?P<name>[^/]+)(?P<scale>/scale)?)?$"
)
_PATCH_TYPES = ("application/merge-patch+json", "application/strategic-merge-patch+json")


@dataclass
class FakeDeployment:
    namespace: str
    name: str
    replicas: int
    ready: int
    labels: dict[str, str] = field(default_factory=dict)
    resource_version: int = 1
    generation: int = 1


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    verb: str  # the RBAC verb this request needs: get, list, watch, patch
    resource: str  # deployments or deployments/scale
    namespace: str
    content_type: str | None
    timeout_seconds: str | None  # the client's ?timeoutSeconds, when it sent one
    authorization: str | None
    body: bytes


@dataclass
class _Fault:
    count: int
    status: int | None  # None: hang
    verb: str | None
    resource: str | None
    hang_seconds: float = 0.0


class FakeKubernetesAPI:
    def __init__(self) -> None:
        self.deployments: dict[tuple[str, str], FakeDeployment] = {}
        self.requests: list[Request] = []
        self.rbac: set[tuple[str, str, str]] | None = None  # None: everything allowed
        # When set, list calls wait here until that many clients are listing at once.
        self.list_barrier: threading.Barrier | None = None
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # --- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeKubernetesAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # let hanging handlers finish
        self._server.shutdown()
        self._server.server_close()

    def write_kubeconfig(self, directory: Path, *, current_context: str = "fake") -> Path:
        """A kubeconfig with context ``fake`` (this server, bearer token) and ``elsewhere`` (nothing listens)."""
        path = directory / "kubeconfig"
        kubeconfig = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {"name": "fake-cluster", "cluster": {"server": self.url}},
                {"name": "nowhere", "cluster": {"server": "http://127.0.0.1:9"}},
            ],
            "users": [{"name": "tenantmgmt", "user": {"token": TOKEN}}],
            "contexts": [
                {"name": "fake", "context": {"cluster": "fake-cluster", "user": "tenantmgmt"}},
                {"name": "elsewhere", "context": {"cluster": "nowhere", "user": "tenantmgmt"}},
            ],
            "current-context": current_context,
        }
        path.write_text(json.dumps(kubeconfig))  # JSON is YAML
        return path

    # --- the cluster's contents --------------------------------------------------------------
    def add(self, namespace: str, name: str, *, replicas: int = 0, ready: int | None = None, **labels: str) -> None:
        with self._lock:
            self.deployments[namespace, name] = FakeDeployment(
                namespace, name, replicas, replicas if ready is None else ready, dict(labels)
            )

    def set(self, namespace: str, name: str, *, replicas: int | None = None, ready: int | None = None) -> None:
        """Change a Deployment as someone else would (``kubectl scale``) or as its pods become ready."""
        with self._lock:
            deployment = self.deployments[namespace, name]
            if replicas is not None:
                deployment.replicas = replicas
                deployment.ready = min(deployment.ready, replicas)
                deployment.generation += 1
            if ready is not None:
                deployment.ready = ready
            deployment.resource_version += 1

    def remove(self, namespace: str, name: str) -> None:
        with self._lock:
            del self.deployments[namespace, name]

    def get(self, namespace: str, name: str) -> FakeDeployment:
        return self.deployments[namespace, name]

    # --- faults and counting -----------------------------------------------------------------
    def fail_next(self, status: int, *, count: int = 1, verb: str | None = None, resource: str | None = None) -> None:
        self._faults.append(_Fault(count, status, verb, resource))

    def hang_next(self, seconds: float, *, count: int = 1, verb: str | None = None) -> None:
        self._faults.append(_Fault(count, None, verb, None, hang_seconds=seconds))

    def count(self, verb: str | None = None, resource: str | None = None) -> int:
        return sum(
            1
            for request in self.requests
            if (verb is None or request.verb == verb) and (resource is None or request.resource == resource)
        )

    def _take_fault(self, verb: str, resource: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.count > 0 and fault.verb in (None, verb) and fault.resource in (None, resource):
                    fault.count -= 1
                    return fault
        return None

    # --- the wire format ---------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers, body: bytes) -> tuple[int, dict, dict[str, str]]:
        url = urlsplit(raw_path)
        query = parse_qs(url.query, keep_blank_values=True)
        match = _PATH.match(url.path)
        if not match:
            return 404, _status(404, "NotFound", f"the server could not find the requested resource ({url.path})"), {}
        namespace, name, is_scale = match["namespace"], match["name"], bool(match["scale"])
        resource = "deployments/scale" if is_scale else "deployments"
        if method == "PATCH":
            verb = "patch"
        elif name is None:
            verb = "watch" if query.get("watch") == ["true"] else "list"
        else:
            verb = "get"
        request = Request(
            method=method,
            path=url.path,
            query=query,
            verb=verb,
            resource=resource,
            namespace=namespace,
            content_type=headers.get("Content-Type"),
            timeout_seconds=(query.get("timeoutSeconds") or [None])[0],
            authorization=headers.get("Authorization"),
            body=body,
        )
        with self._lock:
            self.requests.append(request)

        if request.authorization != f"Bearer {TOKEN}":
            return 401, _status(401, "Unauthorized", "Unauthorized"), {}
        if self.rbac is not None and (verb, resource, namespace) not in self.rbac:
            target = f'deployments.apps "{name}"' if name else "deployments.apps"
            message = (
                f'{target} is forbidden: User "system:serviceaccount:tenantmgmt:tenantmgmt" cannot {verb} '
                f'resource "{resource}" in API group "apps" in the namespace "{namespace}"'
            )
            return 403, _status(403, "Forbidden", message), {}
        fault = self._take_fault(verb, resource)
        if fault is not None:
            if fault.status is None:
                self._release.wait(fault.hang_seconds)
            else:
                reasons = {404: "NotFound", 409: "Conflict", 429: "TooManyRequests", 500: "InternalError"}
                reason = reasons.get(fault.status, "ServiceUnavailable")
                extra = {"Retry-After": "1"} if fault.status == 429 else {}
                return fault.status, _status(fault.status, reason, f"injected {fault.status}"), extra

        if name is None and self.list_barrier is not None:
            self.list_barrier.wait(timeout=10)
        with self._lock:
            if name is None:
                selector = _parse_selector((query.get("labelSelector") or [""])[0])
                items = [
                    _deployment_json(deployment)
                    for (ns, _), deployment in sorted(self.deployments.items())
                    if ns == namespace and selector.items() <= deployment.labels.items()
                ]
                return 200, _list_json(items), {}
            deployment = self.deployments.get((namespace, name))
            if deployment is None:
                return 404, _status(404, "NotFound", f'deployments.apps "{name}" not found'), {}
            if method == "PATCH":
                if request.content_type not in _PATCH_TYPES:
                    return 415, _status(415, "UnsupportedMediaType", f"{request.content_type} is not supported"), {}
                replicas = json.loads(body)["spec"]["replicas"]
                if replicas != deployment.replicas:
                    if replicas == 0 or deployment.replicas == 0:
                        deployment.ready = 0  # pods of a scale-up from zero are not ready yet
                    deployment.ready = min(deployment.ready, replicas)
                    deployment.replicas = replicas
                    deployment.generation += 1
                    deployment.resource_version += 1
            if is_scale:
                return 200, _scale_json(deployment), {}
            return 200, _deployment_json(deployment), {}


def _handler_for(api: FakeKubernetesAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms delayed-ACK stall

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, payload, extra_headers = api.handle(self.command, self.path, self.headers, body)
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra_headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and went away

        do_GET = do_PATCH = _serve

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def _parse_selector(selector: str) -> dict[str, str]:
    pairs = (part.split("=", 1) for part in selector.split(",") if part)
    return {key.strip(): value.strip() for key, value in pairs}


def _status(code: int, reason: str, message: str) -> dict:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


def _metadata(deployment: FakeDeployment) -> dict:
    return {
        "name": deployment.name,
        "namespace": deployment.namespace,
        "uid": f"uid-{deployment.namespace}-{deployment.name}",
        "resourceVersion": str(deployment.resource_version),
        "generation": deployment.generation,
        "creationTimestamp": "2026-01-01T00:00:00Z",
        "labels": {"app": deployment.name, **deployment.labels},
    }


def _deployment_json(deployment: FakeDeployment) -> dict:
    status: dict = {"observedGeneration": deployment.generation}
    if deployment.replicas:
        # The API server leaves zero counts out of status, as the real one does.
        status.update(replicas=deployment.replicas, updatedReplicas=deployment.replicas)
    if deployment.ready:
        status.update(readyReplicas=deployment.ready, availableReplicas=deployment.ready)
    return {
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": _metadata(deployment),
        "spec": {
            "replicas": deployment.replicas,
            "selector": {"matchLabels": {"app": deployment.name}},
            "template": {
                "metadata": {"labels": {"app": deployment.name}},
                "spec": {"containers": [{"name": "app", "image": "registry.invalid/tenant-app:1"}]},
            },
            "strategy": {"type": "RollingUpdate"},
        },
        "status": status,
    }


def _list_json(items: list[dict]) -> dict:
    return {"kind": "DeploymentList", "apiVersion": "apps/v1", "metadata": {"resourceVersion": "1000"}, "items": items}


def _scale_json(deployment: FakeDeployment) -> dict:
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": _metadata(deployment),
        "spec": {"replicas": deployment.replicas},
        "status": {"replicas": deployment.ready, "selector": f"app={deployment.name}"},
    }
