"""A cluster kept in the application's own database, for demos and tests.

Every Deployment asked about exists (created stopped) unless it is marked ``deleted``. A scale
up from zero becomes ready ``SIMULATED_READY_SECONDS`` later, so ``scaling`` can be seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import SimulatedDeployment
from .base import DeploymentNotFound, DeploymentRef, DeploymentStatus


class SimulatedBackend:
    def get_status(self, ref: DeploymentRef) -> DeploymentStatus:
        deployment, _ = SimulatedDeployment.objects.get_or_create(namespace=ref.namespace, name=ref.name)
        if deployment.deleted:
            raise DeploymentNotFound(f"Deployment {ref} not found")
        return _status_of(deployment)

    def list_statuses(self, namespaces: Iterable[str]) -> dict[DeploymentRef, DeploymentStatus]:
        deployments = SimulatedDeployment.objects.filter(namespace__in=list(namespaces), deleted=False)
        return {status.ref: status for status in map(_status_of, deployments)}

    def scale(self, ref: DeploymentRef, replicas: int) -> DeploymentStatus:
        with transaction.atomic():
            deployment, _ = SimulatedDeployment.objects.select_for_update().get_or_create(
                namespace=ref.namespace, name=ref.name
            )
            if deployment.deleted:
                raise DeploymentNotFound(f"Deployment {ref} not found")
            if replicas == 0:
                deployment.ready_at = None
            elif deployment.replicas == 0:
                deployment.ready_at = timezone.now() + timedelta(seconds=settings.SIMULATED_READY_SECONDS)
            deployment.replicas = replicas
            deployment.save(update_fields=["replicas", "ready_at", "updated_at"])
        return _status_of(deployment)


def _status_of(deployment: SimulatedDeployment) -> DeploymentStatus:
    ready = deployment.replicas > 0 and deployment.ready_at is not None and deployment.ready_at <= timezone.now()
    return DeploymentStatus(
        ref=DeploymentRef(deployment.namespace, deployment.name),
        spec_replicas=deployment.replicas,
        ready_replicas=deployment.replicas if ready else 0,
    )
