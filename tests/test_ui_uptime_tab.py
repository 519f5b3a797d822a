"""The Uptime Metrics tab: current state and duration, the month's shares, timeline and month links."""

import re
from datetime import UTC, datetime

import pytest
import time_machine

from metrics.selectors import resolve_month, tenant_monthly_metrics
from tests.metrics_factories import tenant_with_history

pytestmark = pytest.mark.django_db

SWITCHED_ON = datetime(2026, 1, 14, 15, 48, 10, tzinfo=UTC)
NOW = datetime(2026, 2, 10, tzinfo=UTC)
HTMX = {"HX-Request": "true"}


@pytest.fixture
def seed_tenant():
    return tenant_with_history("seed-tenant", datetime(2025, 6, 1, tzinfo=UTC), [(SWITCHED_ON, "running", "stopped")])


@pytest.fixture
def tab(client, viewer, seed_tenant):
    client.force_login(viewer)

    def get(query: str = "") -> tuple[int, str]:
        with time_machine.travel(NOW, tick=False):
            response = client.get(f"/tenants/{seed_tenant.pk}/uptime/{query}", headers=HTMX)
        return response.status_code, response.content.decode()

    return get


def test_it_shows_the_current_state_and_how_long_it_has_lasted(tab):
    status, html = tab()
    assert status == 200
    assert "Running for 26d 8h" in html
    assert 'data-duration-seconds="2275910"' in html


def test_it_shows_the_months_shares_as_the_metrics_selector_computes_them(tab, seed_tenant):
    status, html = tab("?year=2026&month=1")
    with time_machine.travel(NOW, tick=False):
        metrics = tenant_monthly_metrics(seed_tenant, resolve_month(2026, 1))
    assert status == 200
    assert "January 2026" in html
    for state, percentage, formatted in [
        ("running", metrics.uptime_percentage, metrics.uptime_formatted),
        ("stopped", metrics.downtime_percentage, metrics.downtime_formatted),
        ("scaling", metrics.scaling_percentage, metrics.scaling_formatted),
    ]:
        assert f'<strong data-share="{state}">{percentage:.2f}%</strong> <span class="muted">{formatted}</span>' in html
    assert (metrics.uptime_percentage, metrics.downtime_formatted) == (55.94, "13d 15h")
    assert 'data-share="unknown"' not in html  # no unknown time this month, so no unknown bar


def test_the_bars_are_accessible_progressbars_with_their_values(tab):
    _, html = tab("?year=2026&month=1")
    bars = re.findall(r'role="progressbar"[^>]*', html)
    assert len(bars) == 3
    assert 'aria-valuemin="0" aria-valuemax="100" aria-valuenow="55.94"' in bars[0]
    assert 'aria-valuetext="55.94% (17d 8h)"' in bars[0]
    assert 'aria-valuenow="44.06"' in bars[1]


def test_the_timeline_has_a_focusable_segment_per_state_with_start_end_and_duration(tab):
    _, html = tab("?year=2026&month=1")
    segments = re.findall(r'<span role="listitem" tabindex="0"[^>]*>', html)
    assert len(segments) == 2
    assert 'title="Stopped: 1 Jan 00:00 to 14 Jan 15:48 (13d 15h)"' in segments[0]
    assert 'data-left="0.0000" data-width="44.0595"' in segments[0]
    assert 'title="Running: 14 Jan 15:48 to 1 Feb 00:00 (17d 8h)"' in segments[1]


def test_an_unknown_share_appears_only_when_the_month_has_unknown_time(client, viewer):
    tenant = tenant_with_history(
        "flaky",
        datetime(2026, 1, 1, tzinfo=UTC),
        [(datetime(2026, 1, 1, tzinfo=UTC), "running", None), (datetime(2026, 1, 2, tzinfo=UTC), "unknown", "running")],
    )
    client.force_login(viewer)
    with time_machine.travel(datetime(2026, 1, 3, tzinfo=UTC), tick=False):
        html = client.get(f"/tenants/{tenant.pk}/uptime/", headers=HTMX).content.decode()
    assert '<strong data-share="unknown">50.00%</strong>' in html


def test_the_tab_polls_itself_at_the_configured_interval(tab, settings):
    settings.UPTIME_TAB_REFRESH_SECONDS = 2
    _, html = tab()
    panel = re.search(r'<section id="tab-panel"[^>]*>', html).group(0)
    assert 'hx-trigger="every 2s, tenant-changed from:body"' in panel
    assert 'hx-swap="outerHTML"' in panel
    assert re.search(r'hx-get="/tenants/\d+/uptime/"', panel)


def test_polling_keeps_the_month_that_was_asked_for(tab):
    _, html = tab("?year=2026&month=1")
    assert re.search(r'<section id="tab-panel"[^>]*hx-get="/tenants/\d+/uptime/\?year=2026&amp;month=1"', html)


def test_the_current_month_has_a_previous_link_but_no_next_link(tab):
    _, html = tab()
    assert "February 2026" in html
    assert "?year=2026&amp;month=1&amp;tz=UTC" in html
    assert "?year=2026&amp;month=3" not in html
    assert 'aria-disabled="true" title="No future months"' in html


def test_a_past_month_links_to_the_month_after_it(tab):
    _, html = tab("?year=2025&month=12")
    assert "December 2025" in html
    assert "?year=2026&amp;month=1&amp;tz=UTC" in html
    assert "?year=2025&amp;month=11&amp;tz=UTC" in html


def test_a_month_in_another_time_zone_is_measured_in_that_zone(tab):
    _, html = tab("?year=2026&month=1&tz=Europe/Berlin")
    assert "January 2026" in html and "Europe/Berlin" in html
    assert 'title="Stopped: 1 Jan 00:00 to 14 Jan 16:48 (13d 16h)"' in html


def test_a_month_before_the_tenant_existed_says_there_is_no_data(tab):
    status, html = tab("?year=2025&month=5")
    assert status == 200
    assert "No data for this month" in html
    assert 'role="progressbar"' not in html


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("?year=2026&month=3", "month"),
        ("?year=2027&month=1", "year"),
        ("?year=2026&month=13", "month"),
        ("?year=1969&month=1", "year"),
        ("?year=abc&month=1", "year"),
        ("?year=2026&month=1.5", "month"),
        ("?tz=Mars/Olympus", "tz"),
    ],
)
def test_a_bad_month_parameter_is_a_400_naming_it(tab, query, parameter):
    status, html = tab(query)
    assert status == 400
    assert f"{parameter}: " in html
    assert 'role="alert"' in html
