"""In a real browser: open a tenant's Schedules tab, add "stop at 20:00 on weekdays in Berlin", disable it, delete it.

Like ``test_browser_uptime_tab.py``: Playwright drives Debian's Chromium (``/usr/bin/chromium``).
Screenshots are saved under ``test-artifacts/`` (``schedules-tab.png`` after adding).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.utils import timezone

from tenants.schedules.cron import latest_occurrence
from tenants.schedules.runs import schedule_run_occurrence
from tenants.schedules.services import schedule_create
from tenants.services import tenant_register

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"
PASSWORD = "pw-for-the-browser"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium (apt-get install -y chromium)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture
def browser():
    # The test makes no ORM call while Playwright runs: its event loop would give the ORM another connection.
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def tenant_with_a_morning_start(transactional_db, ready_at_once):
    """A tenant whose "start at 07:00 on weekdays" schedule has already run once."""
    User.objects.create_superuser("admin", password=PASSWORD)
    tenant = tenant_register(
        name="acme", namespace="tenants", deployment_name="acme-web", desired_replicas=2, actor="setup", source="api"
    )
    schedule = schedule_create(
        tenant=tenant, action="start", cron="0 7 * * *", timezone_name="Europe/Berlin", actor="setup"
    )
    last_morning = latest_occurrence(schedule.cron, schedule.timezone, timezone.now() - timedelta(minutes=1))
    execution = schedule_run_occurrence(schedule_id=schedule.pk, scheduled_for=last_morning)
    assert execution.status == "succeeded" and execution.history_id
    return tenant


def test_an_operator_adds_a_weekday_evening_stop_in_berlin_and_sees_its_next_runs(
    tenant_with_a_morning_start, live_server, browser
):
    tenant = tenant_with_a_morning_start
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/tenants/{tenant.pk}/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"/tenants/{tenant.pk}/$"))

    # The tab loads in place (no page load) and shows the existing schedule's run and its history link.
    page.evaluate("window.loadedOnce = true")
    page.click("#tab-nav >> text=Schedules")
    page.wait_for_selector("#tab-panel .schedule-form")
    assert page.url.endswith(f"/tenants/{tenant.pk}/schedules/")
    existing = page.locator(".schedule").first
    assert "At 07:00" in existing.inner_text()
    assert existing.locator(".run--succeeded").count() == 1
    assert existing.get_by_role("link", name=re.compile(r"History record #\d+")).count() == 1

    # Replicas only appear for "scale".
    page.select_option("#id_action", "scale")
    assert page.is_visible("#id_replicas")
    page.select_option("#id_action", "stop")
    assert not page.is_visible("#id_replicas")

    # A cron that is not one: the error appears next to the field; nothing is added.
    page.fill("#id_cron", "0 25 * * 1-5")
    page.fill("#id_timezone", "Europe/Berlin")
    page.click(".schedule-form button[type=submit]")
    page.wait_for_selector("#id_cron_error")
    assert "is not a valid cron expression" in page.inner_text(".field--cron")
    assert page.locator(".schedule").count() == 1
    assert page.input_value("#id_timezone") == "Europe/Berlin"
    page.screenshot(path=str(ARTIFACTS / "schedules-tab-error.png"), full_page=True)

    # Stop at 20:00 on weekdays in Berlin: listed in words with its next three runs at 20:00 Berlin time.
    page.select_option("#id_action", "stop")
    page.fill("#id_cron", "0 20 * * 1-5")
    page.click(".schedule-form button[type=submit]")
    page.wait_for_selector("#tab-panel [role=status] >> text=Added: stop at 20:00, Monday through Friday")
    added = page.locator(".schedule").nth(1)
    assert "At 20:00, Monday through Friday" in added.inner_text()
    assert "Europe/Berlin" in added.inner_text()
    next_runs = added.locator(".next-runs li").all_inner_texts()
    assert len(next_runs) == 3
    assert all(re.fullmatch(r"(Mon|Tue|Wed|Thu|Fri) \d+ \w+ \d{4}, 20:00 CES?T", run) for run in next_runs), next_runs
    assert page.locator("#tab-panel [style], #tab-panel script").count() == 0  # ready for a strict CSP
    assert page.locator("#id_cron_error").count() == 0
    page.screenshot(path=str(ARTIFACTS / "schedules-tab.png"), full_page=True)

    api = page.request.get(f"{live_server.url}/api/tenants/{tenant.pk}/schedules/").json()
    assert [(s["action"], s["cron"], s["timezone"], s["enabled"]) for s in api][1] == (
        "stop",
        "0 20 * * 1-5",
        "Europe/Berlin",
        True,
    )
    assert api[1]["next_run_at"]

    # Disable, then delete after confirming.
    added.get_by_role("button", name=re.compile("^Disable")).click()
    page.wait_for_selector(".schedule >> nth=1 >> .badge--disabled")
    assert "None while disabled." in page.locator(".schedule").nth(1).inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".schedule").nth(1).get_by_role("button", name=re.compile("^Delete")).click()
    page.wait_for_selector("#tab-panel [role=status] >> text=Deleted: stop at 20:00")
    assert page.locator(".schedule").count() == 1
    assert page.evaluate("window.loadedOnce") is True

    phone = browser.new_page(viewport={"width": 390, "height": 844}, storage_state=page.context.storage_state())
    phone.goto(f"{live_server.url}/tenants/{tenant.pk}/schedules/")
    phone.screenshot(path=str(ARTIFACTS / "schedules-tab-phone.png"), full_page=True)
