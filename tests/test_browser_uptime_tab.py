"""In a real browser: log in, open a demo tenant, watch the Uptime Metrics tab load and refresh, stop it.

Playwright drives Debian's Chromium (``/usr/bin/chromium``; ``.ci/install-browser`` installs it).
Screenshots of the list and the tab are saved under ``test-artifacts/``.
"""

from __future__ import annotations

import calendar
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from tenants.models import Tenant
from tenants.reconciler import reconcile_tenants
from tenants.services import tenant_start

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"
REFRESH_SECONDS = 2

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
def demo(transactional_db, settings, ready_at_once):
    settings.UPTIME_TAB_REFRESH_SECONDS = REFRESH_SECONDS
    call_command("seed_demo", verbosity=0)
    call_command("ensure_demo_user", verbosity=0)
    # globex is the always-on demo tenant; should the seeded history end in an incident, start it.
    tenant = Tenant.objects.get(name="globex")
    if tenant.state != "running":
        tenant_start(tenant=tenant, actor="setup", source="api")
        reconcile_tenants()
        tenant.refresh_from_db()
    assert tenant.state == "running"
    return tenant


def _shares_on_page(page) -> dict[str, float]:
    shares = {}
    for state in ("running", "stopped", "scaling", "unknown"):
        locator = page.locator(f'#tab-panel [data-share="{state}"]')
        if locator.count():
            shares[state] = float(locator.inner_text().rstrip("%"))
    return shares


def _shares_from_api(page, base_url: str, tenant_id: int, year: int, month: int) -> dict[str, float]:
    response = page.request.get(f"{base_url}/api/tenants/{tenant_id}/metrics/monthly?year={year}&month={month}&tz=UTC")
    assert response.ok, response.text()
    body = response.json()
    shares = {
        "running": body["uptime_percentage"],
        "stopped": body["downtime_percentage"],
        "scaling": body["scaling_percentage"],
    }
    if body["unknown_seconds"]:
        shares["unknown"] = body["unknown_percentage"]
    return shares


def test_an_operator_watches_the_uptime_tab_refresh_and_stops_the_tenant(demo, live_server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)

    # Log in; the list shows every demo tenant with its uptime.
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    page.fill("#id_username", "admin")
    page.fill("#id_password", "tenantmgmt-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("tbody tr").count() == 5
    page.screenshot(path=str(ARTIFACTS / "tenant-list.png"), full_page=True)

    # Open the demo tenant and its Uptime Metrics tab (loaded by HTMX, no page load).
    page.click("text=globex")
    page.wait_for_url(re.compile(rf"/tenants/{demo.pk}/$"))
    page.evaluate("window.loadedOnce = true")
    page.click("#tab-nav >> text=Uptime Metrics")
    page.wait_for_selector("#tab-panel .current-state")
    assert page.url.endswith(f"/tenants/{demo.pk}/uptime/")
    assert page.evaluate("window.loadedOnce") is True
    assert re.fullmatch(r"Running for \w+( \w+)?", page.inner_text(".js-current-state"))

    # A whole past month has the numbers the API gives for it.
    page.get_by_role("link", name="Previous month").click()
    page.wait_for_url(re.compile(r"year=\d+&month=\d+"))
    year, month = map(int, re.search(r"year=(\d+)&month=(\d+)", page.url).groups())
    page.wait_for_selector(f"#tab-panel .month-nav__title >> text={calendar.month_name[month]} {year}")
    assert _shares_on_page(page) == _shares_from_api(page, live_server.url, demo.pk, year, month)
    page.screenshot(path=str(ARTIFACTS / "uptime-tab-previous-month.png"), full_page=True)
    page.get_by_role("link", name="Next month").click()
    page.wait_for_selector("#tab-panel .button--disabled")

    # The tab refreshes itself: the duration grows without a page load.
    panel = page.locator("#tab-panel .current-state")
    seconds_before = int(panel.get_attribute("data-duration-seconds"))
    updated_before = page.inner_text(".js-updated-at")
    page.wait_for_function(
        "before => document.querySelector('.js-updated-at').textContent !== before", arg=updated_before
    )
    assert int(page.locator("#tab-panel .current-state").get_attribute("data-duration-seconds")) > seconds_before
    assert page.evaluate("window.loadedOnce") is True
    page.locator("#tab-panel .timeline__seg").last.focus()
    page.screenshot(path=str(ARTIFACTS / "uptime-tab.png"), full_page=True)

    # Stop: the header and the tab show it at once; the next refresh shows the stop's duration growing.
    page.fill("#operate-reason", "Browser test")
    page.click("button.button--stop")
    page.wait_for_selector("#state-summary >> text=Stopped for")
    page.wait_for_selector("#tab-panel .js-current-state >> text=Stopped for")
    assert "is now stopped" in page.inner_text("#tenant-header [role=status]")
    page.wait_for_selector("#tab-panel .js-current-state >> text=/Stopped for [1-9]\\d*s/")
    page.screenshot(path=str(ARTIFACTS / "uptime-tab-after-stop.png"), full_page=True)

    # The History tab's newest row is the stop, by the logged-in user, still without a page load.
    page.click("#tab-nav >> text=History")
    page.wait_for_selector("#history-rows tr")
    newest = page.locator("#history-rows tr").first.inner_text()
    assert "Browser test" in newest and "admin" in newest and "Web UI" in newest
    page.screenshot(path=str(ARTIFACTS / "history-tab.png"), full_page=True)
    assert page.evaluate("window.loadedOnce") is True
    tenant = page.request.get(f"{live_server.url}/api/tenants/{demo.pk}/").json()
    assert tenant["state"] == "stopped"

    # The same pages on a phone.
    phone = browser.new_page(viewport={"width": 390, "height": 844}, storage_state=page.context.storage_state())
    phone.goto(f"{live_server.url}/")
    phone.screenshot(path=str(ARTIFACTS / "tenant-list-phone.png"), full_page=True)
    phone.goto(f"{live_server.url}/tenants/{demo.pk}/uptime/")
    phone.screenshot(path=str(ARTIFACTS / "uptime-tab-phone.png"), full_page=True)
