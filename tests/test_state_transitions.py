"""Each transition rule of the state-change service, with who, why and through what."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from tenants.models import SimulatedDeployment, TenantStateHistory
from tenants.reconciler import reconcile_tenants
from tenants.services import tenant_scale, tenant_start, tenant_stop

from .chain import assert_unbroken_chain

pytestmark = pytest.mark.django_db


def _last(tenant) -> TenantStateHistory:
    return TenantStateHistory.objects.filter(tenant=tenant).order_by("changed_at", "id").last()


def test_registering_records_the_state_the_cluster_reports(make_tenant):
    tenant = make_tenant("acme", actor="alice")
    [record] = TenantStateHistory.objects.filter(tenant=tenant)
    assert (record.previous_state, record.new_state, record.previous_replicas, record.new_replicas) == (
        None,
        "stopped",
        None,
        0,
    )
    assert record.changed_by == "alice"
    assert record.changed_at == tenant.created_at == tenant.state_since


def test_registering_a_missing_deployment_records_unknown(db, make_tenant):
    SimulatedDeployment.objects.create(namespace="tenants", name="gone", deleted=True)
    tenant = make_tenant(deployment_name="gone")
    assert tenant.state == "unknown"
    assert _last(tenant).new_state == "unknown"


def test_starting_a_stopped_tenant_records_stopped_to_scaling(make_tenant):
    tenant = make_tenant(desired_replicas=2)
    change = tenant_start(tenant=tenant, actor="alice", source="ui", reason="customer call")
    record = change.record
    assert (record.previous_state, record.new_state) == ("stopped", "scaling")
    assert (record.previous_replicas, record.new_replicas) == (0, 2)
    assert (record.changed_by, record.reason, record.source) == ("alice", "customer call", "ui")
    assert change.tenant.state == "scaling"
    assert SimulatedDeployment.objects.get(name=tenant.deployment_name).replicas == 2


def test_the_reconciler_records_scaling_to_running_once_a_replica_is_ready(make_tenant):
    tenant = make_tenant()
    tenant_start(tenant=tenant, actor="alice", source="api")
    assert reconcile_tenants().records_written == 0  # not ready yet
    with time_machine.travel(timezone.now() + timedelta(seconds=11)):
        assert reconcile_tenants().records_written == 1
        assert reconcile_tenants().records_written == 0  # the same observation is not recorded twice
    record = _last(tenant)
    assert (record.previous_state, record.new_state) == ("scaling", "running")
    assert (record.changed_by, record.source) == ("cluster", "reconciler")
    assert "1 of 1 replicas ready" in record.reason
    assert_unbroken_chain(tenant)


def test_rescaling_a_running_tenant_stays_running_with_the_replica_change(make_tenant, ready_at_once):
    tenant = make_tenant()
    tenant_start(tenant=tenant, actor="alice", source="api")
    reconcile_tenants()
    change = tenant_scale(tenant=tenant, replicas=3, actor="bob", source="api", reason="peak")
    record = change.record
    assert (record.previous_state, record.new_state, record.previous_replicas, record.new_replicas) == (
        "running",
        "running",
        1,
        3,
    )
    assert change.tenant.desired_replicas == 3
    change = tenant_scale(tenant=tenant, replicas=1, actor="bob", source="api")
    assert (change.record.new_state, change.record.new_replicas) == ("running", 1)


def test_stopping_records_stopped_with_zero_replicas(make_tenant, ready_at_once):
    tenant = make_tenant(desired_replicas=3)
    tenant_start(tenant=tenant, actor="alice", source="api")
    reconcile_tenants()
    record = tenant_stop(tenant=tenant, actor="scheduler", source="schedule", reason="nightly").record
    assert (record.previous_state, record.new_state, record.previous_replicas, record.new_replicas) == (
        "running",
        "stopped",
        3,
        0,
    )
    assert SimulatedDeployment.objects.get(name=tenant.deployment_name).replicas == 0


def test_scaling_to_zero_is_a_stop(make_tenant, ready_at_once):
    tenant = make_tenant()
    tenant_start(tenant=tenant, actor="alice", source="api")
    record = tenant_scale(tenant=tenant, replicas=0, actor="alice", source="api").record
    assert (record.new_state, record.new_replicas) == ("stopped", 0)


def test_scaling_a_stopped_tenant_up_is_stopped_to_scaling(make_tenant):
    tenant = make_tenant()
    record = tenant_scale(tenant=tenant, replicas=4, actor="alice", source="api").record
    assert (record.previous_state, record.new_state, record.new_replicas) == ("stopped", "scaling", 4)


def test_an_action_that_changes_nothing_writes_no_record(make_tenant, ready_at_once):
    tenant = make_tenant(desired_replicas=2)
    assert not tenant_stop(tenant=tenant, actor="alice", source="api").changed
    tenant_start(tenant=tenant, actor="alice", source="api")
    assert not tenant_start(tenant=tenant, actor="alice", source="api").changed
    assert not tenant_scale(tenant=tenant, replicas=2, actor="alice", source="api").changed
    assert TenantStateHistory.objects.filter(tenant=tenant).count() == 2


@pytest.mark.parametrize("replicas", [-1, 1001, "3", 2.5, True, None])
def test_scaling_rejects_replicas_that_are_not_a_sane_integer(make_tenant, replicas):
    tenant = make_tenant()
    with pytest.raises(ValidationError):
        tenant_scale(tenant=tenant, replicas=replicas, actor="alice", source="api")
    assert TenantStateHistory.objects.filter(tenant=tenant).count() == 1


def test_the_reconciler_records_a_change_made_outside_the_application_once(make_tenant, ready_at_once):
    tenant = make_tenant()
    tenant_start(tenant=tenant, actor="alice", source="api")
    reconcile_tenants()
    SimulatedDeployment.objects.filter(name=tenant.deployment_name).update(replicas=5)  # someone ran kubectl scale
    assert reconcile_tenants().records_written == 1
    record = _last(tenant)
    assert (record.previous_replicas, record.new_replicas, record.new_state) == (1, 5, "running")
    assert (record.changed_by, record.source) == ("cluster", "reconciler")
    assert "spec replicas 1 -> 5" in record.reason
    assert reconcile_tenants().records_written == 0
    assert_unbroken_chain(tenant)


def test_the_reconciler_records_a_deployment_that_is_gone_as_unknown(make_tenant):
    tenant = make_tenant()
    SimulatedDeployment.objects.filter(name=tenant.deployment_name).update(deleted=True)
    reconcile_tenants()
    record = _last(tenant)
    assert (record.previous_state, record.new_state) == ("stopped", "unknown")
    assert "not found" in record.reason
    assert reconcile_tenants().records_written == 0


def test_a_record_is_never_older_than_the_one_before_it(make_tenant):
    tenant = make_tenant()
    with time_machine.travel(timezone.now() - timedelta(seconds=30)):  # this host's clock runs behind
        tenant_start(tenant=tenant, actor="alice", source="api")
    assert_unbroken_chain(tenant)
    first, second = TenantStateHistory.objects.filter(tenant=tenant).order_by("id")
    assert second.changed_at >= first.changed_at
