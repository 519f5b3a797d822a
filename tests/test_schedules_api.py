"""The schedules API (SPEC section 3): list, add, read, change, delete, and the runs of a schedule."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from tenants.schedules.models import TenantSchedule
from tenants.schedules.services import schedule_create

from .schedules import dispatch_and_run

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)  # Monday 10:00 in Berlin


@pytest.fixture(autouse=True)
def _frozen(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast user fixtures
    with time_machine.travel(NOW, tick=False):
        yield


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def tenant(make_tenant):
    return make_tenant("acme")


@pytest.fixture
def schedule(tenant):
    return schedule_create(tenant=tenant, action="stop", cron="0 20 * * 1-5", timezone_name="Europe/Berlin", actor="a")


def test_it_adds_a_schedule_and_returns_it_with_its_next_run_and_description(operator, tenant):
    response = _client(operator).post(
        f"/api/tenants/{tenant.pk}/schedules/",
        {"action": "start", "cron": "0 8 * * 1-5", "timezone": "Europe/Berlin"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    schedule = TenantSchedule.objects.get()
    assert body == {
        "id": schedule.pk,
        "tenant_id": tenant.pk,
        "action": "start",
        "replicas": None,
        "cron": "0 8 * * 1-5",
        "timezone": "Europe/Berlin",
        "enabled": True,
        "next_run_at": "2026-02-03T07:00:00+00:00",
        "description": "At 08:00, Monday through Friday",
    }
    assert (schedule.created_by, schedule.updated_by) == ("operator", "operator")


def test_it_adds_a_scale_schedule_with_replicas(operator, tenant):
    response = _client(operator).post(
        f"/api/tenants/{tenant.pk}/schedules/",
        {"action": "scale", "replicas": 3, "cron": "*/15 * * * *"},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["replicas"], response.json()["timezone"]) == (3, "UTC")


def test_it_lists_a_tenants_schedules(viewer, tenant, schedule, make_tenant):
    other = make_tenant("other")
    schedule_create(tenant=other, action="start", cron="0 7 * * *", actor="a")
    response = _client(viewer).get(f"/api/tenants/{tenant.pk}/schedules/")
    assert response.status_code == 200
    assert [item["id"] for item in response.json()] == [schedule.pk]
    assert response.json()[0]["description"] == "At 20:00, Monday through Friday"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"action": "stop", "cron": "61 * * * *"}, "cron"),
        ({"action": "stop", "cron": "0 8 * *"}, "cron"),
        ({"action": "stop", "cron": "0 0 8 * * *"}, "cron"),
        ({"action": "stop", "cron": "0 0 31 2 *"}, "cron"),
        ({"action": "stop", "cron": "not a cron"}, "cron"),
        ({"action": "stop", "cron": ""}, "cron"),
        ({"action": "stop", "cron": 42}, "cron"),
        ({"action": "stop", "cron": "0 8 * * *", "timezone": "Mars/Olympus"}, "timezone"),
        ({"action": "stop", "cron": "0 8 * * *", "timezone": "../../etc/passwd"}, "timezone"),
        ({"action": "stop", "cron": "0 8 * * *", "timezone": ""}, "timezone"),
        ({"action": "stop", "cron": "0 8 * * *", "timezone": None}, "timezone"),
        ({"action": "reboot", "cron": "0 8 * * *"}, "action"),
        ({"cron": "0 8 * * *"}, "action"),
        ({"action": "stop"}, "cron"),
        ({"action": "scale", "cron": "0 8 * * *"}, "replicas"),
        ({"action": "scale", "cron": "0 8 * * *", "replicas": -1}, "replicas"),
        ({"action": "scale", "cron": "0 8 * * *", "replicas": 1001}, "replicas"),
        ({"action": "scale", "cron": "0 8 * * *", "replicas": "many"}, "replicas"),
        ({"action": "stop", "cron": "0 8 * * *", "replicas": 2}, "replicas"),
        ({"action": "stop", "cron": "0 8 * * *", "enabled": "perhaps"}, "enabled"),
    ],
)
def test_it_returns_400_naming_the_bad_field(operator, tenant, payload, field):
    response = _client(operator).post(f"/api/tenants/{tenant.pk}/schedules/", payload, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["errors"], body
    assert body["code"] == "invalid"
    assert field in body["detail"]
    assert not TenantSchedule.objects.exists()


def test_it_returns_400_for_a_body_that_is_not_an_object(operator, tenant):
    response = _client(operator).post(f"/api/tenants/{tenant.pk}/schedules/", [1, 2], format="json")
    assert response.status_code == 400
    malformed = _client(operator).post(f"/api/tenants/{tenant.pk}/schedules/", "{nope", content_type="application/json")
    assert malformed.status_code == 400


def test_it_changes_cron_and_time_zone_and_recomputes_the_next_run(operator, schedule):
    response = _client(operator).patch(
        f"/api/schedules/{schedule.pk}/", {"cron": "30 6 * * *", "timezone": "America/New_York"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["next_run_at"] == "2026-02-02T11:30:00+00:00"
    assert response.json()["description"] == "At 06:30"
    schedule.refresh_from_db()
    assert schedule.updated_by == "operator"


def test_disabling_clears_the_next_run_and_enabling_counts_from_now(operator, schedule):
    disabled = _client(operator).patch(f"/api/schedules/{schedule.pk}/", {"enabled": False}, format="json")
    assert (disabled.status_code, disabled.json()["enabled"], disabled.json()["next_run_at"]) == (200, False, None)
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        enabled = _client(operator).patch(f"/api/schedules/{schedule.pk}/", {"enabled": True}, format="json")
    assert enabled.json()["next_run_at"] == "2026-02-04T19:00:00+00:00"


def test_changing_a_scale_schedule_to_stop_drops_its_replicas(operator, tenant):
    scale = schedule_create(tenant=tenant, action="scale", replicas=3, cron="0 8 * * *", actor="a")
    response = _client(operator).patch(f"/api/schedules/{scale.pk}/", {"action": "stop"}, format="json")
    assert (response.status_code, response.json()["replicas"]) == (200, None)
    to_scale = _client(operator).patch(f"/api/schedules/{scale.pk}/", {"action": "scale"}, format="json")
    assert to_scale.status_code == 400
    assert "replicas" in to_scale.json()["errors"]


def test_an_invalid_patch_changes_nothing(operator, schedule):
    response = _client(operator).patch(f"/api/schedules/{schedule.pk}/", {"cron": "0 25 * * *"}, format="json")
    assert response.status_code == 400
    assert "cron" in response.json()["errors"]
    schedule.refresh_from_db()
    assert schedule.cron == "0 20 * * 1-5"


def test_put_is_not_allowed(operator, schedule):
    response = _client(operator).put(f"/api/schedules/{schedule.pk}/", {"cron": "0 8 * * *"}, format="json")
    assert response.status_code == 405


def test_it_deletes_a_schedule(operator, schedule):
    response = _client(operator).delete(f"/api/schedules/{schedule.pk}/")
    assert response.status_code == 204
    assert not TenantSchedule.objects.exists()
    assert _client(operator).get(f"/api/schedules/{schedule.pk}/").status_code == 404


def test_it_lists_executions_newest_first_with_a_limit(viewer, schedule, make_tenant, ready_at_once):
    for day in range(3):
        with time_machine.travel(datetime(2026, 2, 2 + day, 19, 0, 5, tzinfo=UTC), tick=False):
            dispatch_and_run()
    response = _client(viewer).get(f"/api/schedules/{schedule.pk}/executions/")
    assert response.status_code == 200
    body = response.json()
    assert [item["scheduled_for"] for item in body] == [
        "2026-02-04T19:00:00+00:00",
        "2026-02-03T19:00:00+00:00",
        "2026-02-02T19:00:00+00:00",
    ]
    assert set(body[0]) == {
        "id",
        "schedule_id",
        "scheduled_for",
        "started_at",
        "finished_at",
        "status",
        "error",
        "history_id",
    }
    assert body[0]["schedule_id"] == schedule.pk
    assert body[0]["status"] == "skipped"  # the tenant is stopped already
    assert body[0]["finished_at"] == "2026-02-04T19:00:05+00:00"
    limited = _client(viewer).get(f"/api/schedules/{schedule.pk}/executions/?limit=1")
    assert [item["scheduled_for"] for item in limited.json()] == ["2026-02-04T19:00:00+00:00"]


@pytest.mark.parametrize("limit", ["0", "1001", "ten", "1.5"])
def test_it_returns_400_for_a_bad_executions_limit(viewer, schedule, limit):
    response = _client(viewer).get(f"/api/schedules/{schedule.pk}/executions/?limit={limit}")
    assert response.status_code == 400
    assert "limit" in response.json()["errors"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/tenants/999999/schedules/",
        "/api/schedules/999999/",
        "/api/schedules/999999/executions/",
        "/api/schedules/99999999999999999999999/",
    ],
)
def test_it_returns_404_for_unknown_tenants_and_schedules(viewer, path):
    assert _client(viewer).get(path).status_code == 404


def test_it_returns_401_for_anonymous_requests(tenant, schedule):
    assert _client().get(f"/api/tenants/{tenant.pk}/schedules/").status_code == 401
    assert _client().get(f"/api/schedules/{schedule.pk}/").status_code == 401
    assert _client().get(f"/api/schedules/{schedule.pk}/executions/").status_code == 401


def test_it_returns_403_without_view_permission(stranger, tenant, schedule):
    assert _client(stranger).get(f"/api/tenants/{tenant.pk}/schedules/").status_code == 403
    assert _client(stranger).get(f"/api/schedules/{schedule.pk}/executions/").status_code == 403


def test_it_returns_403_for_writes_without_operate_permission(viewer, tenant, schedule):
    client = _client(viewer)
    assert client.get(f"/api/schedules/{schedule.pk}/").status_code == 200
    add = client.post(f"/api/tenants/{tenant.pk}/schedules/", {"action": "stop", "cron": "0 8 * * *"}, format="json")
    assert add.status_code == 403
    assert client.patch(f"/api/schedules/{schedule.pk}/", {"enabled": False}, format="json").status_code == 403
    assert client.delete(f"/api/schedules/{schedule.pk}/").status_code == 403
    schedule.refresh_from_db()
    assert schedule.enabled is True


def test_token_authentication_works(operator, tenant):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=operator)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(f"/api/tenants/{tenant.pk}/schedules/").status_code == 200
