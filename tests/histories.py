"""Hand-made histories written through the services (tests only): register, then append records."""

from __future__ import annotations

from datetime import datetime

from tenants.models import Tenant
from tenants.services import tenant_append_history, tenant_register
from tenants.states import Source

ACTORS = {Source.SCHEDULE: "scheduler", Source.RECONCILER: "cluster"}


def tenant_with_changes(
    name: str,
    registered_at: datetime,
    changes: list[tuple[datetime, str, int, str]],
    *,
    desired_replicas: int = 1,
) -> Tenant:
    """A tenant registered (``stopped``, 0 replicas, simulated cluster) at ``registered_at``, then
    changed as ``changes`` say: ``(changed_at, new_state, new_replicas, source)`` in time order."""
    tenant = tenant_register(
        name=name,
        namespace="tenants",
        deployment_name=name,
        desired_replicas=desired_replicas,
        actor="alice",
        source=Source.API,
        registered_at=registered_at,
    )
    for changed_at, state, replicas, source in changes:
        change = tenant_append_history(
            tenant=tenant,
            new_state=state,
            new_replicas=replicas,
            changed_at=changed_at,
            actor=ACTORS.get(source, "alice"),
            source=source,
            reason=f"test: {state}",
        )
        assert change.changed, f"{changed_at}: {state}/{replicas} changes nothing"
        tenant = change.tenant
    return tenant
