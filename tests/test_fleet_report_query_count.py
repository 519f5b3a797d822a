"""The fleet report reads the whole fleet in a fixed number of queries, whatever its size."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.selectors import fleet_monthly_report, resolve_month
from tests.fleet_factories import random_fleet

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _queries_for_report(year: int, month: int, tz: str) -> tuple[int, int]:
    ref = resolve_month(year, month, tz)
    with CaptureQueriesContext(connection) as captured:
        rows = fleet_monthly_report(ref)
    return len(captured), len(rows)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("year", "month", "tz"), [(2026, 2, "UTC"), (2026, 3, "Europe/Berlin"), (2025, 12, "Asia/Tokyo")]
)
def test_it_runs_the_same_number_of_queries_for_3_and_for_300_tenants(year, month, tz):
    rng = random.Random(3)
    random_fleet(rng, count=3, start=datetime(2025, 10, 1, tzinfo=UTC), end=NOW, prefix="few")
    few_queries, few_rows = _queries_for_report(year, month, tz)

    random_fleet(rng, count=297, start=datetime(2025, 10, 1, tzinfo=UTC), end=NOW, prefix="many")
    many_queries, many_rows = _queries_for_report(year, month, tz)

    assert (few_rows, many_rows) == (3, 300)
    # The tenants, each one's record at the window's start with the month's records, the schedules (adherence).
    assert few_queries == many_queries == 3


@pytest.mark.django_db
def test_it_lists_every_tenant_by_name_with_an_empty_month_for_tenants_created_after_it():
    rng = random.Random(4)
    tenants = random_fleet(rng, count=5, start=datetime(2026, 2, 1, tzinfo=UTC), end=NOW, prefix="new")
    tenants += random_fleet(rng, count=5, start=datetime(2025, 10, 1, tzinfo=UTC), end=NOW, prefix="old")
    created_at = {tenant.pk: tenant.created_at for tenant in tenants}

    rows = fleet_monthly_report(resolve_month(2026, 1, "UTC"))

    assert [row.tenant_name for row in rows] == sorted(tenant.name for tenant in tenants)
    for row in rows:
        if created_at[row.tenant_id] >= datetime(2026, 2, 1, tzinfo=UTC):
            assert (row.metrics.period_start, row.metrics.uptime_percentage, row.metrics.total_seconds) == (
                None,
                None,
                0,
            )
        else:
            assert row.metrics.period_end == datetime(2026, 2, 1, tzinfo=UTC)
