"""The schedule services: every write validates the schedule and recomputes its next run from now."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tenants.schedules.models import TenantSchedule
from tenants.schedules.services import (
    schedule_create,
    schedule_delete,
    schedule_disable,
    schedule_enable,
    schedule_next_runs,
    schedule_update,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_creating_stores_a_normalised_cron_and_the_next_run(make_tenant):
    schedule = schedule_create(tenant=make_tenant(), action="stop", cron="  0  20 * *   1-5 ", actor="alice")
    assert (schedule.cron, schedule.timezone, schedule.next_run_at) == ("0 20 * * 1-5", "UTC", NOW.replace(hour=20))
    assert schedule.description == "At 20:00, Monday through Friday"


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"cron": "0 8 * * * *"}, "cron"),
        ({"timezone_name": "Nowhere/Special"}, "timezone"),
        ({"action": "scale"}, "replicas"),
        ({"action": "stop", "replicas": 2}, "replicas"),
        ({"action": "scale", "replicas": 1001}, "replicas"),
    ],
)
def test_creating_an_invalid_schedule_raises_naming_the_field(make_tenant, fields, bad):
    arguments = {"action": "start", "cron": "0 8 * * *", "timezone_name": "UTC"} | fields
    with pytest.raises(ValidationError) as error:
        schedule_create(tenant=make_tenant(), actor="alice", **arguments)
    assert bad in error.value.message_dict
    assert not TenantSchedule.objects.exists()


def test_disabling_clears_the_next_run_and_enabling_does_not_replay_missed_runs(make_tenant):
    schedule = schedule_create(tenant=make_tenant(), action="stop", cron="0 20 * * *", actor="alice")
    disabled = schedule_disable(schedule=schedule, actor="bob")
    assert (disabled.enabled, disabled.next_run_at, disabled.updated_by) == (False, None, "bob")
    assert schedule_next_runs(disabled, 5) == []
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        enabled = schedule_enable(schedule=disabled, actor="carol")
    assert enabled.next_run_at == datetime(2026, 2, 5, 20, 0, tzinfo=UTC)


def test_updating_rejects_fields_that_cannot_change(make_tenant):
    schedule = schedule_create(tenant=make_tenant(), action="stop", cron="0 20 * * *", actor="alice")
    with pytest.raises(ValidationError) as error:
        schedule_update(schedule=schedule, actor="bob", tenant_id=99, next_run_at=NOW)
    assert set(error.value.message_dict) == {"tenant_id", "next_run_at"}


def test_next_runs_are_in_the_schedules_time_zone(make_tenant):
    schedule = schedule_create(
        tenant=make_tenant(), action="start", cron="0 7 * * *", timezone_name="Australia/Sydney", actor="alice"
    )
    runs = schedule_next_runs(schedule, 2)
    assert [run.isoformat() for run in runs] == ["2026-02-03T07:00:00+11:00", "2026-02-04T07:00:00+11:00"]


def test_deleting_removes_the_schedule(make_tenant):
    schedule = schedule_create(tenant=make_tenant(), action="stop", cron="0 20 * * *", actor="alice")
    schedule_delete(schedule=schedule, actor="bob")
    assert not TenantSchedule.objects.exists()
