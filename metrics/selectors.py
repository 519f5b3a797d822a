"""The few queries that feed the metrics computation, and one function per use of it.

Every read of history goes through the ``(tenant_id, changed_at)`` index and fetches only what the
computation needs, so the number of queries per call is a constant whatever the history's size:

- ``tenant_current_state``: 2 queries (the latest record, the last state change);
- ``tenant_monthly_metrics``: 2 queries (the record telling the state at the window's start, the records in it);
- ``tenant_history_page``: 1 query;
- ``fleet_monthly_metrics``: 2 queries for any number of tenants.

The JSON API and the HTML tab call these same functions.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from tenants.models import Tenant, TenantStateHistory

from .computation import (
    CurrentState,
    MonthlyMetrics,
    Transition,
    current_state,
    month_window,
    monthly_metrics,
    to_utc,
)

MIN_YEAR, MAX_YEAR = 1970, 9999
DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT = 50, 1000
TRANSITION_FIELDS = ("id", "tenant_id", "changed_at", "previous_state", "new_state", "new_replicas", "changed_by")


# --- parameters ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_named(name: str, *, param: str = "tz") -> ZoneInfo:
    """The IANA time zone ``name``; ``ValidationError`` naming ``param`` when there is none."""
    if name not in _zone_names():
        raise ValidationError({param: f"Unknown time zone {name!r}: use an IANA name such as 'Europe/Berlin'."})
    return ZoneInfo(name)


@dataclass(frozen=True)
class MonthRef:
    """A validated month in a time zone: which month metrics are asked for."""

    year: int
    month: int
    zone: ZoneInfo

    @property
    def timezone_name(self) -> str:
        return self.zone.key

    @property
    def window(self) -> tuple[datetime, datetime]:
        return month_window(self.year, self.month, self.zone)

    def previous(self) -> MonthRef:
        if self.month == 1:
            return MonthRef(self.year - 1, 12, self.zone)
        return MonthRef(self.year, self.month - 1, self.zone)

    def next(self) -> MonthRef:
        if self.month == 12:
            return MonthRef(self.year + 1, 1, self.zone)
        return MonthRef(self.year, self.month + 1, self.zone)


def resolve_month(
    year: int | None, month: int | None, timezone_name: str = "UTC", *, now: datetime | None = None
) -> MonthRef:
    """The month asked for, defaulting to the current month in the time zone.

    Raises ``ValidationError`` naming the parameter (``year``, ``month`` or ``tz``) when it is out
    of range, unknown, or when the month lies wholly in the future.
    """
    zone = zone_named(timezone_name)
    local_now = to_utc(now or timezone.now()).astimezone(zone)
    year = local_now.year if year is None else year
    month = local_now.month if month is None else month
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"year": f"Must be an integer from {MIN_YEAR} to {MAX_YEAR}."})
    if not 1 <= month <= 12:
        raise ValidationError({"month": "Must be an integer from 1 to 12."})
    if (year, month) > (local_now.year, local_now.month):
        param = "year" if year > local_now.year else "month"
        raise ValidationError(
            {param: f"{year}-{month:02d} is in the future (it is {local_now:%Y-%m} in {timezone_name})."}
        )
    return MonthRef(year, month, zone)


# --- history reads ------------------------------------------------------------------------------


def _as_transition(row: dict) -> Transition:
    return Transition(
        changed_at=row["changed_at"],
        previous_state=row["previous_state"],
        new_state=row["new_state"],
        id=row["id"],
        new_replicas=row["new_replicas"],
        changed_by=row["changed_by"],
    )


def window_transitions(tenant_ids: Iterable[int], start: datetime, end: datetime) -> dict[int, list[Transition]]:
    """Per tenant: its records in ``(start, end)`` and the one that tells the state at ``start``.

    That one is the last record at or before ``start`` or, when tracking began later, the
    tenant's first record. That is all ``seconds_in_state`` needs for any window inside
    ``[start, end)``. Two queries for any number of tenants: the record at ``start`` is found per
    tenant by subqueries on the ``(tenant_id, changed_at)`` index, driven from the tenants table
    so they run once per tenant rather than once per history row.
    """
    ids = list(tenant_ids)
    records = TenantStateHistory.objects.filter(tenant_id=OuterRef("pk"))
    last_before = records.filter(changed_at__lte=start).order_by("-changed_at", "-id").values("id")[:1]
    first = records.order_by("changed_at", "id").values("id")[:1]
    last_before_ids = (
        Tenant.objects.filter(pk__in=ids)
        .annotate(record_id=Coalesce(Subquery(last_before), Subquery(first)))
        .values("record_id")
    )
    by_tenant: dict[int, list[Transition]] = defaultdict(list)
    for query in (
        TenantStateHistory.objects.filter(id__in=last_before_ids),
        TenantStateHistory.objects.filter(tenant_id__in=ids, changed_at__gt=start, changed_at__lt=end),
    ):
        for row in query.order_by("changed_at", "id").values(*TRANSITION_FIELDS):
            by_tenant[row["tenant_id"]].append(_as_transition(row))
    return by_tenant


def current_state_transitions(tenant: Tenant) -> list[Transition]:
    """The tenant's latest record and its last record that changed the state (two small queries)."""
    records = TenantStateHistory.objects.filter(tenant=tenant).order_by("-changed_at", "-id")
    latest = records.values(*TRANSITION_FIELDS).first()
    state_change = (
        records.filter(Q(previous_state__isnull=True) | ~Q(previous_state=F("new_state")))
        .values(*TRANSITION_FIELDS)
        .first()
    )
    return [_as_transition(row) for row in (latest, state_change) if row is not None]


# --- one function per use -----------------------------------------------------------------------


def tenant_current_state(tenant: Tenant, now: datetime | None = None) -> CurrentState:
    """The tenant's current state, since when, by whom, and for how long (2 queries)."""
    return current_state(tenant_id=tenant.pk, transitions=current_state_transitions(tenant), now=now or timezone.now())


def tenant_monthly_metrics(tenant: Tenant, ref: MonthRef, now: datetime | None = None) -> MonthlyMetrics:
    """The tenant's uptime, downtime, scaling and unknown time in one month (2 queries)."""
    return fleet_monthly_metrics([tenant], ref, now=now)[tenant.pk]


def fleet_monthly_metrics(
    tenants: Iterable[Tenant], ref: MonthRef, now: datetime | None = None
) -> dict[int, MonthlyMetrics]:
    """Every given tenant's metrics for one month, by tenant id, in 2 queries whatever their number."""
    now = now or timezone.now()
    tenants = list(tenants)
    start, end = ref.window
    transitions = window_transitions([tenant.pk for tenant in tenants], start, min(end, to_utc(now)))
    return {
        tenant.pk: monthly_metrics(
            tenant_id=tenant.pk,
            year=ref.year,
            month=ref.month,
            zone=ref.zone,
            timezone_name=ref.timezone_name,
            transitions=transitions.get(tenant.pk, []),
            created_at=tenant.created_at,
            now=now,
        )
        for tenant in tenants
    }


# --- history pages (keyset) ---------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryPage:
    """Records newest first, and the cursor of the following page (None on the last page)."""

    records: list[TenantStateHistory]
    next_cursor: str | None


def encode_cursor(record: TenantStateHistory) -> str:
    """An opaque token for "records older than this one" in ``(changed_at, id)`` order."""
    return _encode_position(record.changed_at, record.pk)


def cursor_starting_at(record: TenantStateHistory) -> str:
    """A cursor whose page begins with ``record`` itself (a link to one record, e.g. a schedule's run)."""
    # "Older than (changed_at, id + 1)" is this record and everything older than it.
    return _encode_position(record.changed_at, record.pk + 1)


def _encode_position(changed_at: datetime, record_id: int) -> str:
    position = {"at": to_utc(changed_at).isoformat(), "id": record_id}
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The position a cursor stands for; ``ValidationError`` naming ``cursor`` when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
        changed_at = datetime.fromisoformat(position["at"])
        record_id = position["id"]
        if changed_at.tzinfo is None or isinstance(record_id, bool) or not isinstance(record_id, int):
            raise ValueError("incomplete position")
        return changed_at.astimezone(UTC), record_id
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, KeyError, OverflowError) as error:
        raise ValidationError({"cursor": "Invalid cursor: use the 'next' link of a previous page."}) from error


def history_records(tenant: Tenant) -> QuerySet[TenantStateHistory]:
    return TenantStateHistory.objects.filter(tenant=tenant).order_by("-changed_at", "-id")


def tenant_history_page(tenant: Tenant, limit: int = DEFAULT_HISTORY_LIMIT, cursor: str | None = None) -> HistoryPage:
    """One page of the tenant's history, newest first, after ``cursor`` (1 query).

    Keyset pagination on ``(changed_at, id)``: records added while a client pages through are
    newer than every page it has seen, so each record appears exactly once.
    """
    if not 1 <= limit <= MAX_HISTORY_LIMIT:
        raise ValidationError({"limit": f"Must be an integer from 1 to {MAX_HISTORY_LIMIT}."})
    records = history_records(tenant)
    if cursor:
        changed_at, record_id = decode_cursor(cursor)
        records = records.filter(Q(changed_at__lt=changed_at) | Q(changed_at=changed_at, id__lt=record_id))
    rows = list(records[: limit + 1])
    page, more = rows[:limit], len(rows) > limit
    return HistoryPage(page, encode_cursor(page[-1]) if more else None)
