"""BENCH_COUNT_QUERIES=1 adds X-Query-Count, the SQL statements a request ran; off, nothing is added."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api_clients import token_client

pytestmark = pytest.mark.django_db
COUNTING = "tenantmgmt.querycount.QueryCountHeaderMiddleware"


@pytest.mark.parametrize("path", ["/api/tenants/{id}/metrics/monthly", "/api/tenants/{id}/metrics", "/api/tenants/"])
def test_the_header_counts_every_query_of_the_request(settings, viewer, make_tenant, path):
    settings.MIDDLEWARE = [COUNTING, *settings.MIDDLEWARE]
    tenant = make_tenant()
    client = token_client(viewer)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path.format(id=tenant.pk))

    assert response.status_code == 200
    assert int(response["X-Query-Count"]) == len(captured) > 0


def test_there_is_no_header_unless_asked_for(settings, viewer, make_tenant):
    assert COUNTING not in settings.MIDDLEWARE
    tenant = make_tenant()

    response = token_client(viewer).get(f"/api/tenants/{tenant.pk}/metrics/monthly")

    assert "X-Query-Count" not in response
