"""The /fleet/ page: every tenant's month, sortable by uptime, downtime and name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from tests.metrics_factories import tenant_with_history

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
FEB = datetime(2026, 2, 1, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def fleet():
    """February 2026 (28 days): 'alpha' up a quarter of it, 'bravo' up three quarters, 'charlie' all of it,
    'delta' created in March (no data for February)."""
    quarter = (datetime(2026, 3, 1, tzinfo=UTC) - FEB) / 4
    tenant_with_history("bravo", FEB, [(FEB, "running", None), (FEB + 3 * quarter, "stopped", "running")])
    tenant_with_history("alpha", FEB, [(FEB, "running", None), (FEB + quarter, "stopped", "running")])
    tenant_with_history("charlie", FEB, [(FEB, "running", None)])
    march = datetime(2026, 3, 2, tzinfo=UTC)
    tenant_with_history("delta", march, [(march, "running", None)])


def _names_in_order(html: str, names=("alpha", "bravo", "charlie", "delta")) -> list[str]:
    return sorted(names, key=lambda name: html.index(f">{name}</a>"))


def _page(user, **params):
    client = Client()
    client.force_login(user)
    return client.get("/fleet/", {"year": 2026, "month": 2, **params})


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("name", ["alpha", "bravo", "charlie", "delta"]),
        ("-name", ["delta", "charlie", "bravo", "alpha"]),
        ("uptime", ["alpha", "bravo", "charlie", "delta"]),
        ("-uptime", ["charlie", "bravo", "alpha", "delta"]),  # no data stays last
        ("downtime", ["charlie", "bravo", "alpha", "delta"]),
        ("-downtime", ["alpha", "bravo", "charlie", "delta"]),
        ("nonsense", ["alpha", "bravo", "charlie", "delta"]),  # an unknown sort falls back to the name
    ],
)
def test_it_sorts_by_uptime_downtime_or_name(viewer, fleet, sort, order):
    response = _page(viewer, sort=sort)

    assert response.status_code == 200
    assert _names_in_order(response.content.decode()) == order


def test_it_shows_the_same_figures_as_the_api(viewer, fleet):
    html = _page(viewer).content.decode()

    assert "25.00%" in html and "75.00%" in html and "100.00%" in html
    assert "7d 0h" in html and "21d 0h" in html  # alpha up, bravo up (a quarter and three quarters of 28 days)
    assert "no data" in html


def test_the_month_links_lead_to_the_previous_month_and_not_into_the_future(viewer, fleet):
    html = _page(viewer, month=3).content.decode()

    assert "year=2026&amp;month=2" in html
    assert "Next month" not in html
    assert "Next month" in _page(viewer, month=2).content.decode()


def test_a_bad_month_is_a_400_that_names_it(viewer, fleet):
    response = _page(viewer, month=13)

    assert response.status_code == 400
    assert "month: Must be an integer from 1 to 12." in response.content.decode()


def test_it_is_403_for_a_user_without_the_view_permission(stranger, fleet):
    assert _page(stranger).status_code == 403
