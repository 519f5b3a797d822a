"""The interface every cluster backend implements, and the errors it may raise."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from ..states import State, state_for_replicas


@dataclass(frozen=True)
class DeploymentRef:
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class DeploymentStatus:
    """What the cluster says of one Deployment: its spec replicas and how many are ready."""

    ref: DeploymentRef
    spec_replicas: int
    ready_replicas: int

    @property
    def state(self) -> State:
        return state_for_replicas(self.spec_replicas, self.ready_replicas)


class ClusterError(Exception):
    """The cluster could not do what was asked; nothing was recorded. The message says why."""


class ClusterUnavailable(ClusterError):
    """The cluster API could not be reached or did not answer in time."""


class ClusterForbidden(ClusterError):
    """The cluster refused: our service account lacks an RBAC permission (named in the message)."""


class DeploymentNotFound(ClusterError):
    """The Deployment does not exist in the cluster."""


class ClusterBackend(Protocol):
    def get_status(self, ref: DeploymentRef) -> DeploymentStatus:
        """The Deployment's status. Raises DeploymentNotFound when it is gone, ClusterError otherwise."""
        ...

    def list_statuses(self, namespaces: Iterable[str]) -> dict[DeploymentRef, DeploymentStatus]:
        """Every Deployment in these namespaces, with one list call per namespace at most.

        A Deployment missing from the answer does not exist. Raises ClusterError when any
        namespace cannot be read, so that no partial picture is taken for the truth.
        """
        ...

    def scale(self, ref: DeploymentRef, replicas: int) -> DeploymentStatus:
        """Set the Deployment's spec replicas and return its status after the change."""
        ...
