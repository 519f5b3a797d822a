"""Redis down (a private redis-server, killed): pages, metrics and the API keep working, readiness
names the broker, and dispatching schedules says the broker is down and loses no run.

The cache and the Celery broker of this process are pointed at the private server for each test.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from django.test import Client
from django.utils import timezone

from tenantmgmt.celery import app
from tenants.schedules.models import TenantSchedule
from tenants.schedules.runs import BrokerUnavailableError, schedules_dispatch
from tenants.schedules.services import schedule_create
from tenants.schedules.tasks import enqueue_runs
from tests.api_clients import token_client

from .fault_processes import REDIS_SERVER, PrivateRedis

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server on PATH"),
]


@pytest.fixture
def private_redis(tmp_path, settings):
    """A private Redis as this process's cache and broker; started, the test stops it at will."""
    server = PrivateRedis(tmp_path).start()
    settings.CACHES = {
        "default": {
            "BACKEND": "tenantmgmt.cache.FailOpenRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.API_THROTTLE_RATES = {"user": "1000/minute", "anon": "1000/minute"}
    keys = ("broker_url", "broker_read_url", "broker_write_url", "broker_transport_options")
    previous = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=server.url, broker_read_url=server.url, broker_write_url=server.url)
    app.conf.broker_transport_options = {"visibility_timeout": 600}
    app._pool = None  # connections are pooled per URL: start afresh
    yield server
    server.stop()
    app.conf.update(previous)
    app._pool = None


def test_pages_metrics_and_the_api_keep_working_with_redis_down(private_redis, make_tenant, operator):
    tenant = make_tenant("acme")
    private_redis.stop()

    client = Client()
    client.force_login(operator)
    for path in ("/", f"/tenants/{tenant.pk}/", f"/tenants/{tenant.pk}/uptime/", f"/tenants/{tenant.pk}/history/"):
        assert client.get(path).status_code == 200, path
    api = token_client(operator)
    for path in ("", "metrics", "metrics/current-state", "metrics/monthly", "metrics/history"):
        assert api.get(f"/api/tenants/{tenant.pk}/{path}").status_code == 200, path
    # Actions do not need the broker: they go straight to the cluster.
    assert api.post(f"/api/tenants/{tenant.pk}/scale", {"replicas": 2}, format="json").status_code == 200


def test_readiness_names_the_broker_while_redis_is_down_and_recovers(private_redis):
    assert Client().get("/readyz").status_code == 200
    private_redis.stop()

    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]
    private_redis.start()
    app._pool = None
    assert Client().get("/readyz").status_code == 200


def test_throttling_counts_again_once_redis_is_back(private_redis, viewer, settings):
    settings.API_THROTTLE_RATES = {"user": "2/minute", "anon": None}
    private_redis.stop()
    api = token_client(viewer)
    assert {api.get("/api/tenants/").status_code for _ in range(4)} == {200}  # fails open: not limited

    private_redis.start()
    assert [api.get("/api/tenants/").status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.django_db(transaction=True)  # the runs are sent when the claim commits
def test_dispatching_with_the_broker_down_says_so_and_the_run_stays_due(private_redis, make_tenant):
    tenant = make_tenant("nightly")
    schedule = schedule_create(tenant=tenant, action="stop", cron="0 3 * * *", timezone_name="UTC", actor="a")
    missed = timezone.now() - timedelta(days=3)  # three 03:00 runs were missed while the system was down
    TenantSchedule.objects.filter(pk=schedule.pk).update(next_run_at=missed)
    private_redis.stop()

    with pytest.raises(BrokerUnavailableError, match=r"broker could not be reached.*1 scheduled run"):
        schedules_dispatch(enqueue=enqueue_runs)

    schedule.refresh_from_db()
    assert schedule.next_run_at <= timezone.now()  # still due: the claim was given back

    # Redis returns: the next dispatch sends exactly one message, for the latest missed occurrence.
    private_redis.start()
    app._pool = None
    [occurrence] = schedules_dispatch(enqueue=enqueue_runs)
    assert occurrence.scheduled_for == _latest_three_am()
    assert redis.Redis.from_url(private_redis.url).llen("celery") == 1
    assert schedules_dispatch(enqueue=enqueue_runs) == []


def _latest_three_am():
    now = timezone.now()
    today = now.replace(hour=3, minute=0, second=0, microsecond=0)
    return today if today <= now else today - timedelta(days=1)
