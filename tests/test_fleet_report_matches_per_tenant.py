"""The fleet report gives, for every tenant, exactly what the per-tenant monthly endpoint gives."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
import time_machine

from tests.api_clients import token_client
from tests.fleet_factories import random_fleet

NOW = datetime(2026, 3, 29, 1, 30, 17, 250000, tzinfo=UTC)  # Europe's spring-forward night, mid-month

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize(
    ("year", "month", "tz"),
    [
        (2026, 3, "UTC"),  # the current month, clipped at now
        (2026, 3, "Europe/Berlin"),  # 743 hours: the DST change
        (2026, 2, "America/New_York"),
        (2026, 1, "Asia/Kolkata"),  # a half-hour offset
        (2025, 12, "Pacific/Chatham"),  # +13:45 in December
        (2025, 10, "Europe/Berlin"),  # before most tenants existed: empty months
    ],
)
def test_each_tenants_numbers_equal_the_per_tenant_endpoints(viewer, seed, year, month, tz):
    tenants = random_fleet(
        random.Random(seed), count=25, start=datetime(2025, 11, 1, tzinfo=UTC), end=NOW, prefix=f"s{seed}"
    )
    client = token_client(viewer)
    params = {"year": year, "month": month, "tz": tz}

    fleet = client.get("/api/metrics/monthly", params)

    assert fleet.status_code == 200, fleet.json()
    body = fleet.json()
    assert (body["year"], body["month"], body["timezone"], body["count"]) == (year, month, tz, len(tenants))
    assert [row["tenant_name"] for row in body["results"]] == sorted(tenant.name for tenant in tenants)
    for row in body["results"]:
        single = client.get(f"/api/tenants/{row['tenant_id']}/metrics/monthly", params)
        assert single.status_code == 200
        assert {key: value for key, value in row.items() if key != "tenant_name"} == single.json()


def test_the_default_month_is_the_current_month_in_the_time_zone(viewer, make_tenant):
    make_tenant("only-one")
    client = token_client(viewer)

    body = client.get("/api/metrics/monthly", {"tz": "Pacific/Kiritimati"}).json()  # already March 29th there

    assert (body["year"], body["month"], body["timezone"]) == (2026, 3, "Pacific/Kiritimati")
    assert body["results"][0] == client.get(
        f"/api/tenants/{body['results'][0]['tenant_id']}/metrics/monthly", {"tz": "Pacific/Kiritimati"}
    ).json() | {"tenant_name": "only-one"}
