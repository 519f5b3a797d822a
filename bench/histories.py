"""Synthetic state histories for the benchmark: valid chains, as the services would have written them.

Pure: no database. Each tenant's records start with the registration record (``previous_state``
null) and each later record's ``previous_state``/``previous_replicas`` are the ``new_*`` of the one
before, so they satisfy the SPEC's chain and the table's CHECK constraints.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from tenants.states import Source, State

DESIRED_REPLICAS = 2


@dataclass(frozen=True)
class HistoryRow:
    tenant_id: int
    previous_state: str | None
    new_state: str
    previous_replicas: int | None
    new_replicas: int
    changed_at: datetime
    changed_by: str
    reason: str
    source: str


# What can follow each state, with weights: mostly office-hours start/stop cycles, sometimes a
# lost deployment or a rescale. (next state, replicas rule, actor, source, reason)
_NEXT = {
    State.RUNNING: [
        (50, State.STOPPED, "zero", "scheduler", Source.SCHEDULE, "Nightly stop"),
        (6, State.RUNNING, "rescale", "bob", Source.API, "Traffic peak"),
        (3, State.SCALING, "same", "cluster", Source.RECONCILER, "0 of N replicas ready"),
        (2, State.UNKNOWN, "same", "cluster", Source.RECONCILER, "Deployment not found in the cluster"),
    ],
    State.STOPPED: [
        (50, State.SCALING, "desired", "scheduler", Source.SCHEDULE, "Morning start"),
        (1, State.UNKNOWN, "zero", "cluster", Source.RECONCILER, "Deployment not found in the cluster"),
    ],
    State.SCALING: [
        (50, State.RUNNING, "same", "cluster", Source.RECONCILER, "Replicas ready"),
        (3, State.STOPPED, "zero", "alice", Source.UI, "Maintenance window"),
    ],
    State.UNKNOWN: [
        (5, State.RUNNING, "desired", "cluster", Source.RECONCILER, "Deployment is back"),
        (1, State.STOPPED, "zero", "cluster", Source.RECONCILER, "Deployment is back, scaled to zero"),
    ],
}


def tenant_history(
    rng: random.Random, *, tenant_id: int, start: datetime, end: datetime, count: int
) -> list[HistoryRow]:
    """``count`` records for one tenant, the first at ``start``, the rest at random instants before ``end``.

    Returned in chain order (``changed_at`` ascending; equal instants keep their order).
    """
    if count < 1:
        raise ValueError("a tenant has at least one record")
    span = (end - start).total_seconds()
    offsets = sorted(rng.uniform(0, span) for _ in range(count - 1))
    rows = [
        HistoryRow(tenant_id, None, State.RUNNING, None, DESIRED_REPLICAS, start, "admin", "Registered", Source.IMPORT)
    ]
    state, replicas = State.RUNNING, DESIRED_REPLICAS
    for offset in offsets:
        choices = _NEXT[state]
        _weight, new_state, rule, actor, source, reason = rng.choices(choices, weights=[c[0] for c in choices])[0]
        new_replicas = _replicas_after(rng, rule, replicas)
        rows.append(
            HistoryRow(
                tenant_id,
                state,
                new_state,
                replicas,
                new_replicas,
                start + timedelta(seconds=offset),
                actor,
                reason,
                source,
            )
        )
        state, replicas = new_state, new_replicas
    return rows


def _replicas_after(rng: random.Random, rule: str, replicas: int) -> int:
    if rule == "zero":
        return 0
    if rule == "desired":
        return DESIRED_REPLICAS
    if rule == "rescale":  # never the same count: a same-state record must change the replicas
        return rng.choice([n for n in range(1, 7) if n != replicas])
    return replicas


def fleet_histories(
    *, tenant_ids: list[int], end: datetime, days: int, records_per_tenant: int, seed: int
) -> list[HistoryRow]:
    """Every tenant's history, spread over ``days`` before ``end``, in global time order.

    Global time order is how an append-only table fills up in production: one tenant's records
    are scattered across the table's pages, not stored next to each other.
    """
    rng = random.Random(seed)
    rows: list[HistoryRow] = []
    for tenant_id in tenant_ids:
        # Tenants were registered within the first week of the period.
        start = end - timedelta(days=days) + timedelta(seconds=rng.uniform(0, 7 * 86400))
        rows.extend(tenant_history(rng, tenant_id=tenant_id, start=start, end=end, count=records_per_tenant))
    # Stable sort: records of one tenant at the same instant keep their chain order.
    rows.sort(key=lambda row: row.changed_at)
    return rows
