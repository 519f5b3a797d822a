"""Helpers to write a tenant's history directly (tests only): a chain of records at given times."""

from __future__ import annotations

from datetime import datetime

from tenants.models import Tenant, TenantStateHistory


def tenant_with_history(
    name: str, created_at: datetime, steps: list[tuple[datetime, str, str | None]], *, replicas: int = 1
) -> Tenant:
    """A tenant created at ``created_at`` whose records are ``(changed_at, new_state, previous_state)``.

    Written with ``bulk_create`` as an import would be, bypassing the cluster: the chain is
    what ``steps`` says, so tests can describe histories from an older system.
    """
    tenant = Tenant.objects.create(
        name=name, namespace="tenants", deployment_name=name, created_at=created_at, desired_replicas=replicas
    )
    TenantStateHistory.objects.bulk_create(
        TenantStateHistory(
            tenant=tenant,
            previous_state=previous,
            new_state=new,
            previous_replicas=None if previous is None else (0 if previous == "stopped" else replicas),
            new_replicas=0 if new == "stopped" else replicas,
            changed_at=at,
            changed_by="importer",
            source="import",
        )
        for at, new, previous in steps
    )
    last_at, last_state, _ = steps[-1]
    Tenant.objects.filter(pk=tenant.pk).update(
        state=last_state, replicas=0 if last_state == "stopped" else replicas, state_since=last_at
    )
    tenant.refresh_from_db()
    return tenant
