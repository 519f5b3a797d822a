"""`make run` seeds demo tenants; against a real cluster it must not invent any."""

import pytest
from django.core.management import call_command

from tenants.models import Tenant, TenantStateHistory

pytestmark = pytest.mark.django_db


def test_seeding_demo_data_with_the_kubernetes_backend_creates_nothing_and_calls_nothing(kubernetes_cluster, capsys):
    call_command("seed_demo")
    assert not Tenant.objects.exists()
    assert not TenantStateHistory.objects.exists()
    assert kubernetes_cluster.requests == []
    assert "skipped (kubernetes)" in capsys.readouterr().out
