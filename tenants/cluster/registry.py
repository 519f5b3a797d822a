"""Picks the backend named by the CLUSTER_BACKEND setting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from django.conf import settings

from .base import ClusterBackend


@cache
def _backend_for(name: str) -> ClusterBackend:
    if name == "simulated":
        from .simulated import SimulatedBackend

        return SimulatedBackend()
    if name == "kubernetes":
        from .kubernetes import KubernetesBackend

        return KubernetesBackend.from_settings()
    raise ValueError(f"Unknown cluster backend {name!r}")


_override: ClusterBackend | None = None


def get_backend() -> ClusterBackend:
    if _override is not None:
        return _override
    return _backend_for(settings.CLUSTER_BACKEND)


@contextmanager
def use_backend(backend: ClusterBackend) -> Iterator[ClusterBackend]:
    """Use this backend instead of the configured one while the block runs (tests)."""
    global _override
    previous, _override = _override, backend
    try:
        yield backend
    finally:
        _override = previous


def reset_backend() -> None:
    """Forget the configured backend (tests that change settings call this)."""
    _backend_for.cache_clear()
