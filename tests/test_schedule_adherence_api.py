"""A month of a nightly schedule, one night of which a person overrode: every figure, from the API."""

from datetime import UTC, datetime

import pytest
import time_machine

from tenants.schedules.services import schedule_create
from tests.api_clients import token_client
from tests.histories import tenant_with_changes

pytestmark = pytest.mark.django_db

MARCH_SECONDS = 31 * 86_400


def at(day: int, hour: int = 0, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def nightly_history() -> list[tuple[datetime, str, int, str]]:
    """Started by the schedule at 08:00 (up a minute later), stopped by it at 20:00, every day;
    on the 10th a person started it again at 22:00 (up at 22:02), so the 11th's 08:00 start found it running."""
    changes = [(at(25, 8, month=2), "scaling", 1, "schedule"), (at(25, 8, 1, month=2), "running", 1, "reconciler")]
    changes += [(at(28, 20, month=2), "stopped", 0, "schedule")]
    for day in range(1, 32):
        if day != 11:
            changes += [(at(day, 8), "scaling", 1, "schedule"), (at(day, 8, 1), "running", 1, "reconciler")]
        changes.append((at(day, 20), "stopped", 0, "schedule"))
        if day == 10:
            changes += [(at(10, 22), "scaling", 1, "ui"), (at(10, 22, 2), "running", 1, "reconciler")]
    return changes


@pytest.fixture
def nightly(db):
    tenant = tenant_with_changes("office", at(20, month=2), nightly_history())
    with time_machine.travel(at(20, month=2)):
        schedule_create(tenant=tenant, action="start", cron="0 8 * * *", actor="alice")
        schedule_create(tenant=tenant, action="stop", cron="0 20 * * *", actor="alice")
    return tenant


def test_a_month_with_a_scheduled_stop_overridden_by_a_manual_start_gives_every_figure(viewer, nightly):
    with time_machine.travel(at(2, month=4), tick=False):
        body = token_client(viewer).get(f"/api/tenants/{nightly.pk}/metrics/monthly", {"year": 2026, "month": 3}).json()

    # Planned: the nights from the schedule's 20:00 stop to the next start; the 10th's only until 22:00.
    planned_hours = 8 + 29 * 12 + 2 + 4
    unplanned = 30 * 60 + 120  # the 30 scheduled wakes of a minute, and the manual start's two minutes
    assert body["planned_downtime_seconds"] == planned_hours * 3_600
    assert body["unplanned_downtime_seconds"] == unplanned
    assert body["uptime_seconds"] == MARCH_SECONDS - planned_hours * 3_600 - unplanned
    assert body["availability_percentage"] == round(
        100 * (MARCH_SECONDS - planned_hours * 3_600 - unplanned) / (MARCH_SECONDS - planned_hours * 3_600), 2
    )
    # Out of schedule: each wake's minute (not on the 11th) and the night of the 10th from 22:00 to 08:00.
    off_schedule = 30 * 60 + 10 * 3_600
    assert body["schedule_adherence_percentage"] == round(100 * (MARCH_SECONDS - off_schedule) / MARCH_SECONDS, 2)
    assert body["schedule_adherence_percentage"] == 98.59
    assert (body["wake_count"], body["wake_delay_p50_seconds"], body["wake_delay_max_seconds"]) == (30, 60, 60)
    assert (body["wake_delay_p50_formatted"], body["wake_delay_max_formatted"]) == ("1m", "1m")
    # One replica wanted all month; it ran while up or waking.
    assert body["replica_hours"] == round((MARCH_SECONDS - planned_hours * 3_600) / 3_600, 2)
    assert body["baseline_replica_hours"] == 744


def test_a_schedule_created_mid_month_intends_nothing_before_it_existed(viewer):
    tenant = tenant_with_changes("late", at(20, month=2), [(at(25, month=2), "running", 1, "api")])
    with time_machine.travel(at(16)):
        schedule_create(tenant=tenant, action="stop", cron="0 20 * * *", actor="alice")

    with time_machine.travel(at(2, month=4), tick=False):
        body = token_client(viewer).get(f"/api/tenants/{tenant.pk}/metrics/monthly", {"year": 2026, "month": 3}).json()

    # Intended stopped from the 16th 20:00 on; it kept running: adherence 0 over that time.
    assert body["schedule_adherence_percentage"] == 0.0
    assert body["wake_count"] == 0


def test_tenants_without_schedules_have_no_adherence(viewer):
    tenant = tenant_with_changes("plain", at(20, month=2), [])

    with time_machine.travel(at(2, month=4), tick=False):
        body = token_client(viewer).get(f"/api/tenants/{tenant.pk}/metrics/monthly", {"year": 2026, "month": 3}).json()

    assert body["schedule_adherence_percentage"] is None
    assert (body["wake_count"], body["wake_delay_p50_seconds"], body["wake_delay_max_seconds"]) == (0, None, None)


def test_a_disabled_schedule_intends_nothing(viewer, nightly):
    nightly.schedules.update(enabled=False)

    with time_machine.travel(at(2, month=4), tick=False):
        body = token_client(viewer).get(f"/api/tenants/{nightly.pk}/metrics/monthly", {"year": 2026, "month": 3}).json()

    assert body["schedule_adherence_percentage"] is None
    assert body["planned_downtime_seconds"] > 0  # planned downtime comes from the history, not the schedules
