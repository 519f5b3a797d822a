"""Reading the old system's ``tenant_state_history`` export (CSV) for ``manage.py import_history``.

Columns: ``id, tenant_id, previous_state, new_state, previous_replicas, new_replicas, changed_at,
changed_by, reason`` (a ``COPY ... TO ... CSV HEADER`` of the old table; extra columns are ignored).
Each row is checked on its own here; whether it continues its tenant's chain is decided by
``tenants.services.tenant_import_history``, the only code that writes history.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from django.utils.dateparse import parse_datetime

from .services import ImportedRecord
from .states import State

REQUIRED_COLUMNS = (
    "id",
    "tenant_id",
    "previous_state",
    "new_state",
    "previous_replicas",
    "new_replicas",
    "changed_at",
    "changed_by",
    "reason",
)


class BadImportFile(Exception):
    """The file cannot be read as the old table's export at all (not a row's problem)."""


@dataclass(frozen=True)
class ImportRow:
    """A row that parsed: where it is in the file, which tenant it names, and the record."""

    line: int
    old_id: int
    tenant_key: str
    record: ImportedRecord

    def describe(self) -> str:
        return f"line {self.line} (id {self.old_id}, tenant {self.tenant_key}, {self.record.changed_at.isoformat()})"


@dataclass(frozen=True)
class RowProblem:
    line: int
    why: str


def read_rows(stream: TextIO, *, by_name: bool = False) -> tuple[list[ImportRow], list[RowProblem]]:
    """Every row of the file parsed, or the reason it cannot be; ``BadImportFile`` for a bad header.

    A row names its tenant in ``tenant_id``; with ``by_name``, in ``tenant_name`` when the file has
    that column (an export joined with the old ``tenants`` table), else ``tenant_id`` holds the name.
    """
    reader = csv.DictReader(stream)
    columns = set(reader.fieldnames or ())
    tenant_column = "tenant_name" if by_name and "tenant_name" in columns else "tenant_id"
    missing = [column for column in (*REQUIRED_COLUMNS, tenant_column) if column not in columns]
    if missing:
        raise BadImportFile(f"missing column(s) {', '.join(dict.fromkeys(missing))}; the header has {sorted(columns)}")
    rows, problems = [], []
    for raw in reader:
        line = reader.line_num
        try:
            rows.append(_parse(raw, line, tenant_column))
        except ValueError as error:
            problems.append(RowProblem(line, str(error)))
    return rows, problems


def _parse(raw: dict[str, str | None], line: int, tenant_column: str) -> ImportRow:
    if None in raw or any(value is None for value in raw.values()):
        raise ValueError("the row does not have as many fields as the header")
    tenant_key = (raw[tenant_column] or "").strip()
    if not tenant_key:
        raise ValueError(f"{tenant_column} is empty")
    return ImportRow(
        line=line,
        old_id=_integer(raw, "id"),
        tenant_key=tenant_key,
        record=ImportedRecord(
            previous_state=_state(raw, "previous_state", optional=True),
            new_state=_state(raw, "new_state"),
            previous_replicas=_replicas(raw, "previous_replicas", optional=True),
            new_replicas=_replicas(raw, "new_replicas"),
            changed_at=_timestamp(raw, "changed_at"),
            changed_by=(raw["changed_by"] or "").strip(),
            reason=raw["reason"] or "",
        ),
    )


def _integer(raw: dict, column: str) -> int:
    value = (raw[column] or "").strip()
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{column} {value!r} is not an integer") from None


def _state(raw: dict, column: str, *, optional: bool = False) -> str | None:
    value = (raw[column] or "").strip().lower()  # the old system may have stored RUNNING, STOPPED, ...
    if not value and optional:
        return None
    if value not in State.values:
        raise ValueError(f"{column} {raw[column]!r} is not one of {', '.join(State.values)}")
    return value


def _replicas(raw: dict, column: str, *, optional: bool = False) -> int | None:
    value = (raw[column] or "").strip()
    if not value and optional:
        return None
    try:
        replicas = int(value)
    except ValueError:
        raise ValueError(f"{column} {value!r} is not an integer") from None
    if replicas < 0:
        raise ValueError(f"{column} {replicas} is negative")
    return replicas


def _timestamp(raw: dict, column: str) -> datetime:
    value = (raw[column] or "").strip()
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise ValueError(f"{column} {value!r} is not an ISO 8601 timestamp")
    if moment.tzinfo is None:
        # The old column was timestamp with time zone; a value without an offset was exported wrongly.
        raise ValueError(f"{column} {value!r} has no UTC offset (e.g. +00:00)")
    return moment


def by_tenant(rows: Iterable[ImportRow]) -> dict[str, list[ImportRow]]:
    """Rows grouped by the tenant they name, each group in the old system's order (changed_at, id)."""
    groups: dict[str, list[ImportRow]] = {}
    for row in rows:
        groups.setdefault(row.tenant_key, []).append(row)
    return {key: sorted(group, key=lambda row: (row.record.changed_at, row.old_id)) for key, group in groups.items()}
