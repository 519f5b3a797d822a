"""``GET /metrics``: Prometheus exposition from the database, behind a bearer token."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from prometheus_client.parser import text_string_to_metric_families

from tenants.cluster_sync import cluster_sync_record_success
from tenants.schedules.models import ScheduleExecution
from tenants.schedules.services import schedule_create
from tests.histories import tenant_with_changes

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 11, tzinfo=UTC)  # ten days into March
TOKEN = "scrape-secret"


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_BEARER_TOKEN = TOKEN


def at(day: int, hour: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def scrape(client, token=TOKEN, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with time_machine.travel(NOW, tick=False):
        return client.get("/metrics", headers=headers)


def samples(response) -> dict[tuple[str, tuple], float]:
    """Every sample as {(name, sorted labels without tenant_id/namespace): value}."""
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            labels = tuple(sorted((k, v) for k, v in sample.labels.items() if k not in ("tenant_id", "namespace")))
            found[(sample.name, labels)] = sample.value
    return found


def test_it_is_disabled_with_a_404_while_no_token_is_set(client, settings):
    settings.METRICS_BEARER_TOKEN = None

    assert scrape(client).status_code == 404


@pytest.mark.parametrize("token", [None, "wrong", ""])
def test_it_returns_401_with_a_bearer_challenge_without_the_right_token(client, metrics_token, token):
    response = scrape(client, token)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_exposition_parses_and_tells_each_tenants_state_month_and_replicas(client, metrics_token):
    tenant_with_changes(
        "shop",
        at(20, month=2),
        [
            (at(25, month=2), "running", 2, "api"),
            (at(5, 20), "stopped", 0, "schedule"),  # planned: 12 h until a person starts it
            (at(6, 8), "scaling", 2, "ui"),
            (at(6, 9), "running", 2, "reconciler"),
        ],
        desired_replicas=2,
    )
    tenant_with_changes("idle", at(1), [])  # registered stopped on the 1st, by a person
    cluster_sync_record_success(backend="simulated", tenants_seen=2, namespaces_seen=1, duration_seconds=0.1, at=NOW)

    response = scrape(client)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    found = samples(response)
    shop = (("tenant", "shop"),)
    assert found[("tenantmgmt_tenant_state", (("state", "running"), *shop))] == 1
    assert found[("tenantmgmt_tenant_state", (("state", "stopped"), *shop))] == 0
    assert found[("tenantmgmt_tenant_replicas", shop)] == 2
    assert found[("tenantmgmt_tenant_state_since_timestamp_seconds", shop)] == at(6, 9).timestamp()
    assert found[("tenantmgmt_tenant_state_seconds_this_month", (("state", "stopped"), *shop))] == 12 * 3600
    assert found[("tenantmgmt_tenant_state_seconds_this_month", (("state", "scaling"), *shop))] == 3600
    assert (
        found[("tenantmgmt_tenant_state_seconds_this_month", (("state", "running"), *shop))] == 10 * 86400 - 13 * 3600
    )
    assert found[("tenantmgmt_tenant_downtime_seconds_this_month", (("kind", "planned"), *shop))] == 12 * 3600
    assert found[("tenantmgmt_tenant_downtime_seconds_this_month", (("kind", "unplanned"), *shop))] == 3600
    assert found[("tenantmgmt_tenant_replica_hours_this_month", (("kind", "actual"), *shop))] == 2 * (240 - 12)
    assert found[("tenantmgmt_tenant_replica_hours_this_month", (("kind", "baseline"), *shop))] == 2 * 240
    idle = (("tenant", "idle"),)
    assert found[("tenantmgmt_tenant_downtime_seconds_this_month", (("kind", "unplanned"), *idle))] == 10 * 86400
    assert (
        found[("tenantmgmt_reconciler_last_success_timestamp_seconds", (("backend", "simulated"),))] == NOW.timestamp()
    )
    assert found[("tenantmgmt_reconciler_consecutive_failures", (("backend", "simulated"),))] == 0


def test_a_scrape_makes_the_same_number_of_queries_for_2_or_12_tenants(client, metrics_token):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert scrape(client).status_code == 200
        return len(queries)

    for number in range(2):
        tenant_with_changes(f"t{number}", at(1), [(at(2), "running", 1, "api")])
    few = count()
    for number in range(2, 12):
        tenant_with_changes(f"t{number}", at(1), [(at(2), "running", 1, "api"), (at(3), "stopped", 0, "schedule")])

    assert count() == few


def test_openmetrics_is_served_when_the_scraper_asks_for_it(client, metrics_token):
    tenant_with_changes("shop", at(1), [])

    response = scrape(client, Accept="application/openmetrics-text;version=1.0.0,text/plain;q=0.5")

    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.decode().endswith("# EOF\n")


def test_schedule_executions_are_counted_by_status(client, metrics_token):
    tenant = tenant_with_changes("office", at(1), [])
    with time_machine.travel(at(1)):
        schedule = schedule_create(tenant=tenant, action="start", cron="0 8 * * *", actor="alice")
    for day, status in ((2, "succeeded"), (3, "succeeded"), (4, "failed")):
        ScheduleExecution.objects.create(
            schedule=schedule, tenant=tenant, scheduled_for=at(day, 8), started_at=at(day, 8), status=status
        )

    found = samples(scrape(client))

    assert found[("tenantmgmt_schedule_executions_total", (("status", "succeeded"),))] == 2
    assert found[("tenantmgmt_schedule_executions_total", (("status", "failed"),))] == 1
    assert found[("tenantmgmt_schedule_executions_total", (("status", "skipped"),))] == 0
