"""Planned vs unplanned downtime and availability (README "Beyond uptime"), on hand-made histories."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from metrics.computation import Transition
from metrics.usage import usage_in_window
from tests.api_clients import token_client
from tests.histories import tenant_with_changes

pytestmark = pytest.mark.django_db

MARCH = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
MARCH_SECONDS = 31 * 86_400
AFTER_MARCH = datetime(2026, 4, 2, tzinfo=UTC)


def at(day: int, hour: int = 0, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _usage(transitions, *, created_at=datetime(2025, 1, 1, tzinfo=UTC), desired_replicas=1):
    return usage_in_window(
        transitions, *MARCH, created_at=created_at, now=AFTER_MARCH, desired_replicas=desired_replicas
    )


def test_a_scheduled_stop_followed_by_a_manual_start_is_planned_only_until_the_start():
    history = [
        Transition(at(1, month=2), None, "running", 1, new_replicas=1, source="api"),
        Transition(at(10, 20), "running", "stopped", 2, new_replicas=0, previous_replicas=1, source="schedule"),
        Transition(at(10, 22), "stopped", "scaling", 3, new_replicas=1, previous_replicas=0, source="ui"),
        Transition(at(10, 22, 5), "scaling", "running", 4, new_replicas=1, previous_replicas=1, source="reconciler"),
    ]

    usage = _usage(history)

    assert usage.planned_downtime == timedelta(hours=2)
    assert usage.unplanned_downtime == timedelta(minutes=5)  # the manual start's scaling
    assert usage.uptime == timedelta(seconds=MARCH_SECONDS) - timedelta(hours=2, minutes=5)


def test_downtime_from_a_person_the_cluster_or_before_tracking_began_is_unplanned():
    history = [
        # Tracking began on the 5th; before it the tenant was stopped, by nobody knows whom.
        Transition(at(5), "stopped", "running", 1, new_replicas=1, previous_replicas=0, source="import"),
        Transition(at(10), "running", "stopped", 2, new_replicas=0, previous_replicas=1, source="api"),
        Transition(at(11), "stopped", "running", 3, new_replicas=1, previous_replicas=0, source="schedule"),
        Transition(at(20), "running", "unknown", 4, new_replicas=1, previous_replicas=1, source="reconciler"),
        Transition(at(21), "unknown", "running", 5, new_replicas=1, previous_replicas=1, source="reconciler"),
    ]

    usage = _usage(history)

    assert usage.planned_downtime == timedelta(0)
    assert usage.unplanned_downtime == timedelta(days=4 + 1 + 1)
    assert usage.availability_percentage == round((31 - 6) / 31 * 100, 2)


def test_a_planned_stretch_that_began_last_month_is_planned_from_the_first_instant_of_this_one():
    history = [
        Transition(
            at(28, 20, month=2), "running", "stopped", 7, new_replicas=0, previous_replicas=1, source="schedule"
        ),
        Transition(at(1, 8), "stopped", "running", 8, new_replicas=1, previous_replicas=0, source="schedule"),
    ]

    usage = _usage(history)

    assert usage.planned_downtime == timedelta(hours=8)
    assert usage.unplanned_downtime == timedelta(0)
    assert usage.availability_percentage == 100.0


def test_availability_is_null_when_the_whole_window_was_planned_downtime():
    history = [Transition(at(1, month=2), "running", "stopped", 1, new_replicas=0, source="schedule")]

    usage = _usage(history)

    assert usage.planned_downtime == timedelta(days=31)
    assert usage.availability_percentage is None


def test_the_monthly_endpoint_reports_planned_unplanned_and_availability(viewer):
    tenant = tenant_with_changes(
        "shop",
        at(20, month=2),
        [
            (at(25, month=2), "running", 2, "api"),
            (at(10, 20), "stopped", 0, "schedule"),  # the schedule stops it for the night...
            (at(10, 22), "scaling", 2, "ui"),  # ...and a person starts it two hours later
            (at(10, 22, 5), "running", 2, "reconciler"),
            (at(20, 12), "stopped", 0, "api"),  # a person stops it for a day
            (at(21, 12), "scaling", 2, "schedule"),
            (at(21, 12, 1), "running", 2, "reconciler"),
        ],
        desired_replicas=2,
    )

    with time_machine.travel(AFTER_MARCH, tick=False):
        body = token_client(viewer).get(f"/api/tenants/{tenant.pk}/metrics/monthly", {"year": 2026, "month": 3}).json()

    unplanned = 5 * 60 + 86_400 + 60
    assert body["planned_downtime_seconds"] == 7_200
    assert body["unplanned_downtime_seconds"] == unplanned
    assert body["planned_downtime_formatted"] == "2h 0m"
    assert body["unplanned_downtime_formatted"] == "1d 0h"
    assert body["uptime_seconds"] == MARCH_SECONDS - 7_200 - unplanned
    assert body["downtime_seconds"] == 7_200 + 86_400  # the SPEC's figure is unchanged: all stopped time
    assert body["availability_percentage"] == 96.75  # 2,584,440 / (2,678,400 - 7,200)
