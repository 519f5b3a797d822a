"""The time of the last successful sync is kept, and shown in the admin and at /api/cluster/status."""

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from tenants.cluster import ClusterError
from tenants.cluster_sync import cluster_sync_report
from tenants.models import ClusterSyncStatus
from tenants.reconciler import reconcile_tenants

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def two_tenants(kubernetes_cluster, make_tenant):
    for namespace in ("team-a", "team-b"):
        kubernetes_cluster.add(namespace, "shop", replicas=1, ready=1)
        make_tenant(f"shop-{namespace}", namespace=namespace, deployment_name="shop")
    return kubernetes_cluster


def _reconcile_at(moment):
    # A failed reconcile is part of some stories here.
    with time_machine.travel(moment, tick=False), contextlib.suppress(ClusterError):
        reconcile_tenants()


def test_a_successful_reconcile_is_kept_as_the_last_successful_sync(two_tenants):
    _reconcile_at(T0)
    report = cluster_sync_report(now=T0 + timedelta(seconds=5))
    assert (report.backend, report.last_success_at, report.last_attempt_at) == ("kubernetes", T0, T0)
    assert (report.tenants_seen, report.namespaces_seen, report.consecutive_failures) == (2, 2, 0)
    assert (report.healthy, report.seconds_since_last_success) == (True, 5)


def test_a_failed_reconcile_keeps_the_last_success_and_notes_the_error(two_tenants):
    _reconcile_at(T0)
    two_tenants.fail_next(500, count=100)
    _reconcile_at(T0 + timedelta(seconds=15))
    _reconcile_at(T0 + timedelta(seconds=30))

    report = cluster_sync_report(now=T0 + timedelta(seconds=31))
    assert report.last_success_at == T0
    assert (report.last_attempt_at, report.last_failure_at) == (T0 + timedelta(seconds=30),) * 2
    assert report.consecutive_failures == 2
    assert "answered 500 to list deployments in namespace 'team-a'" in report.last_error
    assert report.healthy is False


def test_a_success_after_failures_is_healthy_again(two_tenants):
    two_tenants.fail_next(503, count=3)
    _reconcile_at(T0)
    _reconcile_at(T0 + timedelta(seconds=15))
    report = cluster_sync_report(now=T0 + timedelta(seconds=15))
    assert (report.healthy, report.consecutive_failures, report.last_success_at) == (
        True,
        0,
        T0 + timedelta(seconds=15),
    )
    assert report.last_failure_at == T0  # the last failure stays on record


def test_a_sync_older_than_three_reconcile_intervals_is_stale(two_tenants, settings):
    settings.RECONCILE_INTERVAL_SECONDS = 15
    _reconcile_at(T0)
    assert cluster_sync_report(now=T0 + timedelta(seconds=45)).healthy is True
    stale = cluster_sync_report(now=T0 + timedelta(seconds=46))
    assert (stale.healthy, stale.stale_after_seconds, stale.seconds_since_last_success) == (False, 45, 46)


def test_a_backend_never_synced_reports_no_success_and_is_not_healthy(db):
    report = cluster_sync_report(now=T0)
    assert (report.backend, report.last_success_at, report.healthy, report.seconds_since_last_success) == (
        "simulated",
        None,
        False,
        None,
    )


# --- GET /api/cluster/status -----------------------------------------------------------------
URL = "/api/cluster/status"


def test_the_status_endpoint_returns_401_for_anonymous_requests(db):
    assert APIClient().get(URL).status_code == 401


def test_the_status_endpoint_returns_403_without_the_view_permission(stranger):
    client = APIClient()
    client.force_authenticate(stranger)
    assert client.get(URL).status_code == 403


def test_the_status_endpoint_shows_the_last_successful_sync_to_viewers(two_tenants, viewer):
    _reconcile_at(T0)
    client = APIClient()
    client.force_authenticate(viewer)
    with time_machine.travel(T0 + timedelta(seconds=20), tick=False):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "backend": "kubernetes",
        "healthy": True,
        "stale_after_seconds": 45,
        "last_success_at": "2026-03-02T09:00:00Z",
        "seconds_since_last_success": 20,
        "last_attempt_at": "2026-03-02T09:00:00Z",
        "last_failure_at": None,
        "last_error": "",
        "consecutive_failures": 0,
        "tenants_seen": 2,
        "namespaces_seen": 2,
        "last_duration_seconds": response.json()["last_duration_seconds"],
    }
    assert response.json()["last_duration_seconds"] >= 0


def test_the_url_is_named_cluster_status():
    assert reverse("cluster-status") == URL


# --- admin ---------------------------------------------------------------------------------------
@pytest.fixture
def plain_static_files(settings):
    """Admin pages without collectstatic's manifest (DEBUG is off in tests)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def test_the_admin_shows_the_sync_status_read_only(two_tenants, superuser, client, plain_static_files):
    _reconcile_at(T0)
    row = ClusterSyncStatus.objects.get(backend="kubernetes")
    client.force_login(superuser)

    listing = client.get(reverse("admin:tenants_clustersyncstatus_changelist"))
    assert listing.status_code == 200
    assert "kubernetes" in listing.content.decode()

    change_url = reverse("admin:tenants_clustersyncstatus_change", args=[row.pk])
    assert client.get(change_url).status_code == 200  # viewable
    assert client.post(change_url, {"backend": "forged"}).status_code == 403
    assert client.get(reverse("admin:tenants_clustersyncstatus_add")).status_code == 403
    assert ClusterSyncStatus.objects.get(pk=row.pk).backend == "kubernetes"
