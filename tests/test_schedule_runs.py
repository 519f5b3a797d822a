"""A scheduled run acts through the state-change service as the scheduler, and records what it did."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tenants.cluster import ClusterUnavailable, use_backend
from tenants.models import Tenant, TenantStateHistory
from tenants.reconciler import reconcile_tenants
from tenants.schedules.models import ScheduleExecution
from tenants.schedules.runs import schedule_run_occurrence
from tenants.schedules.services import schedule_create, schedule_delete, schedule_disable
from tenants.services import tenant_start

from .schedules import dispatch_and_run

pytestmark = pytest.mark.django_db

CREATED = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)  # a Monday
DUE = datetime(2026, 2, 2, 19, 0, tzinfo=UTC)  # 20:00 in Berlin


class UnreachableCluster:
    def get_status(self, ref):
        raise ClusterUnavailable("connection refused")

    def list_statuses(self, namespaces):
        raise ClusterUnavailable("connection refused")

    def scale(self, ref, replicas):
        raise ClusterUnavailable("connection refused")


@pytest.fixture
def running_tenant(make_tenant, ready_at_once) -> Tenant:
    with time_machine.travel(CREATED - timedelta(hours=1), tick=False):
        tenant = tenant_start(tenant=make_tenant("acme"), actor="alice", source="api").tenant
        reconcile_tenants()  # scaling -> running: the replica is ready at once
    tenant.refresh_from_db()
    assert tenant.state == "running"
    return tenant


def _stop_at_20_berlin(tenant, **fields):
    with time_machine.travel(CREATED, tick=False):
        return schedule_create(
            tenant=tenant,
            action=fields.pop("action", "stop"),
            cron="0 20 * * 1-5",
            timezone_name="Europe/Berlin",
            actor="alice",
            **fields,
        )


def test_a_due_stop_schedule_stops_the_tenant_as_the_scheduler(running_tenant):
    schedule = _stop_at_20_berlin(running_tenant)
    assert schedule.next_run_at == DUE

    with time_machine.travel(DUE + timedelta(seconds=20), tick=False):
        dispatch_and_run()

    running_tenant.refresh_from_db()
    assert running_tenant.state == "stopped"
    [execution] = ScheduleExecution.objects.filter(schedule=schedule)
    record = TenantStateHistory.objects.filter(tenant=running_tenant).order_by("changed_at", "id").last()
    assert (execution.status, execution.error, execution.history_id) == ("succeeded", "", record.id)
    assert execution.scheduled_for == DUE
    assert execution.started_at == execution.finished_at == DUE + timedelta(seconds=20)
    assert (record.changed_by, record.source, record.new_state) == ("scheduler", "schedule", "stopped")
    assert f"Schedule #{schedule.pk}" in record.reason
    assert "0 20 * * 1-5" in record.reason


def test_a_scale_schedule_scales_to_its_replicas(running_tenant):
    schedule = _stop_at_20_berlin(running_tenant, action="scale", replicas=4)
    with time_machine.travel(DUE, tick=False):
        dispatch_and_run()
    running_tenant.refresh_from_db()
    assert (running_tenant.state, running_tenant.replicas) == ("running", 4)
    assert ScheduleExecution.objects.get(schedule=schedule).status == "succeeded"


def test_an_action_that_changes_nothing_is_skipped_and_writes_no_history(make_tenant):
    tenant = make_tenant()  # stopped
    schedule = _stop_at_20_berlin(tenant)
    before = TenantStateHistory.objects.filter(tenant=tenant).count()
    with time_machine.travel(DUE, tick=False):
        dispatch_and_run()
    execution = ScheduleExecution.objects.get(schedule=schedule)
    assert (execution.status, execution.history_id) == ("skipped", None)
    assert "already stopped" in execution.error
    assert TenantStateHistory.objects.filter(tenant=tenant).count() == before


def test_a_cluster_failure_is_recorded_as_failed_with_the_error(running_tenant):
    schedule = _stop_at_20_berlin(running_tenant)
    with time_machine.travel(DUE, tick=False), use_backend(UnreachableCluster()):
        dispatch_and_run()
    execution = ScheduleExecution.objects.get(schedule=schedule)
    assert (execution.status, execution.history_id) == ("failed", None)
    assert "connection refused" in execution.error
    running_tenant.refresh_from_db()
    assert running_tenant.state == "running"


def test_a_run_for_a_schedule_disabled_after_dispatch_is_skipped(running_tenant):
    schedule = _stop_at_20_berlin(running_tenant)
    schedule_disable(schedule=schedule, actor="bob")
    execution = schedule_run_occurrence(schedule_id=schedule.pk, scheduled_for=DUE)
    assert execution.status == "skipped"
    assert "disabled" in execution.error
    running_tenant.refresh_from_db()
    assert running_tenant.state == "running"


def test_a_run_for_a_deleted_schedule_does_nothing(running_tenant):
    schedule = _stop_at_20_berlin(running_tenant)
    schedule_id = schedule.pk
    schedule_delete(schedule=schedule, actor="bob")
    assert schedule_run_occurrence(schedule_id=schedule_id, scheduled_for=DUE) is None
    assert not ScheduleExecution.objects.exists()


def test_deleting_a_schedule_keeps_its_executions(running_tenant):
    schedule = _stop_at_20_berlin(running_tenant)
    with time_machine.travel(DUE, tick=False):
        dispatch_and_run()
    schedule_delete(schedule=schedule, actor="bob")
    [execution] = ScheduleExecution.objects.all()
    assert (execution.schedule_id, execution.tenant_id, execution.status) == (None, running_tenant.pk, "succeeded")


def test_disabled_schedules_are_not_dispatched(running_tenant):
    schedule = _stop_at_20_berlin(running_tenant)
    schedule_disable(schedule=schedule, actor="bob")
    with time_machine.travel(DUE + timedelta(minutes=1), tick=False):
        assert dispatch_and_run() == []
    assert not ScheduleExecution.objects.exists()


def test_a_schedule_is_not_dispatched_before_it_is_due(running_tenant):
    _stop_at_20_berlin(running_tenant)
    with time_machine.travel(DUE - timedelta(seconds=1), tick=False):
        assert dispatch_and_run() == []
    with time_machine.travel(DUE, tick=False):
        assert len(dispatch_and_run()) == 1


def test_a_task_run_in_the_callers_process_leaves_its_connection_and_transaction_alone(make_tenant):
    """Workers recycle their connection around each task (tenantmgmt/celery.py); an eager run must not."""
    from tenants.schedules.tasks import dispatch_due_schedules

    tenant = make_tenant("eager")  # written inside the test's transaction, not yet committed

    assert dispatch_due_schedules.apply().get() == 0
    assert list(Tenant.objects.filter(pk=tenant.pk).values_list("name", flat=True)) == ["eager"]
