"""Replica-hours run vs an always-on baseline at desired_replicas, and the money saved."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from metrics.computation import Transition
from metrics.usage import usage_in_window
from tests.api_clients import token_client
from tests.histories import tenant_with_changes

pytestmark = pytest.mark.django_db

MARCH = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
AFTER_MARCH = datetime(2026, 4, 2, tzinfo=UTC)


def at(day: int, hour: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def test_replicas_count_while_running_or_scaling_and_not_while_stopped_or_unknown():
    history = [
        Transition(at(1, month=2), None, "running", 1, new_replicas=1),
        Transition(at(11), "running", "running", 2, new_replicas=3, previous_replicas=1),  # rescaled 1 -> 3
        Transition(at(16), "running", "stopped", 3, new_replicas=0, previous_replicas=3, source="schedule"),
        Transition(at(21), "stopped", "scaling", 4, new_replicas=3, previous_replicas=0),
        Transition(at(21, 12), "scaling", "running", 5, new_replicas=3, previous_replicas=3),
        Transition(at(26), "running", "unknown", 6, new_replicas=3, previous_replicas=3),
    ]

    usage = usage_in_window(history, *MARCH, created_at=at(1, month=1), now=AFTER_MARCH, desired_replicas=3)

    # 10 days x 1 + 5 days x 3 + 5 days x 3 (scaling half a day included); stopped and unknown count nothing.
    assert usage.replica_hours == Decimal(24 * (10 * 1 + 5 * 3 + 5 * 3))
    assert usage.baseline_replica_hours == Decimal(31 * 24 * 3)
    assert usage.replica_hours_saved == Decimal(31 * 24 * 3 - 24 * 40)
    assert usage.cost_saved(Decimal("0.05")) == Decimal("63.60")  # (2,232 - 960) h x 0.05
    assert usage.cost_saved(None) is None


def test_a_tenant_that_ran_above_its_desired_replicas_saved_a_negative_amount():
    history = [Transition(at(1, month=2), None, "running", 1, new_replicas=4)]

    usage = usage_in_window(history, *MARCH, created_at=at(1, month=1), now=AFTER_MARCH, desired_replicas=2)

    assert usage.replica_hours_saved == Decimal(-31 * 24 * 2)


def test_the_window_is_clipped_to_now_for_the_baseline_too():
    history = [Transition(at(1, month=2), None, "stopped", 1, new_replicas=0)]

    usage = usage_in_window(history, *MARCH, created_at=at(1, month=1), now=at(11), desired_replicas=2)

    assert usage.replica_hours == 0
    assert usage.baseline_replica_hours == Decimal(10 * 24 * 2)


def test_the_monthly_endpoint_reports_replica_hours_and_the_money_saved(viewer, settings):
    settings.COST_PER_REPLICA_HOUR = Decimal("0.5")
    tenant = tenant_with_changes(
        "batch",
        at(20, month=2),
        [
            (at(25, month=2), "running", 2, "api"),
            (at(10, 20), "stopped", 0, "schedule"),
            (at(11, 20), "scaling", 2, "schedule"),
            (at(11, 21), "running", 2, "reconciler"),
        ],
        desired_replicas=2,
    )

    with time_machine.travel(AFTER_MARCH, tick=False):
        body = token_client(viewer).get(f"/api/tenants/{tenant.pk}/metrics/monthly", {"year": 2026, "month": 3}).json()

    assert body["replica_hours"] == 2 * (31 * 24 - 24)
    assert body["baseline_replica_hours"] == 2 * 31 * 24
    assert body["replica_hours_saved"] == 48
    assert body["cost_saved"] == 24


def test_without_a_price_the_money_saved_is_null(viewer, settings):
    settings.COST_PER_REPLICA_HOUR = None
    tenant = tenant_with_changes("idle", at(20, month=2), [])

    with time_machine.travel(AFTER_MARCH, tick=False):
        body = token_client(viewer).get(f"/api/tenants/{tenant.pk}/metrics/monthly", {"year": 2026, "month": 3}).json()

    assert body["cost_saved"] is None
    assert body["replica_hours"] == 0
    assert body["baseline_replica_hours"] == 31 * 24
