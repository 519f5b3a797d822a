"""The benchmark's synthetic histories are histories the application could have written."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest

from bench.histories import fleet_histories
from tenants.models import Tenant, TenantStateHistory
from tests.chain import assert_unbroken_chain

END = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.mark.django_db
def test_generated_histories_are_unbroken_chains_that_pass_the_database_constraints():
    tenants = Tenant.objects.bulk_create(
        Tenant(name=f"bench-{n}", namespace="bench", deployment_name=f"app-{n}") for n in range(5)
    )
    rows = fleet_histories(tenant_ids=[t.pk for t in tenants], end=END, days=30, records_per_tenant=200, seed=1)
    TenantStateHistory.objects.bulk_create(TenantStateHistory(**asdict(row)) for row in rows)  # CHECKs apply here
    for tenant in tenants:
        last = TenantStateHistory.objects.filter(tenant=tenant).order_by("changed_at", "id").last()
        Tenant.objects.filter(pk=tenant.pk).update(state=last.new_state, replicas=last.new_replicas)

        records = assert_unbroken_chain(tenant)

        assert len(records) == 200
        assert END - timedelta(days=30) <= records[0].changed_at and records[-1].changed_at < END


def test_generated_histories_are_in_global_time_order_and_reproducible():
    rows = fleet_histories(tenant_ids=[1, 2, 3], end=END, days=10, records_per_tenant=50, seed=7)

    assert [row.changed_at for row in rows] == sorted(row.changed_at for row in rows)
    assert {row.tenant_id for row in rows[:20]} == {1, 2, 3}  # interleaved, as an append-only table fills
    assert rows == fleet_histories(tenant_ids=[1, 2, 3], end=END, days=10, records_per_tenant=50, seed=7)
    assert rows != fleet_histories(tenant_ids=[1, 2, 3], end=END, days=10, records_per_tenant=50, seed=8)


def test_every_state_appears_in_a_long_history():
    rows = fleet_histories(tenant_ids=[1], end=END, days=730, records_per_tenant=1000, seed=3)

    assert {row.new_state for row in rows} == {"running", "stopped", "scaling", "unknown"}
