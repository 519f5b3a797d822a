"""`manage.py seed_demo` gives every page something true to show, and running it twice changes nothing."""

import pytest
from django.core.management import call_command

from tenants.demo.history import DEMO_TENANTS
from tenants.models import SimulatedDeployment, Tenant, TenantStateHistory
from tenants.reconciler import reconcile_tenants

from .chain import assert_unbroken_chain

pytestmark = pytest.mark.django_db


def test_it_creates_demo_tenants_with_months_of_unbroken_history():
    call_command("seed_demo", verbosity=0)
    tenants = list(Tenant.objects.all())
    assert len(tenants) == len(DEMO_TENANTS)
    states_seen = set()
    for tenant in tenants:
        records = assert_unbroken_chain(tenant)
        assert len(records) > 10
        assert (records[-1].changed_at - records[0].changed_at).days >= 85
        states_seen |= {record.new_state for record in records}
    assert states_seen == {"running", "stopped", "scaling", "unknown"}


def test_running_it_twice_changes_nothing():
    call_command("seed_demo", verbosity=0)
    count = TenantStateHistory.objects.count()
    call_command("seed_demo", verbosity=0)
    assert TenantStateHistory.objects.count() == count
    assert Tenant.objects.count() == len(DEMO_TENANTS)


def test_the_simulated_cluster_agrees_with_the_seeded_history():
    call_command("seed_demo", verbosity=0)
    assert SimulatedDeployment.objects.count() == len(DEMO_TENANTS)
    assert reconcile_tenants().records_written == 0
