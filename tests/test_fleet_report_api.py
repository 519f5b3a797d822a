"""GET /api/metrics/monthly: access, parameters, and a query count that does not grow with the fleet."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api_clients import token_client
from tests.fleet_factories import random_fleet

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
URL = "/api/metrics/monthly"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _query_count(client, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(captured)


def test_the_endpoint_runs_as_many_queries_for_300_tenants_as_for_3(viewer):
    rng = random.Random(8)
    client = token_client(viewer)
    params = {"year": 2026, "month": 2, "tz": "Europe/Berlin"}
    random_fleet(rng, count=3, start=datetime(2025, 12, 1, tzinfo=UTC), end=NOW, prefix="few")
    few = _query_count(client, params)

    random_fleet(rng, count=297, start=datetime(2025, 12, 1, tzinfo=UTC), end=NOW, prefix="many")
    many = _query_count(client, params)

    assert client.get(URL, params).json()["count"] == 300
    assert few == many


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"month": "13"}, "month"),
        ({"month": "1.5"}, "month"),
        ({"year": "1969", "month": "12"}, "year"),
        ({"year": "nan"}, "year"),
        ({"tz": "Mars/Olympus_Mons"}, "tz"),
        ({"tz": ""}, "tz"),
        ({"year": "2026", "month": "4"}, "month"),  # wholly in the future
        ({"year": "2027", "month": "1"}, "year"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it_as_the_per_tenant_endpoint_does(viewer, make_tenant, query, param):
    tenant = make_tenant()
    client = token_client(viewer)

    fleet = client.get(URL, query)
    single = client.get(f"/api/tenants/{tenant.pk}/metrics/monthly", query)

    assert fleet.status_code == 400
    assert list(fleet.json()["errors"]) == [param]
    assert fleet.json() == single.json()


def test_it_returns_401_for_anonymous_requests(make_tenant):
    make_tenant()

    assert token_client(None).get(URL).status_code == 401


def test_it_returns_403_for_a_user_without_the_view_permission(stranger, make_tenant):
    make_tenant()

    response = token_client(stranger).get(URL)

    assert response.status_code == 403
    assert set(response.json()) == {"detail", "code", "errors"}


def test_an_empty_fleet_is_an_empty_list(viewer):
    body = token_client(viewer).get(URL).json()

    totals = {
        "planned_downtime_seconds": 0,
        "unplanned_downtime_seconds": 0,
        "replica_hours": 0,
        "baseline_replica_hours": 0,
        "replica_hours_saved": 0,
        "cost_saved": None,
    }
    assert body == {"year": 2026, "month": 3, "timezone": "UTC", "count": 0, "results": [], "totals": totals}


def test_the_trailing_slash_form_answers_too(viewer, make_tenant):
    make_tenant()

    assert token_client(viewer).get(URL + "/").json()["count"] == 1
