"""Two reconcilers reading the same cluster at the same moment record each observation once."""

import threading

import pytest
from django.db import connection

from tenants.models import TenantStateHistory
from tenants.reconciler import reconcile_tenants

from .chain import assert_unbroken_chain
from .conftest import requires_postgres


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_reconcilers_that_saw_the_same_drift_record_it_once(kubernetes_cluster, make_tenant):
    tenants = []
    for number in range(10):
        kubernetes_cluster.add("team-a", f"app-{number}", replicas=1, ready=1)
        tenants.append(make_tenant(f"tenant-{number}", namespace="team-a", deployment_name=f"app-{number}"))
        kubernetes_cluster.set("team-a", f"app-{number}", replicas=4, ready=4)
    records_before = TenantStateHistory.objects.count()
    kubernetes_cluster.list_barrier = threading.Barrier(2)  # both read the cluster before either writes
    written, errors = [], []

    def reconciler() -> None:
        try:
            written.append(reconcile_tenants().records_written)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=reconciler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert kubernetes_cluster.count("list", "deployments") == 2
    assert sum(written) == 10
    assert TenantStateHistory.objects.count() == records_before + 10
    for tenant in tenants:
        assert [record.new_replicas for record in assert_unbroken_chain(tenant)] == [1, 4]
