"""In Chromium, under the Content-Security-Policy: no page of ours triggers a violation, and htmx and
the bar widths (set by static/js/geometry.js) still work."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tenants.models import Tenant

from .test_browser_uptime_tab import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium (apt-get install -y chromium)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture
def demo(transactional_db, ready_at_once) -> int:
    call_command("seed_demo", verbosity=0)
    call_command("ensure_demo_user", verbosity=0)
    return Tenant.objects.get(name="globex").pk


def _percent(locator, prop: str) -> float:
    value = locator.evaluate(f"element => element.style.{prop}")
    assert value.endswith("%"), value
    return float(value[:-1])


def test_pages_run_under_the_policy_without_a_single_violation(demo, live_server):
    violations: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(15_000)
        page.on(
            "console",
            lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
        )
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "admin")
        page.fill("#id_password", "tenantmgmt-demo")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

        # The list's uptime meters get their width from the static script, not from a style attribute.
        meter = page.locator(".meter__fill").first
        assert _percent(meter, "width") == float(meter.get_attribute("data-width"))

        # htmx works: the Uptime Metrics tab is swapped in, and its bars and timeline are placed.
        page.goto(f"{live_server.url}/tenants/{demo}/")
        page.click("text=Uptime Metrics")
        page.wait_for_selector("#tab-panel.uptime")
        fill = page.locator(".share__fill").first
        assert _percent(fill, "width") == float(fill.get_attribute("data-width"))
        segment = page.locator(".timeline__seg").first
        assert _percent(segment, "left") == float(segment.get_attribute("data-left"))
        assert page.evaluate("() => document.querySelectorAll('style').length") == 0  # htmx injected none

        for path in (
            "/fleet/",
            "/admin/",
            "/admin/tenants/tenant/",
            f"/admin/tenants/tenant/{demo}/change/",
            "/api/docs/",
        ):
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
        assert page.locator(".swagger-ui").count() == 1
        browser.close()
    assert not violations, "\n".join(violations)
