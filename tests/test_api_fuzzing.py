"""Schemathesis against ``/api/schema/``: every operation, valid and invalid input, a bounded and seeded run.

Each operation gets ``FUZZ_EXAMPLES`` examples (positive and negative generation), derandomized so
CI sees the same cases every run. The checks: never a server error, and every response has a
documented status, content type, headers and body shape. Requests carry a superuser's token so
every operation is reached past authentication; half the generated tenant and schedule ids are
mapped to a real tenant and schedule so requests reach the code behind the 404.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tenants.models import Tenant
from tenants.schedules.services import schedule_create

pytestmark = pytest.mark.django_db

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())

# The id of the tenant each example may use (set per test by the fixture below).
KNOWN = {"tenant_id": 0, "pk": 0}
# Requests sent per operation, written to test-artifacts/fuzz-calls.json for the record.
CALLS: Counter[str] = Counter()


@schema.hook
def after_call(context, case, response) -> None:
    CALLS[f"{case.method} {case.path}"] += 1


@pytest.fixture(scope="module", autouse=True)
def _report_calls():
    yield
    artifacts = Path(__file__).resolve().parent.parent / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    report = {"examples_per_operation": FUZZ_EXAMPLES, "requests": sum(CALLS.values()), "by_operation": CALLS}
    (artifacts / "fuzz-calls.json").write_text(json.dumps(report, indent=2, sort_keys=True))


@schema.hook
def map_path_parameters(context, path_parameters: dict | None) -> dict | None:
    for name, known in KNOWN.items():  # tenant_id, and pk (a schedule's id)
        value = (path_parameters or {}).get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value % 2 == 0:
            path_parameters[name] = known
    return path_parameters


@pytest.fixture
def fuzz_target(make_tenant, superuser, ready_at_once, settings_override) -> dict[str, str]:
    tenant = make_tenant("fuzzed", desired_replicas=2)
    KNOWN["tenant_id"] = tenant.pk
    KNOWN["pk"] = schedule_create(tenant=tenant, action="scale", replicas=3, cron="0 7 * * 1-5", actor="fuzz").pk
    token, _ = Token.objects.get_or_create(user=superuser)
    return {"Authorization": f"Token {token.key}"}


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Schemathesis calls the WSGI app directly, not through Django's test client, so the request
    signals would close the test's database connection (inside its transaction) after each request.
    Django's test client disconnects them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def settings_override(settings):
    # The fuzzer sends hundreds of requests a minute as one user: throttling is tested on its own.
    settings.API_THROTTLE_RATES = {"user": None, "anon": None}
    return settings


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_api_never_errs_and_answers_as_its_schema_says(case, fuzz_target):
    case.call_and_validate(headers=fuzz_target, checks=CHECKS)
    assert Tenant.objects.filter(pk=KNOWN["tenant_id"]).exists()
