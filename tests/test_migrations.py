"""Migrations go forward and back: the rollback plan is `migrate <app> zero`, not DROP TABLE."""

import pytest
from django.core.management import call_command
from django.db import connection


def _tables() -> set[str]:
    return set(connection.introspection.table_names())


@pytest.mark.django_db(transaction=True)
def test_tenants_migrations_apply_backwards_to_zero_and_forwards_again():
    assert {"tenants", "tenant_state_history"} <= _tables()
    call_command("migrate", "tenants", "zero", verbosity=0)
    assert not {"tenants", "tenant_state_history"} & _tables()
    call_command("migrate", verbosity=0)
    assert {"tenants", "tenant_state_history", "simulated_deployments"} <= _tables()


@pytest.mark.django_db
def test_the_history_index_on_tenant_and_changed_at_exists():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "tenant_state_history")
    indexed = [c["columns"] for c in constraints.values() if c["index"] and not c["primary_key"]]
    assert ["tenant_id", "changed_at"] in indexed
