"""Every app of ours migrates back to zero and forward again on PostgreSQL: the rollback plan is real.

It is also what the pods' `wait-for-migrations` init container relies on: `migrate --check` fails
while a migration is unapplied and passes once the migration Job has run.
"""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from .conftest import requires_postgres

OUR_APPS = ("tenants", "metrics")


def _tables_of(label: str) -> set[str]:
    models = apps.get_app_config(label).get_models(include_auto_created=True)
    return {model._meta.db_table for model in models if model._meta.managed}


def _existing_tables() -> set[str]:
    return set(connection.introspection.table_names())


def _migrated_apps() -> list[str]:
    migrated = MigrationLoader(connection, ignore_no_migrations=True).migrated_apps
    return [label for label in OUR_APPS if label in migrated]


def _migrations_are_current() -> bool:
    try:
        call_command("migrate", check_unapplied=True, verbosity=0)
    except SystemExit as exit_:
        return exit_.code == 0
    return True


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_our_apps_migrate_back_to_zero_and_forward_again():
    ours = _migrated_apps()
    assert "tenants" in ours
    tables = set().union(*(_tables_of(label) for label in OUR_APPS))
    assert tables <= _existing_tables()
    assert _migrations_are_current()

    # Newest app first: a later app's migrations may depend on an earlier one's.
    for label in reversed(ours):
        call_command("migrate", label, "zero", verbosity=0)
    assert not tables & _existing_tables()
    assert not _migrations_are_current()

    call_command("migrate", verbosity=0)
    assert tables <= _existing_tables()
    assert _migrations_are_current()


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_each_migration_of_our_apps_reverses_one_step_at_a_time():
    loader = MigrationLoader(connection)
    for label in _migrated_apps():
        names = sorted(name for app, name in loader.disk_migrations if app == label)
        # Walk back one migration at a time, as a rollback to "the previous release" would.
        for target in [*reversed(names[:-1]), "zero"]:
            call_command("migrate", label, target, verbosity=0)
        call_command("migrate", verbosity=0)
    assert _migrations_are_current()
