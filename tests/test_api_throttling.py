"""API throttling per user, counted in the shared cache; a throttled request is a 429 in the error shape."""

import pytest
from django.core.cache import cache

from tests.api_clients import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    settings.API_THROTTLE_RATES = {"user": "3/minute", "anon": "2/minute"}
    cache.clear()
    yield
    cache.clear()


def test_a_user_over_the_rate_gets_429_with_retry_after(viewer, rates):
    api = token_client(viewer)
    assert [api.get("/api/tenants/").status_code for _ in range(3)] == [200, 200, 200]
    response = api.get("/api/tenants/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"
    assert set(response.json()) == {"detail", "code", "errors"}


def test_each_user_has_a_budget_of_their_own(viewer, operator, rates):
    for _ in range(3):
        token_client(viewer).get("/api/tenants/")
    assert token_client(viewer).get("/api/tenants/").status_code == 429
    assert token_client(operator).get("/api/tenants/").status_code == 200


def test_anonymous_requests_are_throttled_by_address(rates):
    anonymous = token_client(None)
    assert [anonymous.get("/api/schema/").status_code for _ in range(2)] == [200, 200]
    assert anonymous.get("/api/schema/").status_code == 429


def test_the_counters_live_in_the_shared_cache(viewer, rates):
    token_client(viewer).get("/api/tenants/")
    assert cache.get(f"throttle_user_{viewer.pk}")
