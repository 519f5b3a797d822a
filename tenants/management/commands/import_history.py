"""``manage.py import_history FILE``: the old system's ``tenant_state_history`` rows, appended here.

Idempotent: rows already imported are recognised and skipped. A tenant any of whose new rows would
break its chain gets none of them; the report names each such row and why, and the command then
exits with status 1 (after importing every other tenant's rows).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tenants.history_import import BadImportFile, ImportRow, by_tenant, read_rows
from tenants.models import Tenant
from tenants.services import HistoryImportRefused, tenant_import_history


class Command(BaseCommand):
    help = "Import the old system's tenant_state_history rows from a CSV export (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="CSV with the old table's columns and a header row.")
        parser.add_argument(
            "--match",
            choices=("id", "name"),
            default="id",
            help="How a row names its tenant: by id (tenant_id) or by name (the tenant_name column when "
            "present, else tenant_id holds the name). Default: id.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and report, write nothing.")

    def handle(self, *args, file: Path, match: str, dry_run: bool, **options) -> None:
        try:
            with file.open(newline="", encoding="utf-8-sig") as stream:
                rows, problems = read_rows(stream, by_name=match == "name")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        except BadImportFile as error:
            raise CommandError(f"{file} is not an export of tenant_state_history: {error}") from error

        refused = [f"line {problem.line}: {problem.why}" for problem in problems]
        groups = by_tenant(rows)
        tenants = self._tenants(groups, match)
        written = present = 0
        with transaction.atomic():
            for key, group in groups.items():
                tenant = tenants.get(key)
                if tenant is None:
                    refused += [f"{row.describe()}: no tenant with {match} {key!r}" for row in group]
                    continue
                try:
                    result = tenant_import_history(tenant=tenant, records=[row.record for row in group])
                except HistoryImportRefused as refusal:
                    refused += [f"{group[index].describe()}: {why}" for index, why in refusal.problems]
                    self.stdout.write(f"{tenant.name}: nothing imported, {len(refusal.problems)} row(s) refused")
                    continue
                written += result.written
                present += result.already_present
                self.stdout.write(f"{tenant.name}: {result.written} imported, {result.already_present} already there")
            if dry_run:
                transaction.set_rollback(True)

        verb = "would be imported" if dry_run else "imported"
        self.stdout.write(f"{written} rows {verb}, {present} already there, {len(refused)} refused")
        if refused:
            self.stderr.write("Refused rows (nothing was written for their tenants):")
            for line in refused:
                self.stderr.write(f"  {line}")
            raise CommandError(f"{len(refused)} row(s) refused; see above.", returncode=1)

    @staticmethod
    def _tenants(groups: dict[str, list[ImportRow]], match: str) -> dict[str, Tenant]:
        """The tenants the rows name, by the key the rows use (one query)."""
        if match == "name":
            return {tenant.name: tenant for tenant in Tenant.objects.filter(name__in=list(groups))}
        ids = {key: int(key) for key in groups if key.isdigit()}
        found = Tenant.objects.in_bulk(list(ids.values()))
        return {key: found[pk] for key, pk in ids.items() if pk in found}
