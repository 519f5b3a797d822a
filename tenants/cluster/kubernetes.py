"""The production backend: a real cluster through the official ``kubernetes`` client.

Every call carries an explicit ``_request_timeout`` and goes through one bounded retry loop
(client-go's ``OnError`` algorithm, shipped by the client as ``kubernetes.utils.retry``): 429,
5xx and transport errors (refused, reset, timed out) are retried with exponential backoff; the
scale PATCH also retries 409. urllib3's own retries are switched off so that loop is the only
one and the number of attempts is exactly ``KUBERNETES_MAX_RETRIES + 1``.

Scaling is a JSON merge PATCH of ``spec.replicas`` on the Deployment's ``scale``
subresource. It carries no ``resourceVersion``, so it cannot lose an update or fail on a stale
read the way a read-modify-replace would, and repeating it is harmless (it is idempotent).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable
from typing import TypeVar

import urllib3
from django.conf import settings
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException
from kubernetes.utils.retry import Backoff, on_error

from .base import (
    ClusterError,
    ClusterForbidden,
    ClusterUnavailable,
    DeploymentNotFound,
    DeploymentRef,
    DeploymentStatus,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

FIELD_MANAGER = "tenantmgmt"
_TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
# The API server defaults spec.replicas to 1 when a manifest leaves it out.
_DEFAULT_SPEC_REPLICAS = 1


def load_client_configuration(*, kubeconfig: str | None, context: str | None) -> client.Configuration:
    """The client configuration: ``KUBECONFIG`` (+ context) when given, else in-cluster, else ~/.kube/config.

    An explicit kubeconfig wins over the pod's service account so an operator can point a
    process anywhere; without one, a process in a pod uses its service account.
    """
    configuration = client.Configuration()
    try:
        if not kubeconfig and os.environ.get("KUBERNETES_SERVICE_HOST"):
            config.load_incluster_config(client_configuration=configuration)
        else:
            # Passed explicitly: the client reads KUBECONFIG only once, when it is imported.
            config.load_kube_config(config_file=kubeconfig or None, context=context, client_configuration=configuration)
    except (ConfigException, OSError) as exc:
        raise ClusterUnavailable(f"Kubernetes client configuration could not be loaded: {exc}") from exc
    configuration.retries = False  # our retry loop is the only one (see the module docstring)
    return configuration


class KubernetesBackend:
    """Reads and scales Deployments (group ``apps``) of a real cluster."""

    def __init__(
        self,
        api_client: client.ApiClient,
        *,
        timeout_seconds: float,
        max_retries: int,
        backoff_seconds: float,
        label_selector: str = "",
    ) -> None:
        self.apps = client.AppsV1Api(api_client)
        self.timeout_seconds = timeout_seconds
        self.max_retries = max_retries
        self.label_selector = label_selector
        # Delays double from backoff_seconds (with 10% jitter); no cap, since a cap ends client-go's loop early.
        self.backoff = Backoff(steps=max_retries + 1, duration=backoff_seconds, factor=2.0, jitter=0.1)

    @classmethod
    def from_settings(cls) -> KubernetesBackend:
        """The backend for ``CLUSTER_BACKEND=kubernetes``; raises ClusterUnavailable when no configuration loads."""
        configuration = load_client_configuration(
            kubeconfig=os.environ.get("KUBECONFIG"), context=settings.KUBERNETES_CONTEXT
        )
        return cls(
            client.ApiClient(configuration),
            timeout_seconds=settings.KUBERNETES_TIMEOUT_SECONDS,
            max_retries=settings.KUBERNETES_MAX_RETRIES,
            backoff_seconds=settings.KUBERNETES_BACKOFF_SECONDS,
            label_selector=settings.KUBERNETES_LABEL_SELECTOR,
        )

    def get_status(self, ref: DeploymentRef) -> DeploymentStatus:
        deployment = self._call(
            lambda: self.apps.read_namespaced_deployment(
                ref.name, ref.namespace, _request_timeout=self.timeout_seconds
            ),
            verb="get",
            resource="deployments",
            namespace=ref.namespace,
            ref=ref,
        )
        return _status_of(deployment)

    def list_statuses(self, namespaces: Iterable[str]) -> dict[DeploymentRef, DeploymentStatus]:
        statuses: dict[DeploymentRef, DeploymentStatus] = {}
        for namespace in sorted(set(namespaces)):
            deployments = self._call(
                lambda namespace=namespace: self.apps.list_namespaced_deployment(
                    namespace, label_selector=self.label_selector or None, _request_timeout=self.timeout_seconds
                ),
                verb="list",
                resource="deployments",
                namespace=namespace,
            )
            statuses.update((status.ref, status) for status in map(_status_of, deployments.items))
        return statuses

    def scale(self, ref: DeploymentRef, replicas: int) -> DeploymentStatus:
        scale = self._call(
            lambda: self.apps.patch_namespaced_deployment_scale(
                ref.name,
                ref.namespace,
                {"spec": {"replicas": replicas}},
                field_manager=FIELD_MANAGER,
                _content_type="application/merge-patch+json",  # what `kubectl scale` sends
                _request_timeout=self.timeout_seconds,
            ),
            verb="patch",
            resource="deployments/scale",
            namespace=ref.namespace,
            ref=ref,
            retry_conflicts=True,
        )
        spec_replicas = scale.spec.replicas if scale.spec and scale.spec.replicas is not None else replicas
        # The Scale subresource counts pods, not ready ones; the reconciler's list tells readiness.
        existing = min((scale.status.replicas if scale.status else 0) or 0, spec_replicas)
        return DeploymentStatus(ref=ref, spec_replicas=spec_replicas, ready_replicas=existing)

    def _call(
        self,
        request: Callable[[], T],
        *,
        verb: str,
        resource: str,
        namespace: str,
        ref: DeploymentRef | None = None,
        retry_conflicts: bool = False,
    ) -> T:
        """Run one API request with bounded retries, and turn its failure into a ClusterError."""
        what = f"{verb} {resource} in namespace {namespace!r}" + (f" ({ref})" if ref else "")
        attempts = 0

        def attempt() -> T:
            nonlocal attempts
            attempts += 1
            try:
                return request()
            except (ApiException, urllib3.exceptions.HTTPError) as exc:
                if _is_transient(exc, retry_conflicts) and attempts <= self.max_retries:
                    logger.warning("Kubernetes %s failed (attempt %d, retrying): %s", what, attempts, _brief(exc))
                raise

        try:
            return on_error(self.backoff, lambda exc: _is_transient(exc, retry_conflicts), attempt)
        except (ApiException, urllib3.exceptions.HTTPError, ValueError) as exc:
            if isinstance(exc, ApiException):
                error = _cluster_error(
                    exc, verb=verb, resource=resource, namespace=namespace, ref=ref, attempts=attempts
                )
            elif isinstance(exc, ValueError):  # an answer the client could not read as a Deployment/Scale
                error = ClusterError(f"The Kubernetes API gave an unreadable answer to {what}: {exc}")
            else:
                error = ClusterUnavailable(
                    f"The Kubernetes API did not answer to {what} after {attempts} attempt(s): {_brief(exc)}"
                )
            # A missing Deployment is an answer (the tenant becomes unknown), not a fault of ours.
            level = logging.INFO if isinstance(error, DeploymentNotFound) else logging.ERROR
            logger.log(level, "Kubernetes %s failed: %s", what, error)
            raise error from exc


def _is_transient(exc: BaseException, retry_conflicts: bool) -> bool:
    if isinstance(exc, urllib3.exceptions.HTTPError):
        return True  # refused, reset, timed out: the request may not have arrived
    if isinstance(exc, ApiException):
        return exc.status in _TRANSIENT_STATUSES or (retry_conflicts and exc.status == 409)
    return False


def _cluster_error(
    exc: ApiException, *, verb: str, resource: str, namespace: str, ref: DeploymentRef | None, attempts: int
) -> ClusterError:
    said = _api_message(exc)
    if exc.status == 404 and ref is not None:
        return DeploymentNotFound(f"Deployment {ref} not found")
    if exc.status == 403:
        return ClusterForbidden(
            f"Forbidden: the service account lacks the RBAC permission to {verb} {resource!r} (API group 'apps') "
            f"in namespace {namespace!r}; grant it with k8s/rbac.yaml (a RoleBinding in that namespace). "
            f"The API server said: {said}"
        )
    if exc.status == 401:
        return ClusterForbidden(f"Unauthorized: the Kubernetes API rejected our credentials. {said}")
    if exc.status in _TRANSIENT_STATUSES or exc.status == 0:
        return ClusterUnavailable(
            f"The Kubernetes API answered {exc.status} to {verb} {resource} in namespace {namespace!r} "
            f"after {attempts} attempt(s): {said}"
        )
    if exc.status == 409:
        return ClusterError(f"Conflict on {verb} {resource} ({ref}) after {attempts} attempt(s): {said}")
    return ClusterError(f"The Kubernetes API answered {exc.status} to {verb} {resource} in {namespace!r}: {said}")


def _api_message(exc: ApiException) -> str:
    """The ``message`` of the API server's Status body, or the HTTP reason when there is none."""
    try:
        body = json.loads(exc.body or "")
    except (TypeError, ValueError):
        body = None
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])
    return f"{exc.status} {exc.reason}".strip()


def _brief(exc: BaseException) -> str:
    if isinstance(exc, ApiException):
        return f"{exc.status} {_api_message(exc)}"
    return f"{type(exc).__name__}: {exc}"


def _status_of(deployment: client.V1Deployment) -> DeploymentStatus:
    spec_replicas = deployment.spec.replicas if deployment.spec and deployment.spec.replicas is not None else None
    ready = deployment.status.ready_replicas if deployment.status else None
    return DeploymentStatus(
        ref=DeploymentRef(deployment.metadata.namespace, deployment.metadata.name),
        spec_replicas=_DEFAULT_SPEC_REPLICAS if spec_replicas is None else spec_replicas,
        ready_replicas=ready or 0,
    )
