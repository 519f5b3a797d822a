"""``manage.py purge_tenant ID``: remove an archived tenant and its whole history, for good.

Asks for the tenant's name to be typed back (``--yes`` skips the question, for scripts). Only an
archived tenant can be purged; archiving is what DELETE /api/tenants/{id}/ and the admin do.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.models import Tenant
from tenants.services import tenant_purge


class Command(BaseCommand):
    help = "Remove an archived tenant and its state history for good (asks for its name as confirmation)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("tenant_id", type=int, help="The id of the archived tenant.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, tenant_id: int, yes: bool, **options) -> None:
        tenant = Tenant.objects.filter(pk=tenant_id).first()
        if tenant is None:
            raise CommandError(f"Tenant {tenant_id} does not exist.")
        if not tenant.is_archived:
            raise CommandError(
                f"Tenant {tenant.name!r} is not archived: archive it first (DELETE /api/tenants/{tenant_id}/)."
            )
        records = tenant.history.count()
        if not yes:
            self.stdout.write(
                f"This removes tenant {tenant.name!r} (id {tenant.pk}) and its {records} history records for good; "
                "its uptime can no longer be reported."
            )
            typed = input("Type the tenant's name to confirm: ")
            if typed.strip() != tenant.name:
                raise CommandError("The name did not match: nothing was removed.")
        try:
            removed = tenant_purge(tenant=tenant, actor="manage.py purge_tenant")
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Purged tenant {tenant.name!r} and {removed} history records."))
