"""Admin: schedules are editable and show their next 5 runs in their time zone; executions are read-only."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from tenants.schedules.models import ScheduleExecution, TenantSchedule
from tenants.schedules.services import schedule_create

from .schedules import dispatch_and_run

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # Saturday, the day before the spring change in Berlin


@pytest.fixture(autouse=True)
def _frozen(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast user fixtures
    # Admin pages link static files; the manifest storage (DEBUG off) needs collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def admin_client_(superuser) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


def _form(tenant, **changes):
    return {
        "tenant": tenant.pk,
        "action": "start",
        "cron": "30 2 * * *",
        "timezone": "Europe/Berlin",
        "enabled": "on",
    } | changes


def test_adding_a_schedule_in_admin_saves_it_as_the_user(admin_client_, make_tenant):
    tenant = make_tenant()
    response = admin_client_.post("/admin/tenants/tenantschedule/add/", _form(tenant))
    assert response.status_code == 302, response.content.decode()[:2000]
    schedule = TenantSchedule.objects.get()
    assert (schedule.tenant_id, schedule.created_by, schedule.next_run_at) == (
        tenant.pk,
        "root",
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # 02:30 does not exist that night: 03:00 CEST
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cron": "61 * * * *"}, "is not a valid cron expression"),
        ({"timezone": "Europe/Atlantis"}, "is not an IANA time zone"),
    ],
)
def test_an_invalid_cron_or_time_zone_is_a_form_error_in_admin(admin_client_, make_tenant, changes, message):
    response = admin_client_.post("/admin/tenants/tenantschedule/add/", _form(make_tenant(), **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["adminform"].form.errors
    assert not TenantSchedule.objects.exists()


def test_the_change_page_shows_the_next_five_runs_in_the_schedules_time_zone(admin_client_, make_tenant):
    schedule = schedule_create(
        tenant=make_tenant(), action="stop", cron="30 2 * * *", timezone_name="Europe/Berlin", actor="a"
    )
    page = admin_client_.get(f"/admin/tenants/tenantschedule/{schedule.pk}/change/").content.decode()
    assert "Sun 2026-03-29 03:00 CEST (UTC+0200)" in page
    for day in ("Mon 2026-03-30", "Tue 2026-03-31", "Wed 2026-04-01", "Thu 2026-04-02"):
        assert f"{day} 02:30 CEST (UTC+0200)" in page
    assert "Fri 2026-04-03" not in page
    assert "At 02:30" in page


def test_editing_in_admin_goes_through_the_service(admin_client_, make_tenant):
    tenant = make_tenant()
    schedule = schedule_create(
        tenant=tenant, action="stop", cron="30 2 * * *", timezone_name="Europe/Berlin", actor="a"
    )
    response = admin_client_.post(
        f"/admin/tenants/tenantschedule/{schedule.pk}/change/", _form(tenant, cron="0 22 * * *", enabled="")
    )
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.cron, schedule.enabled, schedule.next_run_at, schedule.updated_by) == (
        "0 22 * * *",
        False,
        None,
        "root",
    )


def test_the_schedule_list_shows_the_next_run_in_the_schedules_time_zone(admin_client_, make_tenant):
    schedule_create(
        tenant=make_tenant(), action="stop", cron="0 20 * * 1-5", timezone_name="America/New_York", actor="a"
    )
    page = admin_client_.get("/admin/tenants/tenantschedule/").content.decode()
    assert "Mon 2026-03-30 20:00 EDT (UTC-0400)" in page


def test_executions_are_read_only_in_admin(admin_client_, make_tenant):
    schedule_create(tenant=make_tenant(), action="start", cron="0 * * * *", actor="a")
    with time_machine.travel(datetime(2026, 3, 28, 13, 0, tzinfo=UTC), tick=False):
        dispatch_and_run()
    execution = ScheduleExecution.objects.get()
    assert admin_client_.get("/admin/tenants/scheduleexecution/").status_code == 200
    assert admin_client_.get("/admin/tenants/scheduleexecution/add/").status_code == 403
    detail = admin_client_.get(f"/admin/tenants/scheduleexecution/{execution.pk}/change/")
    assert detail.status_code == 200
    assert "View schedule execution" in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()
    response = admin_client_.post(f"/admin/tenants/scheduleexecution/{execution.pk}/change/", {"status": "failed"})
    assert response.status_code == 403
    assert (
        admin_client_.post(f"/admin/tenants/scheduleexecution/{execution.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    execution.refresh_from_db()
    assert execution.status == "succeeded"
