"""History pages: keyset on (changed_at, id), each record exactly once while records are added."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tenants.models import TenantStateHistory
from tenants.services import tenant_append_history, tenant_scale
from tests.api_clients import token_client

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def tenant_with_ties(make_tenant):
    """23 records, several sharing one instant (so only the id orders them)."""
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        tenant = make_tenant()
    for n in range(22):
        at = NOW - timedelta(days=1) + timedelta(minutes=n // 3)  # three records per minute
        tenant = tenant_append_history(
            tenant=tenant, new_state="running", new_replicas=n + 1, changed_at=at, actor="seed", source="import"
        ).tenant
    return tenant


@time_machine.travel(NOW, tick=False)
def test_paging_returns_every_record_exactly_once_while_new_ones_arrive(viewer, tenant_with_ties):
    tenant = tenant_with_ties
    existing = list(TenantStateHistory.objects.filter(tenant=tenant).order_by("-changed_at", "-id"))
    assert len(existing) == 23
    client = token_client(viewer)

    seen, url, replicas = [], f"/api/tenants/{tenant.pk}/metrics/history?limit=4", 100
    while url:
        body = client.get(url).json()
        seen += [record["id"] for record in body["results"]]
        url = body["next"]
        for _ in range(2):  # someone rescales the tenant between two pages, at the same frozen instant
            replicas += 1
            tenant = tenant_scale(tenant=tenant, replicas=replicas, actor="operator", source="api").tenant

    assert seen == [record.pk for record in existing]
    assert len(set(seen)) == len(seen)


@time_machine.travel(NOW, tick=False)
def test_next_is_an_absolute_link_keeping_the_limit_and_null_on_the_last_page(viewer, tenant_with_ties):
    client = token_client(viewer)

    first = client.get(f"/api/tenants/{tenant_with_ties.pk}/metrics/history", {"limit": 20}).json()
    last = client.get(first["next"]).json()

    assert first["next"].startswith(f"http://testserver/api/tenants/{tenant_with_ties.pk}/metrics/history?")
    assert "limit=20" in first["next"]
    assert "cursor=" in first["next"]
    assert len(first["results"]) == 20
    assert len(last["results"]) == 3
    assert last["next"] is None


@time_machine.travel(NOW, tick=False)
def test_the_default_page_is_50_records_newest_first(viewer, make_tenant):
    tenant = make_tenant()
    for n in range(60):
        tenant = tenant_append_history(
            tenant=tenant, new_state="running", new_replicas=n + 1, changed_at=NOW, actor="seed", source="import"
        ).tenant

    body = token_client(viewer).get(f"/api/tenants/{tenant.pk}/metrics/history").json()

    assert len(body["results"]) == 50
    assert body["results"][0]["new_replicas"] == 60
    assert body["next"] is not None


@time_machine.travel(NOW, tick=False)
def test_a_cursor_only_positions_the_page_and_never_shows_another_tenants_records(
    viewer, tenant_with_ties, make_tenant
):
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        other = make_tenant()
    client = token_client(viewer)
    cursor = client.get(f"/api/tenants/{tenant_with_ties.pk}/metrics/history", {"limit": 1}).json()["next"]

    response = client.get(f"/api/tenants/{other.pk}/metrics/history?" + cursor.split("?", 1)[1])

    assert response.status_code == 200
    assert [record["id"] for record in response.json()["results"]] == [
        record.pk for record in TenantStateHistory.objects.filter(tenant=other)
    ]
