"""Archiving while others act on the tenant (PostgreSQL row locks): once the archive commits, nothing
more is recorded, every other call either finished before it or was refused, and the chain holds."""

import threading

import pytest
from django.db import connection

from tenants.models import Tenant, TenantStateHistory
from tenants.services import TenantArchivedError, tenant_archive, tenant_scale, tenant_start, tenant_stop

from .chain import assert_unbroken_chain
from .conftest import requires_postgres

THREADS = 6
CALLS_PER_THREAD = 30


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_no_record_is_written_after_a_concurrent_archive(make_tenant, settings):
    settings.SIMULATED_READY_SECONDS = 0
    tenant = make_tenant()
    outcomes: list[str] = []
    errors: list[Exception] = []
    barrier = threading.Barrier(THREADS + 1)

    def operator(seed: int) -> None:
        barrier.wait()
        try:
            for call in range(CALLS_PER_THREAD):
                arguments = {"tenant": tenant, "actor": f"thread-{seed}", "source": "api"}
                try:
                    if call % 3 == 0:
                        tenant_start(**arguments)
                    elif call % 3 == 1:
                        tenant_stop(**arguments)
                    else:
                        tenant_scale(replicas=call % 4, **arguments)
                    outcomes.append("done")
                except TenantArchivedError:
                    outcomes.append("refused")
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    def archiver() -> None:
        barrier.wait()
        try:
            tenant_archive(tenant=tenant, actor="admin", source="api")
        finally:
            connection.close()

    threads = [threading.Thread(target=operator, args=(seed,)) for seed in range(THREADS)]
    threads.append(threading.Thread(target=archiver))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(outcomes) == THREADS * CALLS_PER_THREAD
    archived_at = Tenant.objects.get(pk=tenant.pk).archived_at
    assert archived_at is not None
    assert not TenantStateHistory.objects.filter(tenant=tenant, changed_at__gt=archived_at).exists()
    assert "refused" in outcomes  # the archive landed while calls were still coming
    assert_unbroken_chain(tenant)
