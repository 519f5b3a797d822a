"""The database itself refuses rows that break SPEC section 1, whatever code writes them."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tenants.models import Tenant, TenantStateHistory

pytestmark = pytest.mark.django_db


def _record(tenant: Tenant, **fields) -> TenantStateHistory:
    values = dict(
        tenant=tenant,
        previous_state="stopped",
        new_state="running",
        previous_replicas=0,
        new_replicas=1,
        changed_at=timezone.now(),
        changed_by="tester",
        source="api",
    )
    values.update(fields)
    with transaction.atomic():
        return TenantStateHistory.objects.create(**values)


def test_it_rejects_a_history_record_with_an_invalid_new_state(make_tenant):
    with pytest.raises(IntegrityError):
        _record(make_tenant(), new_state="paused")


def test_it_rejects_a_history_record_with_an_invalid_previous_state(make_tenant):
    with pytest.raises(IntegrityError):
        _record(make_tenant(), previous_state="RUNNING")


def test_it_rejects_negative_replicas_in_history(make_tenant):
    tenant = make_tenant()
    with pytest.raises(IntegrityError):
        _record(tenant, new_replicas=-1)
    with pytest.raises(IntegrityError):
        _record(tenant, previous_replicas=-2)


def test_it_rejects_an_invalid_source(make_tenant):
    with pytest.raises(IntegrityError):
        _record(make_tenant(), source="kubectl")


def test_it_rejects_a_record_that_changes_neither_state_nor_replicas(make_tenant):
    with pytest.raises(IntegrityError):
        _record(make_tenant(), previous_state="running", new_state="running", previous_replicas=2, new_replicas=2)


def test_it_accepts_a_replica_only_change(make_tenant):
    record = _record(make_tenant(), previous_state="running", new_state="running", previous_replicas=1, new_replicas=3)
    assert record.pk


def test_it_rejects_a_tenant_with_an_invalid_state(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Tenant.objects.create(name="bad", namespace="ns", deployment_name="app", state="sleeping")


def test_it_rejects_negative_tenant_replicas_and_zero_desired_replicas(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Tenant.objects.create(name="neg", namespace="ns", deployment_name="app", replicas=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Tenant.objects.create(name="zero", namespace="ns", deployment_name="app", desired_replicas=0)


def test_it_rejects_a_second_tenant_for_the_same_deployment(db):
    Tenant.objects.create(name="first", namespace="ns", deployment_name="app")
    with pytest.raises(IntegrityError), transaction.atomic():
        Tenant.objects.create(name="second", namespace="ns", deployment_name="app")


def test_it_rejects_a_second_tenant_with_the_same_name(db):
    Tenant.objects.create(name="same", namespace="ns", deployment_name="one")
    with pytest.raises(IntegrityError), transaction.atomic():
        Tenant.objects.create(name="same", namespace="ns", deployment_name="two")
