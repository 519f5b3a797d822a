"""History rows cannot be changed or deleted: not by the admin, the API, the ORM, nor SQL on PostgreSQL."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from tenants.models import TenantStateHistory
from tenants.services import PURGE_SETTING, tenant_archive, tenant_purge
from tenants.states import Source
from tests.api_clients import token_client

from .conftest import requires_postgres

pytestmark = pytest.mark.django_db


def _record(tenant):
    return TenantStateHistory.objects.get(tenant=tenant)


@requires_postgres
def test_the_database_refuses_to_update_a_history_record(make_tenant):
    record = _record(make_tenant())
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        TenantStateHistory.objects.filter(pk=record.pk).update(reason="rewritten")
    record.refresh_from_db()
    assert record.reason == "Registered"


@requires_postgres
def test_the_database_refuses_to_delete_a_history_record_even_in_raw_sql(make_tenant):
    record = _record(make_tenant())
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM tenant_state_history WHERE id = %s", [record.pk])
    assert TenantStateHistory.objects.filter(pk=record.pk).exists()


@requires_postgres
def test_the_purge_setting_allows_deleting_but_never_updating(make_tenant):
    record = _record(make_tenant())
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
        cursor.execute("UPDATE tenant_state_history SET reason = 'x' WHERE id = %s", [record.pk])


def test_purging_removes_an_archived_tenant_and_its_history_and_locks_history_again(make_tenant):
    keep = make_tenant("keep")
    tenant = tenant_archive(tenant=make_tenant("gone"), actor="tester", source=Source.API)

    assert tenant_purge(tenant=tenant, actor="tester") == 1

    assert not TenantStateHistory.objects.filter(tenant_id=tenant.pk).exists()
    if connection.vendor == "postgresql":  # the lift was for the purge only
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _record(keep).delete()


def test_a_tenant_that_is_not_archived_cannot_be_purged(make_tenant):
    from django.core.exceptions import ValidationError

    tenant = make_tenant()
    with pytest.raises(ValidationError):
        tenant_purge(tenant=tenant, actor="tester")
    assert _record(tenant)


def test_the_admin_offers_no_way_to_change_or_delete_history(client, superuser, make_tenant):
    record = _record(make_tenant())
    client.force_login(superuser)
    base = "/admin/tenants/tenantstatehistory/"
    assert client.post(f"{base}{record.pk}/change/", {"reason": "x"}).status_code == 403
    assert client.post(f"{base}{record.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(base, {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"})
    record.refresh_from_db()
    assert record.reason == "Registered"


def test_the_api_has_no_way_to_change_or_delete_history(superuser, make_tenant):
    tenant = make_tenant()
    api = token_client(superuser)
    for method in (api.put, api.patch, api.delete, api.post):
        assert method(f"/api/tenants/{tenant.pk}/metrics/history", {}, format="json").status_code == 405
    assert TenantStateHistory.objects.filter(tenant=tenant).count() == 1


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_the_trigger_migration_reverses(make_tenant):
    call_command("migrate", "tenants", "0004_tenant_archived_at", verbosity=0)
    try:
        record = _record(make_tenant())
        TenantStateHistory.objects.filter(pk=record.pk).update(reason="no trigger now")
    finally:
        call_command("migrate", verbosity=0)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        TenantStateHistory.objects.filter(pk=record.pk).update(reason="again")
