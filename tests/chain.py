"""Assertions about a tenant's history chain (SPEC section 1)."""

from __future__ import annotations

from itertools import pairwise

from tenants.models import Tenant, TenantStateHistory


def assert_unbroken_chain(tenant: Tenant) -> list[TenantStateHistory]:
    """Records ordered by (changed_at, id) start with previous_state null and link up one by one."""
    records = list(TenantStateHistory.objects.filter(tenant=tenant).order_by("changed_at", "id"))
    assert records, "a tenant always has at least one record"
    assert records[0].previous_state is None
    for before, after in pairwise(records):
        assert after.previous_state == before.new_state, f"chain broken between {before.id} and {after.id}"
        assert after.previous_replicas == before.new_replicas, (
            f"replicas chain broken between {before.id} and {after.id}"
        )
        assert after.previous_state is not None
    tenant.refresh_from_db()
    assert (tenant.state, tenant.replicas) == (records[-1].new_state, records[-1].new_replicas)
    return records
