"""The fleet report serves months that are over from the cache, and drops them when history is written into them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics import month_cache
from metrics.selectors import fleet_monthly_metrics, fleet_monthly_report, resolve_month
from tenants.models import Tenant
from tenants.services import tenant_append_history
from tenants.states import Source

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
FEBRUARY = (2026, 2, "Europe/Berlin")


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.METRICS_MONTH_CACHE = True
    cache.set(month_cache.GENERATION_KEY, uuid4().hex, None)  # nothing cached by another test
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def fleet(make_tenant, django_capture_on_commit_callbacks) -> list[Tenant]:
    """Three tenants registered in January, switched on and off through February."""
    tenants = []
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            tenant = make_tenant(registered_at=datetime(2026, 1, 5 + number, tzinfo=UTC))
            for day in range(1, 20, 3 + number):
                state = "running" if day % 2 else "stopped"
                tenant_append_history(
                    tenant=tenant,
                    new_state=state,
                    new_replicas=1 if state == "running" else 0,
                    changed_at=datetime(2026, 2, day, 8, tzinfo=UTC),
                    actor="tester",
                    source=Source.IMPORT,
                )
            tenants.append(tenant)
    return tenants


def _report(year: int, month: int, tz: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        rows = fleet_monthly_report(resolve_month(year, month, tz))
    return len(captured), {row.tenant_id: row.metrics for row in rows}


def _fresh(year: int, month: int, tz: str) -> dict:
    return fleet_monthly_metrics(Tenant.objects.all(), resolve_month(year, month, tz), now=NOW, timeline=False)


def test_a_month_that_is_over_is_read_once_then_served_from_the_cache(fleet):
    first_queries, first = _report(*FEBRUARY)
    second_queries, second = _report(*FEBRUARY)

    assert (first_queries, second_queries) == (4, 2)  # then only the tenants and the schedules' fingerprint
    assert first == second == _fresh(*FEBRUARY)
    assert second[fleet[0].pk].downtime_seconds > 0


def test_the_current_month_is_computed_every_time(fleet):
    assert [_report(2026, 3, "UTC")[0] for _ in range(2)] == [3, 3]


def test_nothing_is_cached_without_a_shared_cache(fleet, settings):
    settings.METRICS_MONTH_CACHE = False

    assert [_report(*FEBRUARY)[0] for _ in range(2)] == [3, 3]


def test_a_record_written_into_a_past_month_shows_up_at_once(fleet, django_capture_on_commit_callbacks):
    _report(*FEBRUARY)
    tenant = fleet[0]

    with django_capture_on_commit_callbacks(execute=True):
        tenant_append_history(
            tenant=tenant,
            new_state="scaling",
            new_replicas=3,
            changed_at=datetime(2026, 2, 27, 12, tzinfo=UTC),
            actor="importer",
            source=Source.IMPORT,
        )
    queries, after = _report(*FEBRUARY)

    assert queries == 4  # the fingerprint, then the report's 3
    assert after == _fresh(*FEBRUARY)
    assert after[tenant.pk].scaling_seconds == 35 * 3_600  # from the 27th 12:00 UTC to March 1st 00:00 in Berlin


def test_a_change_written_now_keeps_past_months_cached(fleet, django_capture_on_commit_callbacks):
    _report(*FEBRUARY)

    with django_capture_on_commit_callbacks(execute=True):
        tenant_append_history(
            tenant=fleet[1],
            new_state="unknown",
            new_replicas=0,
            changed_at=NOW,
            actor="reconciler",
            source=Source.RECONCILER,
        )

    assert _report(*FEBRUARY)[0] == 2
    assert _report(2026, 3, "UTC")[1][fleet[1].pk].unknown_seconds == 0  # at NOW: none of it has passed yet


def test_a_tenant_registered_into_a_past_month_is_in_its_report(fleet, make_tenant):
    _report(*FEBRUARY)

    late = make_tenant(registered_at=datetime(2026, 2, 14, tzinfo=UTC))
    queries, after = _report(*FEBRUARY)

    assert queries == 4  # the fingerprint, then the report's 3
    assert after == _fresh(*FEBRUARY)
    assert after[late.pk].period_start == datetime(2026, 2, 14, tzinfo=UTC)


def test_a_month_is_cached_only_an_hour_after_it_ended(fleet):
    just_ended = datetime(2026, 3, 1, 0, 30, tzinfo=UTC)  # March began at 00:00 UTC
    with time_machine.travel(just_ended, tick=False):
        assert [_report(2026, 2, "UTC")[0] for _ in range(2)] == [3, 3]
    with time_machine.travel(just_ended + timedelta(hours=1), tick=False):
        assert [_report(2026, 2, "UTC")[0] for _ in range(2)] == [4, 2]


def test_a_schedule_or_a_new_desired_replica_count_recomputes_the_month(fleet):
    from tenants.schedules.services import schedule_create, schedule_disable
    from tenants.services import tenant_update

    _report(*FEBRUARY)
    schedule = schedule_create(tenant=fleet[2], action="stop", cron="0 20 * * *", actor="tester")
    assert _report(*FEBRUARY)[0] == 4
    with time_machine.travel(NOW + timedelta(seconds=1), tick=False):  # a later edit: a later updated_at
        schedule_disable(schedule=schedule, actor="tester")
    assert _report(*FEBRUARY)[0] == 4

    tenant_update(tenant=fleet[2], desired_replicas=4)
    queries, after = _report(*FEBRUARY)

    assert queries == 4
    assert after == _fresh(*FEBRUARY)
    assert _report(*FEBRUARY)[0] == 2


def test_an_imported_history_recomputes_the_months_it_reaches(make_tenant, django_capture_on_commit_callbacks):
    from tenants.services import ImportedRecord, tenant_import_history

    with django_capture_on_commit_callbacks(execute=True):
        tenant = make_tenant(registered_at=datetime(2026, 1, 5, tzinfo=UTC))
    _report(*FEBRUARY)
    state = Tenant.objects.get(pk=tenant.pk).state
    replicas = Tenant.objects.get(pk=tenant.pk).replicas
    other = "stopped" if state != "stopped" else "running"

    with django_capture_on_commit_callbacks(execute=True):
        tenant_import_history(
            tenant=tenant,
            records=[
                ImportedRecord(
                    state, other, replicas, 0 if other == "stopped" else 1, datetime(2026, 2, 10, tzinfo=UTC), "old", ""
                )
            ],
        )
    queries, after = _report(*FEBRUARY)

    assert queries == 4
    assert after == _fresh(*FEBRUARY)
