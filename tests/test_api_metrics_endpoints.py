"""The four metrics endpoints answer exactly the SPEC's fields and the seed's numbers."""

from datetime import UTC, datetime

import pytest
import time_machine

from tests.api_clients import token_client
from tests.metrics_factories import tenant_with_history

pytestmark = pytest.mark.django_db

SWITCHED_ON = datetime(2026, 1, 14, 15, 48, 10, 687_835, tzinfo=UTC)
SPEC_MONTHLY_FIELDS = {
    "tenant_id",
    "year",
    "month",
    "timezone",
    "period_start",
    "period_end",
    "uptime_seconds",
    "downtime_seconds",
    "scaling_seconds",
    "unknown_seconds",
    "total_seconds",
    "uptime_percentage",
    "downtime_percentage",
    "scaling_percentage",
    "unknown_percentage",
    "uptime_formatted",
    "downtime_formatted",
    "scaling_formatted",
    "unknown_formatted",
}
# Added by "Beyond uptime" (issue 10); the SPEC's fields above are all still there, unchanged.
BEYOND_UPTIME_FIELDS = {
    "planned_downtime_seconds",
    "unplanned_downtime_seconds",
    "planned_downtime_formatted",
    "unplanned_downtime_formatted",
    "availability_percentage",
    "replica_hours",
    "baseline_replica_hours",
    "replica_hours_saved",
    "cost_saved",
    "schedule_adherence_percentage",
    "wake_count",
    "wake_delay_p50_seconds",
    "wake_delay_max_seconds",
    "wake_delay_p50_formatted",
    "wake_delay_max_formatted",
}
MONTHLY_FIELDS = SPEC_MONTHLY_FIELDS | BEYOND_UPTIME_FIELDS
CURRENT_STATE_FIELDS = {
    "tenant_id",
    "current_state",
    "duration_seconds",
    "duration_formatted",
    "state_since",
    "changed_by",
    "replicas",
}
RECORD_FIELDS = {
    "id",
    "previous_state",
    "new_state",
    "previous_replicas",
    "new_replicas",
    "changed_at",
    "changed_by",
    "reason",
    "source",
}


@pytest.fixture
def seed_tenant():
    return tenant_with_history("seed-tenant", datetime(2025, 6, 1, tzinfo=UTC), [(SWITCHED_ON, "running", "stopped")])


@pytest.fixture
def api(viewer):
    return token_client(viewer)


@time_machine.travel(datetime(2026, 2, 10, tzinfo=UTC), tick=False)
def test_monthly_answers_the_seeds_january(api, seed_tenant):
    response = api.get(f"/api/tenants/{seed_tenant.pk}/metrics/monthly", {"year": 2026, "month": 1})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == MONTHLY_FIELDS
    assert body["tenant_id"] == seed_tenant.pk
    assert (body["year"], body["month"], body["timezone"]) == (2026, 1, "UTC")
    assert body["downtime_seconds"] == 1_180_090
    assert body["downtime_formatted"] == "13d 15h"
    assert body["uptime_seconds"] == 1_498_309  # the switch came .687835 s into 15:48:10
    assert body["total_seconds"] == 2_678_400
    assert (body["uptime_percentage"], body["downtime_percentage"]) == (55.94, 44.06)
    assert (body["scaling_percentage"], body["unknown_percentage"]) == (0.0, 0.0)
    assert body["period_start"] == "2026-01-01T00:00:00+00:00"
    assert body["period_end"] == "2026-02-01T00:00:00+00:00"


@time_machine.travel(datetime(2026, 2, 10, tzinfo=UTC), tick=False)
def test_monthly_takes_the_month_in_the_requested_time_zone(api, seed_tenant):
    body = api.get(
        f"/api/tenants/{seed_tenant.pk}/metrics/monthly", {"year": 2026, "month": 1, "tz": "Europe/Berlin"}
    ).json()

    assert body["timezone"] == "Europe/Berlin"
    assert body["period_start"] == "2025-12-31T23:00:00+00:00"
    assert body["period_end"] == "2026-01-31T23:00:00+00:00"
    assert body["downtime_seconds"] == 1_180_090 + 3_600


@time_machine.travel(datetime(2026, 1, 20, 12, 0, 0, tzinfo=UTC), tick=False)
def test_monthly_defaults_to_the_current_month_clipped_at_now(api, seed_tenant):
    body = api.get(f"/api/tenants/{seed_tenant.pk}/metrics/monthly").json()

    assert (body["year"], body["month"]) == (2026, 1)
    assert body["period_end"] == "2026-01-20T12:00:00+00:00"
    assert body["total_seconds"] == 19 * 86_400 + 12 * 3_600


@time_machine.travel(datetime(2026, 2, 10, tzinfo=UTC), tick=False)
def test_monthly_before_the_tenant_existed_is_zeros_and_nulls(api, seed_tenant):
    body = api.get(f"/api/tenants/{seed_tenant.pk}/metrics/monthly", {"year": 2025, "month": 5}).json()

    assert body["total_seconds"] == body["uptime_seconds"] == body["downtime_seconds"] == 0
    assert body["uptime_percentage"] is None
    assert body["downtime_percentage"] is None
    assert (body["period_start"], body["period_end"]) == (None, None)
    assert body["uptime_formatted"] == "0s"


@time_machine.travel(datetime(2026, 1, 14, 15, 50, 10, 687_835, tzinfo=UTC), tick=False)
def test_current_state_answers_the_seeds_example(api, seed_tenant):
    response = api.get(f"/api/tenants/{seed_tenant.pk}/metrics/current-state")

    assert response.status_code == 200
    assert response.json() == {
        "tenant_id": seed_tenant.pk,
        "current_state": "running",
        "duration_seconds": 120,
        "duration_formatted": "2m",
        "state_since": "2026-01-14T15:48:10.687835+00:00",
        "changed_by": "importer",
        "replicas": 1,
    }


@time_machine.travel(datetime(2026, 2, 10, tzinfo=UTC), tick=False)
def test_history_answers_records_newest_first_with_every_field(api, make_tenant, operator):
    tenant = make_tenant()
    token_client(operator).post(f"/api/tenants/{tenant.pk}/start", {"reason": "Customer call"}, format="json")

    response = api.get(f"/api/tenants/{tenant.pk}/metrics/history")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"tenant_id", "results", "next"}
    assert body["next"] is None
    newest, first = body["results"]
    assert set(newest) == RECORD_FIELDS
    assert (newest["previous_state"], newest["new_state"]) == ("stopped", "scaling")
    assert (newest["previous_replicas"], newest["new_replicas"]) == (0, 1)
    assert (newest["changed_by"], newest["source"], newest["reason"]) == ("operator", "api", "Customer call")
    assert newest["changed_at"] == "2026-02-10T00:00:00+00:00"
    assert first["previous_state"] is None
    assert first["previous_replicas"] is None


@time_machine.travel(datetime(2026, 2, 10, tzinfo=UTC), tick=False)
def test_the_comprehensive_endpoint_combines_the_three(api, seed_tenant):
    response = api.get(f"/api/tenants/{seed_tenant.pk}/metrics", {"year": 2026, "month": 1, "limit": 1})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"tenant_id", "tenant_name", "current_state", "monthly", "history"}
    assert (body["tenant_id"], body["tenant_name"]) == (seed_tenant.pk, "seed-tenant")
    assert set(body["current_state"]) == CURRENT_STATE_FIELDS
    assert body["current_state"]["current_state"] == "running"
    assert set(body["monthly"]) == MONTHLY_FIELDS
    assert body["monthly"]["downtime_seconds"] == 1_180_090
    assert [set(record) for record in body["history"]] == [RECORD_FIELDS]
    assert body["history"][0]["new_state"] == "running"


@pytest.mark.parametrize("suffix", ["metrics", "metrics/current-state", "metrics/monthly", "metrics/history"])
def test_each_metrics_path_also_answers_with_a_trailing_slash(api, seed_tenant, suffix):
    assert api.get(f"/api/tenants/{seed_tenant.pk}/{suffix}").status_code == 200
    assert api.get(f"/api/tenants/{seed_tenant.pk}/{suffix}/").status_code == 200
