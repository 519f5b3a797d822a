"""Whatever is sent (non-numbers, negatives, huge numbers, unicode, overlong names, broken JSON, wrong
content types), the answer is a 4xx with the one error shape, and nothing is recorded."""

import json

import pytest

from tenants.models import Tenant, TenantStateHistory
from tests.api_clients import token_client

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"detail", "code", "errors"}
HUGE = "9" * 40


@pytest.fixture
def tenant(make_tenant):
    return make_tenant("acme")


def _assert_error(response, status: int, param: str | None = None) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["detail"]
    if param is not None:
        assert param in body["errors"], body
    return body


@pytest.mark.parametrize(
    "path",
    [
        "/api/tenants/abc/",
        "/api/tenants/-1/",
        "/api/tenants/1.5/metrics",
        "/api/tenants/%F0%9F%92%A5/metrics/monthly",
        f"/api/tenants/{HUGE}/metrics/history",
        "/api/no-such-endpoint",
    ],
)
def test_a_path_that_matches_no_endpoint_is_a_json_404_in_the_error_shape(viewer, path):
    body = _assert_error(token_client(viewer).get(path), 404)
    assert body["code"] == "not_found"


def test_pages_outside_the_api_keep_the_html_404(client, viewer):
    client.force_login(viewer)
    response = client.get("/tenants/abc/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("year=abc&month=1", "year"),
        ("year=2026&month=-1", "month"),
        (f"year={HUGE}&month=1", "year"),
        ("year=2026&month=%E2%91%A0", "month"),  # a circled digit one: a digit to Python, not an integer here
        ("year=2026&month=1&tz=%F0%9F%95%92", "tz"),
        ("year=2026&month=1&tz=" + "A" * 5000, "tz"),
        ("year=2026&month=1&tz=..%2F..%2Fetc%2Fpasswd", "tz"),
    ],
)
def test_bad_monthly_parameters_are_400s_naming_them(viewer, tenant, query, param):
    _assert_error(token_client(viewer).get(f"/api/tenants/{tenant.pk}/metrics/monthly?{query}"), 400, param)


@pytest.mark.parametrize(
    ("query", "param"),
    [("limit=-5", "limit"), (f"limit={HUGE}", "limit"), ("limit=%00", "limit"), ("cursor=%FF%FE", "cursor")],
)
def test_bad_history_parameters_are_400s_naming_them(viewer, tenant, query, param):
    _assert_error(token_client(viewer).get(f"/api/tenants/{tenant.pk}/metrics/history?{query}"), 400, param)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"name": "x" * 101, "namespace": "ns", "deployment_name": "web"}, "name"),
        ({"name": "ok", "namespace": "Ünïcode", "deployment_name": "web"}, "namespace"),
        ({"name": "ok", "namespace": "ns", "deployment_name": "web-" + "a" * 70}, "deployment_name"),
        ({"name": "ok", "namespace": "ns", "deployment_name": "web", "desired_replicas": -1}, "desired_replicas"),
        (
            {"name": "ok", "namespace": "ns", "deployment_name": "web", "desired_replicas": int(HUGE)},
            "desired_replicas",
        ),
        ({"name": "ok", "namespace": "ns", "deployment_name": "web", "desired_replicas": "two"}, "desired_replicas"),
        ({"name": "\u202eevil\x00", "namespace": "ns", "deployment_name": "web"}, "name"),
    ],
)
def test_bad_tenant_fields_are_400s_naming_them_and_register_nothing(superuser, body, param):
    _assert_error(token_client(superuser).post("/api/tenants/", body, format="json"), 400, param)
    assert not Tenant.objects.exists()


def test_a_unicode_name_within_the_length_is_accepted(superuser):
    body = {"name": "Zürich café 東京", "namespace": "ns", "deployment_name": "web"}
    response = token_client(superuser).post("/api/tenants/", body, format="json")
    assert response.status_code == 201
    assert response.json()["name"] == "Zürich café 東京"


@pytest.mark.parametrize("replicas", [-1, 1001, int(HUGE), "3", 2.5, None, [], {}, True])
def test_bad_replicas_are_400s_and_record_nothing(operator, tenant, replicas):
    response = token_client(operator).post(f"/api/tenants/{tenant.pk}/scale", {"replicas": replicas}, format="json")
    if replicas == "3":  # a numeric string is an integer to a JSON API written in digits
        assert response.status_code == 200
        return
    _assert_error(response, 400, "replicas")
    assert TenantStateHistory.objects.filter(tenant=tenant).count() == 1


@pytest.mark.parametrize(
    "raw", ['{"replicas": 2', "[1, 2]", '"just a string"', "null", "{" * 5000 + "}" * 5000, "\xff\xfe"]
)
def test_malformed_or_wrong_shaped_json_is_a_400(operator, tenant, raw):
    response = token_client(operator).generic(
        "POST",
        f"/api/tenants/{tenant.pk}/scale",
        raw.encode("utf-8", "surrogateescape"),
        content_type="application/json",
    )
    _assert_error(response, 400)
    assert TenantStateHistory.objects.filter(tenant=tenant).count() == 1


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "image/png"])
def test_a_body_of_another_content_type_is_a_415_or_400(operator, tenant, content_type):
    response = token_client(operator).generic(
        "POST", f"/api/tenants/{tenant.pk}/scale", json.dumps({"replicas": 2}), content_type=content_type
    )
    assert response.status_code in (400, 415)
    _assert_error(response, response.status_code)
    assert TenantStateHistory.objects.filter(tenant=tenant).count() == 1


@pytest.mark.parametrize(
    "query",
    ["year=abc", "month=13", f"year={HUGE}", "tz=Not/AZone", "tz=%F0%9F%95%92", "month=%E2%91%A0"],
)
def test_the_uptime_tab_answers_bad_parameters_with_a_400_page(client, viewer, tenant, query):
    client.force_login(viewer)
    response = client.get(f"/tenants/{tenant.pk}/uptime/?{query}")
    assert response.status_code == 400


@pytest.mark.parametrize("query", ["sort=%00", "state=exploded", "q=" + "x" * 10_000, "sort=" + "-" * 500])
def test_the_tenant_list_never_fails_on_odd_parameters(client, viewer, tenant, query):
    client.force_login(viewer)
    assert client.get(f"/?{query}").status_code in (200, 400)


@pytest.mark.parametrize("replicas", ["abc", "-1", HUGE, "1.5", ""])
def test_the_scale_button_answers_bad_replicas_with_a_400(client, operator, tenant, replicas):
    client.force_login(operator)
    response = client.post(f"/tenants/{tenant.pk}/scale", {"replicas": replicas}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert TenantStateHistory.objects.filter(tenant=tenant).count() == 1


@pytest.mark.parametrize("path", ["/api/metrics/monthly?format=AAA", "/api/tenants/{id}/?format=xml"])
def test_an_unknown_format_is_a_400_naming_it(viewer, tenant, path):
    _assert_error(token_client(viewer).get(path.format(id=tenant.pk)), 400, "format")


@pytest.mark.parametrize("path", ["/api/tenants/{id}/metrics/history?format=csv", "/api/metrics/monthly?format=csv"])
def test_options_on_a_csv_endpoint_answers_json(viewer, tenant, path):
    response = token_client(viewer).options(path.format(id=tenant.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
