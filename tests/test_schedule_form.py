"""The schedule add/edit form the web UI and the admin share: the model's validation, saved by the services."""

from datetime import UTC, datetime

import pytest
import time_machine

from tenants.schedules.forms import ScheduleForm
from tenants.schedules.models import TenantSchedule

pytestmark = pytest.mark.django_db

VALID = {"action": "stop", "cron": "0 20 * * 1-5", "timezone": "Europe/Berlin", "enabled": "on"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cron": "0 8 * *"}, "cron"),
        ({"cron": "0 24 * * *"}, "cron"),
        ({"cron": "0 0 30 2 *"}, "cron"),
        ({"timezone": "Berlin"}, "timezone"),
        ({"timezone": "europe/berlin"}, "timezone"),
        ({"action": "scale"}, "replicas"),
        ({"action": "scale", "replicas": "-2"}, "replicas"),
        ({"action": "explode"}, "action"),
    ],
)
def test_it_shows_an_error_on_the_bad_field(make_tenant, changes, field):
    form = ScheduleForm(data={**VALID, **changes}, tenant=make_tenant())
    assert not form.is_valid()
    assert list(form.errors) == [field]


def test_replicas_are_required_only_for_scale_and_dropped_for_other_actions(make_tenant):
    tenant = make_tenant()
    assert ScheduleForm(data={**VALID, "action": "scale", "replicas": "2"}, tenant=tenant).is_valid()
    form = ScheduleForm(data={**VALID, "replicas": "2"}, tenant=tenant)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["replicas"] is None


def test_saving_creates_the_schedule_through_the_service_with_the_actor(make_tenant):
    tenant = make_tenant()
    with time_machine.travel(datetime(2026, 2, 2, 9, 0, tzinfo=UTC), tick=False):
        form = ScheduleForm(data=VALID, tenant=tenant)
        assert form.is_valid(), form.errors
        schedule = form.save(actor="alice")
    assert (schedule.tenant_id, schedule.created_by, schedule.action) == (tenant.pk, "alice", "stop")
    assert schedule.next_run_at == datetime(2026, 2, 2, 19, 0, tzinfo=UTC)


def test_editing_changes_the_schedule_and_recomputes_the_next_run(make_tenant):
    tenant = make_tenant()
    with time_machine.travel(datetime(2026, 2, 2, 9, 0, tzinfo=UTC), tick=False):
        schedule = ScheduleForm(data=VALID, tenant=tenant)
        assert schedule.is_valid()
        created = schedule.save(actor="alice")
        form = ScheduleForm(data={**VALID, "action": "scale", "replicas": "3", "cron": "0 7 * * *"}, instance=created)
        assert form.is_valid(), form.errors
        edited = form.save(actor="bob")
    fresh = TenantSchedule.objects.get(pk=created.pk)
    assert (fresh.action, fresh.replicas, fresh.cron, fresh.updated_by, fresh.created_by) == (
        "scale",
        3,
        "0 7 * * *",
        "bob",
        "alice",
    )
    assert edited.next_run_at == fresh.next_run_at == datetime(2026, 2, 3, 6, 0, tzinfo=UTC)


def test_saving_needs_the_actor(make_tenant):
    form = ScheduleForm(data=VALID, tenant=make_tenant())
    assert form.is_valid()
    with pytest.raises(ValueError, match="actor"):
        form.save()
