"""The tenant list: state, time in state and this month's uptime; filter, search and sort."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.metrics_factories import tenant_with_history

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 11, tzinfo=UTC)


@pytest.fixture
def fleet():
    """Three tenants with known January uptimes: 90%, 50% and 10% of the first ten days."""
    start = datetime(2025, 12, 1, tzinfo=UTC)
    tenants = {}
    for name, hours_up in (("alpha", 216), ("bravo", 120), ("charlie", 24)):
        stop_at = datetime(2026, 1, 1 + hours_up // 24, hours_up % 24, tzinfo=UTC)
        tenants[name] = tenant_with_history(name, start, [(start, "running", None), (stop_at, "stopped", "running")])
    return tenants


def _names(html: str) -> list[str]:
    return re.findall(r'<th scope="row"[^>]*><a href="/tenants/\d+/">([^<]+)</a>', html)


def _get(client, query=""):
    with time_machine.travel(NOW, tick=False):
        return client.get(f"/{query}")


def test_it_lists_each_tenant_with_state_time_in_state_and_month_uptime(client, viewer, fleet):
    client.force_login(viewer)
    html = _get(client).content.decode()
    assert _names(html) == ["alpha", "bravo", "charlie"]
    row = html[html.index(">alpha<") :]
    row = row[: row.index("</tr>")]
    assert "Stopped" in row
    assert "<td>1d 0h</td>" in row  # stopped at 2026-01-10 00:00, now 2026-01-11 00:00
    assert '<span class="num">90.00%</span>' in row
    assert 'role="progressbar"' in row and 'aria-valuenow="90.0"' in row


def test_it_computes_the_uptimes_without_a_query_per_tenant(client, viewer, fleet):
    client.force_login(viewer)
    _get(client)  # warm up the session and content types
    with CaptureQueriesContext(connection) as three:
        _get(client)
    tenant_with_history("delta", NOW.replace(day=1), [(NOW.replace(day=1), "running", None)])
    tenant_with_history("echo", NOW.replace(day=1), [(NOW.replace(day=1), "running", None)])
    with CaptureQueriesContext(connection) as five:
        _get(client)
    assert len(five) == len(three)


def test_it_filters_by_state(client, viewer, fleet):
    tenant_with_history("delta", NOW.replace(day=1), [(NOW.replace(day=1), "running", None)])
    client.force_login(viewer)
    assert _names(_get(client, "?state=running").content.decode()) == ["delta"]


def test_it_searches_by_name(client, viewer, fleet):
    client.force_login(viewer)
    assert _names(_get(client, "?q=RAV").content.decode()) == ["bravo"]


def test_a_search_without_matches_says_so(client, viewer, fleet):
    client.force_login(viewer)
    assert "No tenant matches “zulu”." in _get(client, "?q=zulu").content.decode()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-name", ["charlie", "bravo", "alpha"]),
        ("uptime", ["charlie", "bravo", "alpha"]),
        ("-uptime", ["alpha", "bravo", "charlie"]),
        ("-duration", ["charlie", "bravo", "alpha"]),  # stopped longest first
    ],
)
def test_it_sorts_by_the_chosen_column(client, viewer, fleet, sort, expected):
    client.force_login(viewer)
    assert _names(_get(client, f"?sort={sort}").content.decode()) == expected


def test_the_active_sort_column_says_so_and_links_to_the_reverse_order(client, viewer, fleet):
    client.force_login(viewer)
    html = _get(client, "?sort=-uptime&q=a").content.decode()
    header = re.search(r'<th scope="col" aria-sort="descending">\s*<a href="([^"]+)"', html)
    assert header.group(1) == "?q=a&amp;sort=uptime"


def test_with_hx_request_it_returns_only_the_table(client, viewer, fleet):
    client.force_login(viewer)
    with time_machine.travel(NOW, tick=False):
        html = client.get("/?q=alpha", headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<div id="tenant-table"')
    assert _names(html) == ["alpha"]


@pytest.mark.parametrize(("query", "parameter"), [("?state=sleeping", "state"), ("?sort=colour", "sort")])
def test_a_bad_parameter_is_a_400_naming_it(client, viewer, fleet, query, parameter):
    client.force_login(viewer)
    response = _get(client, query)
    assert response.status_code == 400
    assert f"{parameter}: Select a valid choice." in response.content.decode()
