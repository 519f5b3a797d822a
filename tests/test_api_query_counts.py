"""Each metrics request runs the same small number of SQL queries for 10 or 5,000 history records."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.models import Tenant, TenantStateHistory
from tests.api_clients import token_client

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
ENDPOINTS = {
    "metrics/current-state": {},
    "metrics/monthly": {"year": 2026, "month": 2, "tz": "Europe/Berlin"},
    "metrics/history": {"limit": 50},
    "metrics": {"year": 2026, "month": 3, "limit": 20},
}
# Authentication (the token with its user and the user's permissions, own and groups', in one query:
# tenantmgmt/auth_backends.py), the tenant, then the metrics: 1 for the current state, 2 for a month (the
# history's 1 and the tenant's schedules, for schedule adherence: README "Beyond uptime"), 1 for a history page.
EXPECTED = {"metrics/current-state": 3, "metrics/monthly": 4, "metrics/history": 3, "metrics": 6}


def _tenant_with_records(name: str, count: int) -> Tenant:
    """A tenant switched on and off ``count`` times, the last switch shortly before NOW."""
    step = timedelta(minutes=7)
    first_at = NOW - step * count
    tenant = Tenant.objects.create(name=name, namespace="tenants", deployment_name=name, created_at=first_at)
    records, state = [], None
    for n in range(count):
        new_state = "running" if n % 2 == 0 else "stopped"
        records.append(
            TenantStateHistory(
                tenant=tenant,
                previous_state=state,
                new_state=new_state,
                previous_replicas=None if state is None else (1 if state == "running" else 0),
                new_replicas=1 if new_state == "running" else 0,
                changed_at=first_at + step * n,
                changed_by="seed",
                source="import",
            )
        )
        state = new_state
    TenantStateHistory.objects.bulk_create(records, batch_size=1000)
    return tenant


def _count_queries(client, tenant, endpoint):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/tenants/{tenant.pk}/{endpoint}", ENDPOINTS[endpoint])
    assert response.status_code == 200, response.content
    return len(queries)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_the_query_count_does_not_grow_with_the_history(viewer, endpoint):
    small, large = _tenant_with_records("small", 10), _tenant_with_records("large", 5_000)
    assert TenantStateHistory.objects.filter(tenant=large).count() == 5_000

    # Each count on a fresh client, so the user's permission cache is cold both times.
    small_count = _count_queries(token_client(viewer), small, endpoint)
    large_count = _count_queries(token_client(viewer), large, endpoint)

    assert small_count == large_count == EXPECTED[endpoint]


@time_machine.travel(NOW, tick=False)
def test_the_large_history_gives_the_numbers_its_pattern_implies(viewer):
    tenant = _tenant_with_records("large", 5_000)

    body = token_client(viewer).get(f"/api/tenants/{tenant.pk}/metrics/monthly", {"year": 2026, "month": 3}).json()

    # Seven minutes on, seven off, since before March 1st: half of the month so far, give or take a switch.
    assert body["total_seconds"] == 19 * 86_400 + 12 * 3_600
    assert abs(body["uptime_seconds"] - body["downtime_seconds"]) <= 7 * 60
