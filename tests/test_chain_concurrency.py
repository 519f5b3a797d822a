"""Concurrent changes to one tenant never break its history chain (PostgreSQL row locks)."""

import random
import threading

import pytest
from django.db import connection

from tenants.cluster import ClusterError
from tenants.models import TenantStateHistory
from tenants.services import tenant_scale, tenant_start, tenant_stop

from .chain import assert_unbroken_chain
from .conftest import requires_postgres

THREADS = 8
CALLS_PER_THREAD = 25


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_eight_threads_of_random_actions_keep_one_unbroken_chain(make_tenant, settings):
    settings.SIMULATED_READY_SECONDS = 0
    tenant = make_tenant()
    changes = []
    errors = []
    barrier = threading.Barrier(THREADS)

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        barrier.wait()
        try:
            for _ in range(CALLS_PER_THREAD):
                action = rng.choice(["start", "stop", "scale"])
                actor = f"thread-{seed}"
                if action == "start":
                    change = tenant_start(tenant=tenant, actor=actor, source="api")
                elif action == "stop":
                    change = tenant_stop(tenant=tenant, actor=actor, source="api")
                else:
                    change = tenant_scale(tenant=tenant, replicas=rng.randint(0, 4), actor=actor, source="api")
                changes.append(change.changed)
        except (ClusterError, Exception) as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(changes) == THREADS * CALLS_PER_THREAD
    records = assert_unbroken_chain(tenant)
    assert len(records) - 1 == sum(changes)  # one record per call that changed something, plus the first
    assert sum(changes) > THREADS  # the calls really did change the tenant, many times
    assert TenantStateHistory.objects.filter(tenant=tenant).count() == len(records)
