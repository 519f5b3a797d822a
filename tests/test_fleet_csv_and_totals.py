"""The fleet report's totals and its CSV download (``GET /api/metrics/monthly?format=csv``)."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from tests.api_clients import token_client
from tests.histories import tenant_with_changes

pytestmark = pytest.mark.django_db

URL = "/api/metrics/monthly"
MARCH = {"year": 2026, "month": 3}


def at(day: int, hour: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def fleet(db):
    shop = tenant_with_changes(
        "shop",
        at(20, month=2),
        [
            (at(25, month=2), "running", 2, "api"),
            (at(10, 20), "stopped", 0, "schedule"),
            (at(11, 8), "running", 2, "api"),
        ],
        desired_replicas=2,
    )
    idle = tenant_with_changes("idle", at(20, month=2), [])  # stopped all month by its registration
    return shop, idle


def get(user, **params):
    with time_machine.travel(at(2, month=4), tick=False):
        return token_client(user).get(URL, {**MARCH, **params})


def test_the_totals_add_up_the_tenants_downtime_and_replica_hours(viewer, fleet, settings):
    settings.COST_PER_REPLICA_HOUR = Decimal("0.10")

    totals = get(viewer).json()["totals"]

    assert totals["planned_downtime_seconds"] == 12 * 3_600
    assert totals["unplanned_downtime_seconds"] == 31 * 86_400  # the idle tenant, stopped by a person
    assert totals["replica_hours"] == 2 * (744 - 12)
    assert totals["baseline_replica_hours"] == 2 * 744 + 744
    assert totals["replica_hours_saved"] == 24 + 744
    assert totals["cost_saved"] == 76.8


def test_format_csv_downloads_one_row_per_tenant_with_the_monthly_fields(viewer, fleet):
    shop, idle = fleet

    response = get(viewer, format="csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="fleet-2026-03.csv"'
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(row["tenant_id"], row["tenant_name"]) for row in rows] == [(str(idle.pk), "idle"), (str(shop.pk), "shop")]
    shop_row = rows[1]
    assert list(shop_row)[:4] == ["tenant_id", "tenant_name", "year", "month"]
    assert shop_row["planned_downtime_seconds"] == str(12 * 3_600)
    assert shop_row["downtime_formatted"] == "12h 0m"
    assert shop_row["period_start"] == "2026-03-01T00:00:00+00:00"
    assert shop_row["cost_saved"] == ""


def test_a_bad_parameter_with_format_csv_is_a_json_400_naming_it(viewer, fleet):
    response = get(viewer, format="csv", month=13)

    assert response.status_code == 400
    assert response.json()["errors"] == {"month": ["Must be an integer from 1 to 12."]}


def test_the_fleet_page_links_the_csv_of_the_month_it_shows(client, viewer, fleet):
    client.force_login(viewer)

    with time_machine.travel(at(2, month=4), tick=False):
        html = client.get("/fleet/", {**MARCH, "tz": "Europe/Berlin"}).content.decode()

    assert 'href="/api/metrics/monthly?year=2026&amp;month=3&amp;tz=Europe/Berlin&amp;format=csv" download' in html
