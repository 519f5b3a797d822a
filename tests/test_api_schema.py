"""The OpenAPI schema is valid, documents each endpoint once, and Swagger UI is served locally."""

import pytest
import yaml
from openapi_spec_validator import validate

from tests.api_clients import token_client
from tests.test_api_metrics_endpoints import MONTHLY_FIELDS

pytestmark = pytest.mark.django_db

SPEC_PATHS = {
    "/api/tenants/": {"get", "post"},
    "/api/tenants/{tenant_id}/": {"get", "patch", "delete"},
    "/api/tenants/{tenant_id}/start": {"post"},
    "/api/tenants/{tenant_id}/stop": {"post"},
    "/api/tenants/{tenant_id}/scale": {"post"},
    "/api/tenants/{tenant_id}/metrics": {"get"},
    "/api/tenants/{tenant_id}/metrics/current-state": {"get"},
    "/api/tenants/{tenant_id}/metrics/monthly": {"get"},
    "/api/tenants/{tenant_id}/metrics/history": {"get"},
    "/api/tenants/{tenant_id}/schedules/": {"get", "post"},
    "/api/schedules/{id}/": {"get", "patch", "delete"},
    "/api/schedules/{id}/executions/": {"get"},
}


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_is_a_valid_openapi_3_document(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_the_schema_documents_each_spec_endpoint_once(schema):
    documented = {path: set(operations) - {"parameters"} for path, operations in schema["paths"].items()}

    for path, methods in SPEC_PATHS.items():
        assert methods <= documented.get(path, set()), path
    assert not [path for path in documented if path.startswith("/api/tenants") and path not in SPEC_PATHS]


def test_the_schema_declares_the_query_parameters_and_error_responses(schema):
    monthly = schema["paths"]["/api/tenants/{tenant_id}/metrics/monthly"]["get"]
    query = {parameter["name"]: parameter for parameter in monthly["parameters"] if parameter["in"] == "query"}

    assert set(query) == {"year", "month", "tz"}
    assert (query["month"]["schema"]["minimum"], query["month"]["schema"]["maximum"]) == (1, 12)
    assert set(monthly["responses"]) == {"200", "400", "401", "403", "404"}
    history = schema["paths"]["/api/tenants/{tenant_id}/metrics/history"]["get"]
    assert {parameter["name"] for parameter in history["parameters"]} >= {"limit", "cursor"}
    assert "503" in schema["paths"]["/api/tenants/{tenant_id}/scale"]["post"]["responses"]


def test_the_schemas_monthly_fields_are_the_spec_fields_and_the_added_ones(schema):
    monthly = schema["components"]["schemas"]["MonthlyMetrics"]

    assert monthly["properties"]["uptime_percentage"]["nullable"] is True
    assert set(monthly["required"]) == set(monthly["properties"])
    assert set(monthly["properties"]) == MONTHLY_FIELDS


@pytest.fixture
def static_without_manifest(settings):
    """Tests run without collectstatic, so the manifest storage of production has no manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.mark.usefixtures("static_without_manifest")
def test_swagger_ui_is_served_from_our_own_static_files(client):
    page = client.get("/api/docs/").content.decode()

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "//cdn" not in page
    assert "/api/schema/" in page


@pytest.mark.usefixtures("static_without_manifest")
def test_the_browsable_api_renders_html_for_a_browser(viewer):
    response = token_client(viewer).get("/api/tenants/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
