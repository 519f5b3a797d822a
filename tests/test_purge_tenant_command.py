"""``manage.py purge_tenant ID`` removes an archived tenant for good, after its name is typed back."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tenants.models import Tenant, TenantStateHistory
from tenants.services import tenant_archive
from tenants.states import Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived(make_tenant):
    return tenant_archive(tenant=make_tenant("acme"), actor="tester", source=Source.API)


def test_it_purges_when_the_typed_name_matches(archived, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "acme")
    out = StringIO()
    call_command("purge_tenant", str(archived.pk), stdout=out)
    assert "Purged tenant 'acme' and 1 history records" in out.getvalue()
    assert not Tenant.objects.filter(pk=archived.pk).exists()
    assert not TenantStateHistory.objects.filter(tenant_id=archived.pk).exists()


def test_it_removes_nothing_when_the_typed_name_differs(archived, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "acme2")
    with pytest.raises(CommandError, match="did not match"):
        call_command("purge_tenant", str(archived.pk), stdout=StringIO())
    assert Tenant.objects.filter(pk=archived.pk).exists()


def test_yes_skips_the_question(archived):
    call_command("purge_tenant", str(archived.pk), "--yes", stdout=StringIO())
    assert not Tenant.objects.filter(pk=archived.pk).exists()


def test_it_refuses_a_tenant_that_is_not_archived(make_tenant):
    tenant = make_tenant()
    with pytest.raises(CommandError, match="not archived"):
        call_command("purge_tenant", str(tenant.pk), "--yes")
    assert TenantStateHistory.objects.filter(tenant=tenant).exists()


def test_it_names_an_unknown_id(db):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("purge_tenant", "999", "--yes")
