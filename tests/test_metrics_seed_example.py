"""The seed's example: a tenant tracked from 2026-01-14T15:48:10Z, stopped before, running after."""

from datetime import UTC, datetime

import pytest
import time_machine

from metrics.selectors import resolve_month, tenant_current_state, tenant_monthly_metrics
from tests.metrics_factories import tenant_with_history

pytestmark = pytest.mark.django_db

SWITCHED_ON = datetime(2026, 1, 14, 15, 48, 10, tzinfo=UTC)


@pytest.fixture
def seed_tenant():
    return tenant_with_history("seed-tenant", datetime(2025, 6, 1, tzinfo=UTC), [(SWITCHED_ON, "running", "stopped")])


@time_machine.travel(datetime(2026, 2, 1, tzinfo=UTC), tick=False)
def test_january_2026_has_the_seeds_downtime_and_uptime(seed_tenant):
    metrics = tenant_monthly_metrics(seed_tenant, resolve_month(2026, 1))

    assert metrics.downtime_seconds == 1_180_090
    assert metrics.downtime_formatted == "13d 15h"
    assert metrics.uptime_seconds == 1_498_310
    assert metrics.total_seconds == 31 * 86_400
    assert (metrics.uptime_percentage, metrics.downtime_percentage) == (55.94, 44.06)
    assert (metrics.scaling_seconds, metrics.unknown_seconds) == (0, 0)
    assert metrics.period_start == datetime(2026, 1, 1, tzinfo=UTC)
    assert metrics.period_end == datetime(2026, 2, 1, tzinfo=UTC)


@time_machine.travel(datetime(2026, 1, 14, 15, 50, 52, tzinfo=UTC), tick=False)
def test_the_current_month_is_clipped_at_now_as_in_the_seeds_example(seed_tenant):
    metrics = tenant_monthly_metrics(seed_tenant, resolve_month(None, None))

    assert (metrics.year, metrics.month) == (2026, 1)
    assert metrics.uptime_seconds == 162
    assert metrics.uptime_formatted == "2m"
    assert metrics.downtime_seconds == 1_180_090
    assert metrics.total_seconds == 1_180_252
    assert metrics.period_end == datetime(2026, 1, 14, 15, 50, 52, tzinfo=UTC)
    assert (metrics.uptime_percentage, metrics.downtime_percentage) == (0.01, 99.99)


@time_machine.travel(datetime(2026, 1, 14, 15, 50, 10, tzinfo=UTC), tick=False)
def test_the_current_state_is_running_for_two_minutes(seed_tenant):
    state = tenant_current_state(seed_tenant)

    assert state.current_state == "running"
    assert state.duration_seconds == 120
    assert state.duration_formatted == "2m"
    assert state.state_since == SWITCHED_ON
    assert state.changed_by == "importer"
