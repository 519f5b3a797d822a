"""Before a tenant's first record, its state is that record's previous_state (or unknown)."""

from datetime import UTC, datetime

import pytest

from metrics.selectors import fleet_monthly_metrics, resolve_month, tenant_monthly_metrics
from tests.metrics_factories import tenant_with_history

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 15, tzinfo=UTC)
DECEMBER = 31 * 86_400


def test_a_month_wholly_before_tracking_began_counts_in_the_first_records_previous_state():
    tenant = tenant_with_history(
        "imported",
        datetime(2025, 6, 1, tzinfo=UTC),
        [(datetime(2026, 1, 14, 15, 48, 10, tzinfo=UTC), "running", "stopped")],
    )

    metrics = tenant_monthly_metrics(tenant, resolve_month(2025, 12, now=NOW), now=NOW)

    assert metrics.downtime_seconds == DECEMBER
    assert metrics.downtime_percentage == 100.0


def test_a_first_record_without_a_previous_state_means_unknown_before_it():
    tenant = tenant_with_history(
        "untracked", datetime(2025, 6, 1, tzinfo=UTC), [(datetime(2026, 1, 1, tzinfo=UTC), "running", None)]
    )

    december = tenant_monthly_metrics(tenant, resolve_month(2025, 12, now=NOW), now=NOW)
    january = tenant_monthly_metrics(tenant, resolve_month(2026, 1, now=NOW), now=NOW)

    assert december.unknown_seconds == DECEMBER
    assert december.unknown_percentage == 100.0
    assert january.uptime_seconds == DECEMBER


def test_the_fleet_version_gives_each_tenant_the_same_numbers_as_one_by_one(django_assert_num_queries):
    tenants = [
        tenant_with_history(
            f"fleet-{n}",
            datetime(2025, 11, n + 1, tzinfo=UTC),
            [
                (datetime(2025, 11, n + 1, tzinfo=UTC), "stopped", None),
                (datetime(2026, 1, n + 3, 8, tzinfo=UTC), "scaling", "stopped"),
                (datetime(2026, 1, n + 3, 8, 1, tzinfo=UTC), "running", "scaling"),
                (datetime(2026, 2, 2, tzinfo=UTC), "stopped", "running"),
            ],
        )
        for n in range(6)
    ]
    january = resolve_month(2026, 1, "Europe/Berlin", now=NOW)

    # The history's query, and 1 for the schedules (schedule adherence, README "Beyond uptime").
    with django_assert_num_queries(2):
        fleet = fleet_monthly_metrics(tenants, january, now=NOW)

    for tenant in tenants:
        assert fleet[tenant.pk] == tenant_monthly_metrics(tenant, january, now=NOW)
    assert fleet[tenants[0].pk].scaling_seconds == 60
