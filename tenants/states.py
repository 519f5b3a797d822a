"""The four tenant states and how a deployment's replica counts map onto them (SPEC section 1)."""

from __future__ import annotations

from django.db import models


class State(models.TextChoices):
    RUNNING = "running", "Running"
    STOPPED = "stopped", "Stopped"
    SCALING = "scaling", "Scaling"
    UNKNOWN = "unknown", "Unknown"


class Source(models.TextChoices):
    API = "api", "API"
    UI = "ui", "Web UI"
    ADMIN = "admin", "Admin"
    SCHEDULE = "schedule", "Schedule"
    RECONCILER = "reconciler", "Reconciler"
    IMPORT = "import", "Import"


def state_for_replicas(spec_replicas: int | None, ready_replicas: int | None) -> State:
    """The state of a deployment with these replica counts; ``None`` spec means it is missing."""
    if spec_replicas is None:
        return State.UNKNOWN
    if spec_replicas == 0:
        return State.STOPPED
    if (ready_replicas or 0) >= 1:
        return State.RUNNING
    return State.SCALING


def state_after_scale(current_state: str, current_replicas: int, new_replicas: int) -> State:
    """The state recorded when we scale a deployment ourselves (SPEC transition rules).

    0 -> N is ``scaling`` until the reconciler sees a ready replica; N -> M with both at least 1
    keeps a running tenant ``running``; N -> 0 is ``stopped``.
    """
    if new_replicas == 0:
        return State.STOPPED
    if current_state == State.RUNNING and current_replicas >= 1:
        return State.RUNNING
    return State.SCALING
