"""The cluster a tenant's Deployment lives in, behind one interface (SPEC section 6)."""

from .base import (
    ClusterBackend,
    ClusterError,
    ClusterForbidden,
    ClusterUnavailable,
    DeploymentNotFound,
    DeploymentRef,
    DeploymentStatus,
)
from .registry import get_backend, reset_backend, use_backend

__all__ = [
    "ClusterBackend",
    "ClusterError",
    "ClusterForbidden",
    "ClusterUnavailable",
    "DeploymentNotFound",
    "DeploymentRef",
    "DeploymentStatus",
    "get_backend",
    "reset_backend",
    "use_backend",
]
