"""Every bad parameter of every endpoint is a 400 whose body names it; nothing is a 500."""

from datetime import UTC, datetime

import pytest
import time_machine

from tenants.models import TenantStateHistory
from tests.api_clients import token_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

MONTH_ENDPOINTS = ["metrics/monthly", "metrics"]
HISTORY_ENDPOINTS = ["metrics/history", "metrics"]


@pytest.fixture
def frozen():
    with time_machine.travel(datetime(2026, 3, 15, 12, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def tenant(make_tenant):
    return make_tenant()


def _assert_names(response, param):
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [param]
    assert param in body["detail"]


@pytest.mark.parametrize("endpoint", MONTH_ENDPOINTS)
@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"month": "13"}, "month"),
        ({"month": "0"}, "month"),
        ({"month": "-1"}, "month"),
        ({"month": "1.5"}, "month"),
        ({"month": "1.0"}, "month"),
        ({"month": "jan"}, "month"),
        ({"month": ""}, "month"),
        ({"month": "99999999999999999999999"}, "month"),
        ({"year": "1969", "month": "12"}, "year"),
        ({"year": "10000", "month": "1"}, "year"),
        ({"year": "2026.0"}, "year"),
        ({"year": "1e3"}, "year"),
        ({"year": "nan"}, "year"),
        ({"tz": "Mars/Olympus_Mons"}, "tz"),
        ({"tz": "europe/berlin"}, "tz"),
        ({"tz": "../../etc/passwd"}, "tz"),
        ({"tz": ""}, "tz"),
        ({"tz": "Europe/Berlin\x00"}, "tz"),
        ({"year": "2026", "month": "4"}, "month"),
        ({"year": "2027", "month": "1"}, "year"),
        ({"year": "9999", "month": "12"}, "year"),
    ],
)
def test_a_bad_month_parameter_is_a_400_naming_it(viewer, tenant, endpoint, query, param):
    _assert_names(token_client(viewer).get(f"/api/tenants/{tenant.pk}/{endpoint}", query), param)


def test_a_month_future_only_in_an_eastern_time_zone_is_accepted_there(viewer, tenant):
    # 2026-03-31 22:00 UTC is already April 1st in Berlin.
    with time_machine.travel(datetime(2026, 3, 31, 22, 30, tzinfo=UTC), tick=False):
        api = token_client(viewer)
        berlin = api.get(f"/api/tenants/{tenant.pk}/metrics/monthly", {"month": 4, "tz": "Europe/Berlin"})
        utc = api.get(f"/api/tenants/{tenant.pk}/metrics/monthly", {"month": 4})

    assert berlin.status_code == 200
    assert berlin.json()["total_seconds"] == 30 * 60
    _assert_names(utc, "month")


@pytest.mark.parametrize("endpoint", HISTORY_ENDPOINTS)
@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "-5"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "2.5"}, "limit"),
        ({"limit": ""}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "eyJhdCI6MX0"}, "cursor"),  # base64 of {"at":1}
        ({"cursor": "%%%"}, "cursor"),
        ({"cursor": ""}, "cursor"),
        ({"cursor": "eyJhdCI6IjIwMjYtMDEtMDFUMDA6MDA6MDAiLCJpZCI6MX0"}, "cursor"),  # a naive time
        ({"cursor": "eyJhdCI6IjIwMjYtMDEtMDFUMDA6MDA6MDArMDA6MDAiLCJpZCI6IjEifQ"}, "cursor"),  # id as text
    ],
)
def test_a_bad_history_parameter_is_a_400_naming_it(viewer, tenant, endpoint, query, param):
    _assert_names(token_client(viewer).get(f"/api/tenants/{tenant.pk}/{endpoint}", query), param)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"namespace": "tenants", "deployment_name": "web"}, "name"),
        ({"name": "nul\x00byte", "namespace": "tenants", "deployment_name": "web"}, "name"),
        ({"name": "n" * 101, "namespace": "tenants", "deployment_name": "web"}, "name"),
        ({"name": "x", "namespace": "tenants", "deployment_name": "wéb"}, "deployment_name"),
        ({"name": "x", "namespace": "tenants", "deployment_name": "web", "desired_replicas": None}, "desired_replicas"),
        (
            {"name": "x", "namespace": "tenants", "deployment_name": "web", "desired_replicas": 10**30},
            "desired_replicas",
        ),
        ({"name": "x", "namespace": "Tenants", "deployment_name": "web"}, "namespace"),
        ({"name": "x", "namespace": "tenants", "deployment_name": "-web"}, "deployment_name"),
        ({"name": "x", "namespace": "tenants", "deployment_name": "w" * 64}, "deployment_name"),
        ({"name": "x", "namespace": "tenants", "deployment_name": "web", "desired_replicas": 0}, "desired_replicas"),
        (
            {"name": "x", "namespace": "tenants", "deployment_name": "web", "desired_replicas": "two"},
            "desired_replicas",
        ),
        ({"name": "x", "namespace": "tenants", "deployment_name": "web", "desired_replicas": 1.5}, "desired_replicas"),
        ({"name": "x", "namespace": "tenants", "deployment_name": "web", "desired_replicas": True}, "desired_replicas"),
    ],
)
def test_a_bad_tenant_field_is_a_400_naming_it(superuser, body, param):
    _assert_names(token_client(superuser).post("/api/tenants/", body, format="json"), param)


def test_a_taken_name_or_deployment_is_a_400_naming_the_field(superuser, make_tenant):
    taken = make_tenant("taken", namespace="tenants", deployment_name="web")
    api = token_client(superuser)

    _assert_names(
        api.post("/api/tenants/", {"name": "taken", "namespace": "other", "deployment_name": "x"}, format="json"),
        "name",
    )
    _assert_names(
        api.post("/api/tenants/", {"name": "new", "namespace": "tenants", "deployment_name": "web"}, format="json"),
        "deployment_name",
    )
    other = make_tenant("other", namespace="tenants", deployment_name="api")
    _assert_names(api.patch(f"/api/tenants/{other.pk}/", {"deployment_name": "web"}, format="json"), "deployment_name")
    assert api.patch(f"/api/tenants/{taken.pk}/", {"deployment_name": "web"}, format="json").status_code == 200


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "replicas"),
        ({"replicas": -1}, "replicas"),
        ({"replicas": 1001}, "replicas"),
        ({"replicas": "three"}, "replicas"),
        ({"replicas": 2.5}, "replicas"),
        ({"replicas": None}, "replicas"),
        ({"replicas": 2, "reason": "x" * 1001}, "reason"),
        ({"replicas": 2, "reason": ["not", "text"]}, "reason"),
        ({"replicas": 2, "reason": "nul\x00byte"}, "reason"),
    ],
)
def test_a_bad_scale_body_is_a_400_naming_it_and_records_nothing(operator, tenant, body, param):
    before = TenantStateHistory.objects.count()

    _assert_names(token_client(operator).post(f"/api/tenants/{tenant.pk}/scale", body, format="json"), param)

    assert TenantStateHistory.objects.count() == before


def test_a_body_that_is_not_json_is_a_400(operator, tenant):
    response = token_client(operator).post(
        f"/api/tenants/{tenant.pk}/scale", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"detail", "code", "errors"}


@pytest.mark.parametrize("path", ["/api/tenants/99999999999999999999999/", "/api/tenants/9223372036854775808/metrics"])
def test_an_out_of_range_tenant_id_is_a_404(viewer, path):
    assert token_client(viewer).get(path).status_code == 404
