"""The tenant page's Schedules tab: list, add, enable, disable, delete; viewers read, operators change."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenants.cluster import ClusterUnavailable, use_backend
from tenants.reconciler import reconcile_tenants
from tenants.schedules.models import ScheduleExecution, TenantSchedule
from tenants.schedules.services import schedule_create, schedule_disable
from tenants.services import tenant_start

from .schedules import dispatch_and_run

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
MONDAY_MORNING = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
EVENING_BERLIN = timedelta(hours=10)  # from MONDAY_MORNING to 20:00 in Berlin
WEEKDAYS_AT_20 = {"action": "stop", "cron": "0 20 * * 1-5", "timezone": "Europe/Berlin", "enabled": "on"}


@pytest.fixture
def tenant(make_tenant, ready_at_once):
    return make_tenant("acme", desired_replicas=2)


@pytest.fixture(autouse=True)
def _monday_morning():
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        yield traveller


def _stop_weekdays_at_20(tenant, **fields) -> TenantSchedule:
    return schedule_create(
        tenant=tenant,
        action=fields.pop("action", "stop"),
        cron=fields.pop("cron", "0 20 * * 1-5"),
        timezone_name=fields.pop("timezone_name", "Europe/Berlin"),
        actor="alice",
        **fields,
    )


def _tab(client, tenant, **kwargs) -> str:
    response = client.get(f"/tenants/{tenant.pk}/schedules/", **kwargs)
    assert response.status_code == 200
    return response.content.decode()


def _schedule_html(html: str, schedule: TenantSchedule) -> str:
    # The schedule's own </li> starts a line; the next runs' items close on theirs.
    match = re.search(rf'<li class="schedule[^"]*" id="schedule-{schedule.pk}".*?\n</li>', html, re.DOTALL)
    assert match, f"schedule {schedule.pk} is not listed"
    return match.group(0)


# --- Reading the tab ---------------------------------------------------------------------------


def test_it_lists_each_schedule_in_words_with_its_time_zone_and_next_three_runs_there(client, viewer, tenant):
    schedule = _stop_weekdays_at_20(tenant)
    client.force_login(viewer)

    html = _schedule_html(_tab(client, tenant), schedule)

    assert "At 20:00, Monday through Friday" in html
    assert "<code>0 20 * * 1-5</code>" in html and "Europe/Berlin" in html
    assert "Enabled" in html
    next_runs_list = html.split('class="next-runs"')[1].split("</ol>")[0]
    next_runs = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', next_runs_list)
    assert next_runs == [
        ("2026-02-02T20:00:00+01:00", "Mon 2 Feb 2026, 20:00 CET"),
        ("2026-02-03T20:00:00+01:00", "Tue 3 Feb 2026, 20:00 CET"),
        ("2026-02-04T20:00:00+01:00", "Wed 4 Feb 2026, 20:00 CET"),
    ]


def test_next_runs_are_shown_in_each_schedules_own_time_zone(client, viewer, tenant):
    new_york = _stop_weekdays_at_20(tenant, action="start", cron="0 8 * * *", timezone_name="America/New_York")
    client.force_login(viewer)

    html = _schedule_html(_tab(client, tenant), new_york)

    assert "Start" in html and "America/New_York" in html and "At 08:00" in html
    # 09:00 UTC is 04:00 in New York: today's 08:00 there is still to come.
    shown = re.findall(r"<li><time[^>]*>([^<]+)</time></li>", html)
    assert shown == ["Mon 2 Feb 2026, 08:00 EST", "Tue 3 Feb 2026, 08:00 EST", "Wed 4 Feb 2026, 08:00 EST"]


def test_a_scale_schedule_shows_its_replicas(client, viewer, tenant):
    schedule = _stop_weekdays_at_20(tenant, action="scale", replicas=3)
    client.force_login(viewer)
    assert "Scale to 3" in _schedule_html(_tab(client, tenant), schedule)


def test_a_disabled_schedule_says_so_and_has_no_next_runs(client, viewer, tenant):
    schedule = schedule_disable(schedule=_stop_weekdays_at_20(tenant), actor="alice")
    client.force_login(viewer)

    html = _schedule_html(_tab(client, tenant), schedule)

    assert "Disabled" in html and "None while disabled." in html
    assert 'class="next-runs"' not in html


def test_a_tenant_without_schedules_says_so(client, viewer, tenant):
    client.force_login(viewer)
    assert "No schedules yet." in _tab(client, tenant)


class UnreachableCluster:
    def get_status(self, ref):
        raise ClusterUnavailable("connection refused")

    def list_statuses(self, namespaces):
        raise ClusterUnavailable("connection refused")

    def scale(self, ref, replicas):
        raise ClusterUnavailable("connection refused")


@pytest.fixture
def three_runs(tenant, _monday_morning):
    """Runs on Monday (cluster down: failed), Tuesday (stopped it: succeeded), Wednesday (already stopped: skipped)."""
    tenant_start(tenant=tenant, actor="alice", source="api")
    reconcile_tenants()
    schedule = _stop_weekdays_at_20(tenant)
    monday_evening = MONDAY_MORNING + EVENING_BERLIN
    _monday_morning.move_to(monday_evening)
    with use_backend(UnreachableCluster()):
        dispatch_and_run()
    for day in (1, 2):
        _monday_morning.move_to(monday_evening + timedelta(days=day))
        dispatch_and_run()
    return schedule


def test_it_shows_the_latest_runs_newest_first_with_outcome_error_and_a_link_to_the_history_record(
    client, viewer, tenant, three_runs
):
    client.force_login(viewer)

    html = _schedule_html(_tab(client, tenant), three_runs)

    executions = list(ScheduleExecution.objects.filter(schedule=three_runs).order_by("-scheduled_for"))
    assert [execution.status for execution in executions] == ["skipped", "succeeded", "failed"]
    rows = re.findall(r'<tr class="run run--(\w+)" data-execution-id="(\d+)">(.*?)</tr>', html, re.DOTALL)
    assert [(status, int(pk)) for status, pk, _ in rows] == [(e.status, e.pk) for e in executions]
    skipped, succeeded, failed = (cells for _, _, cells in rows)
    assert "Wed 4 Feb, 20:00 CET" in skipped and "Nothing to do: the tenant is already stopped." in skipped
    assert "Tue 3 Feb, 20:00 CET" in succeeded and "Succeeded" in succeeded
    assert f"History record #{executions[1].history_id}" in succeeded
    assert "Failed" in failed and "Cluster error: connection refused" in failed
    assert "History record" not in failed


def test_the_history_link_opens_the_history_at_the_record_the_run_wrote(client, viewer, tenant, three_runs):
    client.force_login(viewer)
    succeeded = ScheduleExecution.objects.get(schedule=three_runs, status="succeeded")
    tenant_start(tenant=tenant, actor="bob", source="api")  # a newer record, above it in the history
    html = _schedule_html(_tab(client, tenant), three_runs)
    href = re.search(r'<a href="([^"]+)">History record #' + str(succeeded.history_id), html).group(1)
    path, anchor = href.replace("&amp;", "&").split("#")

    history = client.get(path).content.decode()

    assert anchor == f"history-{succeeded.history_id}"
    first_row = re.search(r'<tr class="history-row" id="([^"]+)"', history).group(1)
    assert first_row == anchor
    assert "scheduler" in history.split(f'id="{anchor}"')[1].split("</tr>")[0]


def test_it_shows_only_the_five_latest_runs_of_a_schedule(client, viewer, tenant, _monday_morning):
    schedule = _stop_weekdays_at_20(tenant, cron="0 20 * * *")
    for day in range(7):
        _monday_morning.move_to(MONDAY_MORNING + EVENING_BERLIN + timedelta(days=day))
        dispatch_and_run()
    client.force_login(viewer)

    html = _schedule_html(_tab(client, tenant), schedule)

    shown = [int(pk) for pk in re.findall(r'data-execution-id="(\d+)"', html)]
    runs = list(ScheduleExecution.objects.filter(schedule=schedule).order_by("-scheduled_for"))
    assert len(runs) == 7
    assert shown == [execution.pk for execution in runs[:5]]


def test_the_number_of_queries_does_not_grow_with_schedules_or_runs(client, viewer, tenant, _monday_morning):
    client.force_login(viewer)
    _stop_weekdays_at_20(tenant)
    with CaptureQueriesContext(connection) as one:
        _tab(client, tenant)
    for cron in ("0 7 * * 1-5", "30 12 * * *", "0 22 * * 0"):
        _stop_weekdays_at_20(tenant, cron=cron)
    for day in range(3):
        _monday_morning.move_to(MONDAY_MORNING + EVENING_BERLIN + timedelta(days=day))
        dispatch_and_run()
    with CaptureQueriesContext(connection) as many:
        html = _tab(client, tenant)
    assert html.count('class="run run--') >= 3
    assert len(many) == len(one)


def test_an_htmx_request_gets_only_the_tab_and_any_other_the_whole_page(client, viewer, tenant):
    _stop_weekdays_at_20(tenant)
    client.force_login(viewer)

    partial = _tab(client, tenant, headers=HTMX)
    page = _tab(client, tenant)

    assert partial.lstrip().startswith('<section id="tab-panel"')
    assert "<html" not in partial and 'id="tab-nav" class="tabs" aria-label="Tenant sections" hx-swap-oob' in partial
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert 'aria-current="page">Schedules</a>' in page
    assert "At 20:00, Monday through Friday" in partial and "At 20:00, Monday through Friday" in page


# --- Who sees what -----------------------------------------------------------------------------


def test_viewers_see_schedules_but_neither_the_add_form_nor_the_buttons(client, viewer, tenant):
    schedule = _stop_weekdays_at_20(tenant)
    client.force_login(viewer)

    html = _tab(client, tenant)

    assert "At 20:00, Monday through Friday" in html
    assert "/schedules/add" not in html and "Add a schedule" not in html
    assert f"/schedules/{schedule.pk}/" not in html


def test_operators_see_the_add_form_and_the_buttons(client, operator, tenant):
    schedule = _stop_weekdays_at_20(tenant)
    client.force_login(operator)

    html = _tab(client, tenant)

    assert f'hx-post="/tenants/{tenant.pk}/schedules/add"' in html
    assert f'hx-post="/schedules/{schedule.pk}/disable"' in html
    assert f'hx-post="/schedules/{schedule.pk}/delete"' in html and "hx-confirm=" in html
    assert '<datalist id="timezone-names">' in html and '<option value="Europe/Berlin">' in html


def test_users_without_view_permission_get_403_and_anonymous_users_are_sent_to_log_in(client, stranger, tenant):
    assert client.get(f"/tenants/{tenant.pk}/schedules/")["Location"].startswith("/login/")
    client.force_login(stranger)
    assert client.get(f"/tenants/{tenant.pk}/schedules/").status_code == 403


@pytest.mark.parametrize("action", ["enable", "disable", "delete"])
def test_changing_a_schedule_without_the_operate_permission_is_403_and_changes_nothing(client, viewer, tenant, action):
    schedule = _stop_weekdays_at_20(tenant)
    client.force_login(viewer)

    response = client.post(f"/schedules/{schedule.pk}/{action}", headers=HTMX)

    assert response.status_code == 403
    assert TenantSchedule.objects.get(pk=schedule.pk).enabled is True


def test_adding_without_the_operate_permission_is_403_and_creates_nothing(client, viewer, tenant):
    client.force_login(viewer)
    response = client.post(f"/tenants/{tenant.pk}/schedules/add", WEEKDAYS_AT_20, headers=HTMX)
    assert response.status_code == 403
    assert not TenantSchedule.objects.exists()


def test_an_anonymous_post_is_sent_to_log_in(client, tenant):
    response = client.post(f"/tenants/{tenant.pk}/schedules/add", WEEKDAYS_AT_20)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not TenantSchedule.objects.exists()


# --- Adding ------------------------------------------------------------------------------------


def test_adding_with_htmx_creates_the_schedule_and_returns_the_tab_listing_it(client, operator, tenant):
    client.force_login(operator)

    response = client.post(f"/tenants/{tenant.pk}/schedules/add", WEEKDAYS_AT_20, headers=HTMX)

    schedule = TenantSchedule.objects.get(tenant=tenant)
    assert (schedule.action, schedule.cron, schedule.timezone, schedule.enabled) == (
        "stop",
        "0 20 * * 1-5",
        "Europe/Berlin",
        True,
    )
    assert schedule.next_run_at == datetime(2026, 2, 2, 19, 0, tzinfo=UTC)
    assert schedule.created_by == "operator"
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="tab-panel"')
    assert "Added: stop at 20:00, Monday through Friday (Europe/Berlin)." in html
    assert "Mon 2 Feb 2026, 20:00 CET" in _schedule_html(html, schedule)


def test_adding_a_scale_schedule_keeps_its_replicas(client, operator, tenant):
    client.force_login(operator)
    data = {**WEEKDAYS_AT_20, "action": "scale", "replicas": "4", "cron": "0 7 * * 1-5"}
    response = client.post(f"/tenants/{tenant.pk}/schedules/add", data, headers=HTMX)
    assert response.status_code == 200
    assert TenantSchedule.objects.get(tenant=tenant).replicas == 4


def test_replicas_sent_with_a_stop_schedule_are_dropped(client, operator, tenant):
    client.force_login(operator)
    client.post(f"/tenants/{tenant.pk}/schedules/add", {**WEEKDAYS_AT_20, "replicas": "4"}, headers=HTMX)
    assert TenantSchedule.objects.get(tenant=tenant).replicas is None


def test_adding_a_disabled_schedule_gives_it_no_next_run(client, operator, tenant):
    client.force_login(operator)
    data = {key: value for key, value in WEEKDAYS_AT_20.items() if key != "enabled"}
    client.post(f"/tenants/{tenant.pk}/schedules/add", data, headers=HTMX)
    schedule = TenantSchedule.objects.get(tenant=tenant)
    assert (schedule.enabled, schedule.next_run_at) == (False, None)


def test_adding_without_htmx_redirects_to_the_tab_which_shows_the_message(client, operator, tenant):
    client.force_login(operator)

    response = client.post(f"/tenants/{tenant.pk}/schedules/add", WEEKDAYS_AT_20)

    assert response.status_code == 302
    assert response["Location"] == f"/tenants/{tenant.pk}/schedules/"
    html = _tab(client, tenant)
    assert "Added: stop at 20:00, Monday through Friday (Europe/Berlin)." in html
    assert TenantSchedule.objects.filter(tenant=tenant).count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"cron": "0 25 * * 1-5"}, "cron", "is not a valid cron expression"),
        ({"cron": "0 20 * *"}, "cron", "Enter a cron expression of 5 fields"),
        ({"cron": "0 0 30 2 *"}, "cron", "never matches a date"),
        ({"timezone": "Berlin"}, "timezone", "is not an IANA time zone"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "is not an IANA time zone"),
        ({"action": "scale"}, "replicas", "A scale schedule needs the number of replicas"),
        ({"action": "scale", "replicas": "1001"}, "replicas", "1000"),
        ({"action": "explode"}, "action", "Select a valid choice"),
    ],
)
def test_a_bad_field_re_renders_the_form_with_the_error_next_to_it_as_a_400(
    client, operator, tenant, changes, field, message
):
    client.force_login(operator)

    response = client.post(f"/tenants/{tenant.pk}/schedules/add", {**WEEKDAYS_AT_20, **changes}, headers=HTMX)

    assert response.status_code == 400
    assert not TenantSchedule.objects.exists()
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="tab-panel"')
    field_html = re.search(rf'<div class="field field--{field} field--invalid">(.*?)</div>', html, re.DOTALL).group(1)
    error = re.search(rf'<span class="field__error" id="id_{field}_error">([^<]*)</span>', field_html).group(1)
    assert message in error.replace("&#x27;", "'")
    assert 'aria-invalid="true"' in field_html
    assert html.count("field--invalid") == 1


def test_the_form_keeps_what_was_typed_when_it_comes_back_with_an_error(client, operator, tenant):
    client.force_login(operator)
    data = {**WEEKDAYS_AT_20, "timezone": "Berlin"}
    response = client.post(f"/tenants/{tenant.pk}/schedules/add", data, headers=HTMX)
    html = response.content.decode()
    assert 'name="cron" value="0 20 * * 1-5"' in html and 'name="timezone" value="Berlin"' in html


def test_a_bad_field_without_htmx_gets_the_whole_page_with_the_error_as_a_400(client, operator, tenant):
    client.force_login(operator)
    response = client.post(f"/tenants/{tenant.pk}/schedules/add", {**WEEKDAYS_AT_20, "cron": "every day"})
    assert response.status_code == 400
    html = response.content.decode()
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert 'id="id_cron_error"' in html
    assert not TenantSchedule.objects.exists()


# --- Enable, disable, delete -------------------------------------------------------------------


def test_disabling_clears_the_next_run_and_offers_to_enable(client, operator, tenant):
    schedule = _stop_weekdays_at_20(tenant)
    client.force_login(operator)

    response = client.post(f"/schedules/{schedule.pk}/disable", headers=HTMX)

    schedule.refresh_from_db()
    assert (schedule.enabled, schedule.next_run_at, schedule.updated_by) == (False, None, "operator")
    html = _schedule_html(response.content.decode(), schedule)
    assert response.status_code == 200
    assert "Disabled" in html and f'hx-post="/schedules/{schedule.pk}/enable"' in html
    assert "Disabled: stop at 20:00, Monday through Friday (Europe/Berlin)." in response.content.decode()


def test_enabling_runs_from_the_next_occurrence_after_now(client, operator, tenant, _monday_morning):
    schedule = schedule_disable(schedule=_stop_weekdays_at_20(tenant), actor="alice")
    _monday_morning.move_to(datetime(2026, 2, 3, 20, 0, tzinfo=UTC))  # Tuesday 21:00 in Berlin
    client.force_login(operator)

    response = client.post(f"/schedules/{schedule.pk}/enable", headers=HTMX)

    schedule.refresh_from_db()
    assert response.status_code == 200
    assert (schedule.enabled, schedule.next_run_at) == (True, datetime(2026, 2, 4, 19, 0, tzinfo=UTC))
    assert "Wed 4 Feb 2026, 20:00 CET" in _schedule_html(response.content.decode(), schedule)


def test_deleting_removes_the_schedule_and_keeps_its_past_runs(client, operator, tenant, _monday_morning):
    schedule = _stop_weekdays_at_20(tenant)
    _monday_morning.move_to(MONDAY_MORNING + EVENING_BERLIN)
    dispatch_and_run()
    client.force_login(operator)

    response = client.post(f"/schedules/{schedule.pk}/delete", headers=HTMX)

    assert response.status_code == 200
    assert not TenantSchedule.objects.filter(pk=schedule.pk).exists()
    assert ScheduleExecution.objects.filter(tenant=tenant, schedule=None).count() == 1
    html = response.content.decode()
    assert f'id="schedule-{schedule.pk}"' not in html and "No schedules yet." in html
    assert "Deleted: stop at 20:00, Monday through Friday (Europe/Berlin)." in html


def test_changing_without_htmx_redirects_to_the_tab_with_the_message(client, operator, tenant):
    schedule = _stop_weekdays_at_20(tenant)
    client.force_login(operator)

    response = client.post(f"/schedules/{schedule.pk}/disable")

    assert response.status_code == 302 and response["Location"] == f"/tenants/{tenant.pk}/schedules/"
    assert "Disabled: stop at 20:00" in _tab(client, tenant)


# --- Unknown ids, methods, CSRF ----------------------------------------------------------------


def test_an_unknown_tenant_is_404(client, operator):
    client.force_login(operator)
    assert client.get("/tenants/999/schedules/").status_code == 404
    assert client.post("/tenants/999/schedules/add", WEEKDAYS_AT_20, headers=HTMX).status_code == 404
    assert not TenantSchedule.objects.exists()


@pytest.mark.parametrize("action", ["enable", "disable", "delete"])
def test_an_unknown_schedule_is_404(client, operator, action):
    client.force_login(operator)
    assert client.post(f"/schedules/999/{action}", headers=HTMX).status_code == 404


def test_the_changing_urls_answer_get_with_405(client, operator, tenant):
    schedule = _stop_weekdays_at_20(tenant)
    client.force_login(operator)
    assert client.get(f"/tenants/{tenant.pk}/schedules/add").status_code == 405
    assert client.get(f"/schedules/{schedule.pk}/delete").status_code == 405
    assert TenantSchedule.objects.filter(pk=schedule.pk).exists()


def test_a_post_without_the_csrf_token_is_rejected(operator, tenant):
    schedule = _stop_weekdays_at_20(tenant)
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)

    added = client.post(f"/tenants/{tenant.pk}/schedules/add", WEEKDAYS_AT_20, headers=HTMX)
    deleted = client.post(f"/schedules/{schedule.pk}/delete", headers=HTMX)

    assert added.status_code == deleted.status_code == 403
    assert b"CSRF" in added.content
    assert list(TenantSchedule.objects.values_list("pk", flat=True)) == [schedule.pk]


def test_a_post_with_the_csrf_header_htmx_sends_is_accepted(operator, tenant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    token = client.get(f"/tenants/{tenant.pk}/schedules/").context["csrf_token"]

    response = client.post(
        f"/tenants/{tenant.pk}/schedules/add", WEEKDAYS_AT_20, headers={**HTMX, "X-CSRFToken": str(token)}
    )

    assert response.status_code == 200
    assert TenantSchedule.objects.filter(tenant=tenant).count() == 1
