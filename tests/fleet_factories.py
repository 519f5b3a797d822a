"""A fleet of tenants with random, valid histories (the benchmark's generator), written in bulk."""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import datetime, timedelta

from bench.histories import tenant_history
from tenants.models import Tenant, TenantStateHistory


def random_fleet(
    rng: random.Random, *, count: int, start: datetime, end: datetime, prefix: str = "fleet"
) -> list[Tenant]:
    """``count`` tenants registered between ``start`` and ``end``, each with 1-40 records before ``end``.

    About one in four was imported from an older system: created before its first record, which
    has a ``previous_state`` (the state before tracking began).
    """
    tenants = Tenant.objects.bulk_create(
        Tenant(name=f"{prefix}-{number:04d}", namespace="fleet", deployment_name=f"{prefix}-{number:04d}")
        for number in range(count)
    )
    records: list[TenantStateHistory] = []
    for tenant in tenants:
        first_at = start + timedelta(seconds=rng.uniform(0, (end - start).total_seconds() * 0.8))
        rows = tenant_history(rng, tenant_id=tenant.pk, start=first_at, end=end, count=rng.randint(1, 40))
        tenant.created_at = first_at
        if rng.random() < 0.25:
            tenant.created_at = first_at - timedelta(days=rng.uniform(1, 60))
            rows[0] = type(rows[0])(**(asdict(rows[0]) | {"previous_state": "stopped", "previous_replicas": 0}))
        records += [TenantStateHistory(**asdict(row)) for row in rows]
        last = rows[-1]
        tenant.state, tenant.replicas = last.new_state, last.new_replicas
        tenant.state_since = next(row.changed_at for row in reversed(rows) if row.previous_state != row.new_state)
    Tenant.objects.bulk_update(tenants, ["created_at", "state", "replicas", "state_since"])
    TenantStateHistory.objects.bulk_create(records)
    return tenants
