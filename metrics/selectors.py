"""The few queries that feed the metrics computation, and one function per use of it.

Every read of history goes through the ``(tenant_id, changed_at)`` index and fetches only what the
computation needs, so the number of queries per call is a constant whatever the history's size:

- ``tenant_current_state``: 1 query (the latest record and the last state change);
- ``tenant_monthly_metrics``: 2 queries (the record telling the state at the window's start with the records
  in it; the tenant's enabled schedules, for schedule adherence);
- ``tenant_history_page``: 1 query;
- ``fleet_monthly_metrics``: 2 queries for any number of tenants.

The JSON API and the HTML tab call these same functions.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from tenants.models import Tenant, TenantStateHistory
from tenants.schedules.cron import CronError, latest_occurrence, occurrences_after
from tenants.schedules.models import ScheduleAction, TenantSchedule

from .adherence import Intent, with_adherence
from .computation import (
    CurrentState,
    MonthlyMetrics,
    Transition,
    current_state,
    month_window,
    monthly_metrics,
    to_utc,
)
from .month_cache import cached_past_month
from .usage import with_usage

MIN_YEAR, MAX_YEAR = 1970, 9999
DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT = 50, 1000
TRANSITION_FIELDS = (
    "id",
    "tenant_id",
    "changed_at",
    "previous_state",
    "new_state",
    "new_replicas",
    "changed_by",
    "previous_replicas",
    "source",
)
# What a month's computations read (metrics.computation, .usage, .adherence): not ``changed_by``.
WINDOW_FIELDS = (
    "id",
    "tenant_id",
    "changed_at",
    "previous_state",
    "new_state",
    "new_replicas",
    "previous_replicas",
    "source",
)


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
        previous_replicas=row["previous_replicas"],
        source=row["source"],
    )


def window_transitions(tenant_ids: Iterable[int], start: datetime, end: datetime) -> dict[int, list[Transition]]:
    """Per tenant: its records in ``(start, end)`` and the one that tells the state at ``start``.

    That one is the last record at or before ``start`` or, when tracking began later, the
    tenant's first record. That is all ``seconds_in_state`` needs for any window inside
    ``[start, end)``. One query for any number of tenants, a ``UNION ALL`` of two reads: the
    record at ``start``, found per tenant by subqueries on the ``(tenant_id, changed_at)`` index
    driven from the tenants table (so they run once per tenant rather than once per history
    row), and the range read of the window. Rows come in no particular order (``seconds_in_state``
    sorts each tenant's few records; an ``ORDER BY`` here was a sort of the whole fleet's month on
    disk) and with only the columns the monthly computation reads.
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
    at_start = TenantStateHistory.objects.filter(id__in=last_before_ids).order_by().values_list(*WINDOW_FIELDS)
    in_window = (
        TenantStateHistory.objects.filter(tenant_id__in=ids, changed_at__gt=start, changed_at__lt=end)
        .order_by()
        .values_list(*WINDOW_FIELDS)
    )
    by_tenant: dict[int, list[Transition]] = defaultdict(list)
    for (
        record_id,
        tenant_id,
        changed_at,
        previous_state,
        new_state,
        new_replicas,
        previous_replicas,
        source,
    ) in _fetch_rows(at_start.union(in_window, all=True)):
        by_tenant[tenant_id].append(
            Transition(changed_at, previous_state, new_state, record_id, new_replicas, "", previous_replicas, source)
        )
    return by_tenant


def schedule_intents(tenant_ids: Iterable[int], start: datetime, end: datetime) -> dict[int, list[Intent]]:
    """Per tenant: what its enabled schedules intend from before ``start`` to ``end`` (1 query).

    Each schedule gives its latest occurrence at or before ``start`` and every one in
    ``(start, end)``, none from before the schedule was created. A start, or a scale to N >= 1,
    intends ``running``; a stop or a scale to 0 ``stopped``. Disabled schedules intend nothing
    (when they were disabled is not recorded).
    """
    by_tenant: dict[int, list[Intent]] = defaultdict(list)
    schedules = TenantSchedule.objects.filter(tenant_id__in=list(tenant_ids), enabled=True, created_at__lt=end)
    for schedule in schedules.values("tenant_id", "action", "replicas", "cron", "timezone", "created_at"):
        stops = schedule["action"] == ScheduleAction.STOP or (
            schedule["action"] == ScheduleAction.SCALE and schedule["replicas"] == 0
        )
        state = "stopped" if stops else "running"
        try:
            latest = latest_occurrence(schedule["cron"], schedule["timezone"], start)
            if latest is not None and latest >= schedule["created_at"]:
                by_tenant[schedule["tenant_id"]].append(Intent(latest, state))
            for occurrence in occurrences_after(schedule["cron"], schedule["timezone"], start):
                if occurrence >= end:
                    break
                if occurrence >= schedule["created_at"]:
                    by_tenant[schedule["tenant_id"]].append(Intent(occurrence, state))
        except CronError:  # a stored cron that cannot be evaluated intends nothing (never a valid one)
            continue
    return by_tenant


def _fetch_rows(query: QuerySet) -> list[tuple]:
    """The rows of a ``values_list`` query; on PostgreSQL with psycopg's own timestamp parser.

    Django parses every ``timestamptz`` with a pure-Python loader (to apply its connection time
    zone): for the fleet report's tens of thousands of records that was a third of the request
    (docs/performance.md). psycopg's C loader gives the same instants, aware, in the session's
    time zone (UTC, as Django sets it); it is registered on this one cursor only.
    """
    if connection.vendor != "postgresql":
        return list(query)
    import psycopg

    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:  # e.g. no tenants: the ORM would not have asked the database either
        return []
    with connection.cursor() as cursor:
        loader = psycopg.adapters.get_loader(psycopg.postgres.types["timestamptz"].oid, psycopg.pq.Format.TEXT)
        cursor.cursor.adapters.register_loader("timestamptz", loader)
        cursor.execute(sql, params)
        return cursor.fetchall()


def current_state_transitions(tenant: Tenant) -> list[Transition]:
    """The tenant's latest record and its last record that changed the state (one query, one or two rows).

    Each is picked by a scalar subquery on the ``(tenant_id, changed_at)`` index; the outer read
    is then two primary-key lookups. Replicas come from the latest record rather than the tenant
    row: the history is the source of truth, and the caller's tenant object may be older.
    """
    records = TenantStateHistory.objects.filter(tenant=tenant).order_by("-changed_at", "-id")
    latest = records.values("id")[:1]
    state_change = records.filter(Q(previous_state__isnull=True) | ~Q(previous_state=F("new_state"))).values("id")[:1]
    rows = TenantStateHistory.objects.filter(Q(id=Subquery(latest)) | Q(id=Subquery(state_change)))
    return [_as_transition(row) for row in rows.values(*TRANSITION_FIELDS)]


# --- one function per use -----------------------------------------------------------------------


def tenant_current_state(tenant: Tenant, now: datetime | None = None) -> CurrentState:
    """The tenant's current state, since when, by whom, and for how long (1 query)."""
    return current_state(tenant_id=tenant.pk, transitions=current_state_transitions(tenant), now=now or timezone.now())


def tenant_monthly_metrics(
    tenant: Tenant, ref: MonthRef, now: datetime | None = None, *, timeline: bool = True
) -> MonthlyMetrics:
    """The tenant's uptime, downtime, scaling and unknown time in one month (2 queries).

    ``timeline=False`` when the caller does not show the month's segments (the API does not).
    """
    return fleet_monthly_metrics([tenant], ref, now=now, timeline=timeline)[tenant.pk]


def fleet_monthly_metrics(
    tenants: Iterable[Tenant], ref: MonthRef, now: datetime | None = None, *, timeline: bool = True
) -> dict[int, MonthlyMetrics]:
    """Every given tenant's metrics for one month, by tenant id, in 2 queries whatever their number.

    Beyond the SPEC's fields: planned/unplanned downtime and replica-hours from the same records
    (``metrics.usage``), schedule adherence and wake delays from the enabled schedules (``metrics.adherence``).
    """
    now = now or timezone.now()
    tenants = list(tenants)
    start, end = ref.window
    transitions = window_transitions([tenant.pk for tenant in tenants], start, min(end, to_utc(now)))
    intents = schedule_intents([tenant.pk for tenant in tenants], start, min(end, to_utc(now)))
    by_tenant = {
        tenant.pk: with_usage(
            monthly_metrics(
                tenant_id=tenant.pk,
                year=ref.year,
                month=ref.month,
                zone=ref.zone,
                timezone_name=ref.timezone_name,
                transitions=transitions.get(tenant.pk, []),
                created_at=tenant.created_at,
                now=now,
                timeline=timeline,
            ),
            transitions.get(tenant.pk, []),
            zone=ref.zone,
            created_at=tenant.created_at,
            now=now,
            desired_replicas=tenant.desired_replicas,
            cost_per_replica_hour=settings.COST_PER_REPLICA_HOUR,
        )
        for tenant in tenants
    }
    return {
        tenant.pk: with_adherence(
            by_tenant[tenant.pk],
            transitions.get(tenant.pk, []),
            intents.get(tenant.pk, []),
            zone=ref.zone,
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


# --- history export (keyset, streaming) ---------------------------------------------------------

EXPORT_FIELDS = (
    "id",
    "tenant_id",
    "previous_state",
    "new_state",
    "previous_replicas",
    "new_replicas",
    "changed_at",
    "changed_by",
    "reason",
    "source",
)


def iter_history_for_export(tenant: Tenant, batch_size: int = 2000) -> Iterator[dict]:
    """Every record of the tenant, oldest first, as dicts of ``EXPORT_FIELDS``.

    Read ``batch_size`` at a time by keyset on ``(changed_at, id)`` (one indexed query per batch,
    no OFFSET, no server-side cursor held open), so memory stays flat for any history length.
    """
    records = TenantStateHistory.objects.filter(tenant=tenant).order_by("changed_at", "id").values(*EXPORT_FIELDS)
    batch = list(records[:batch_size])
    while batch:
        yield from batch
        if len(batch) < batch_size:
            return
        last = batch[-1]
        after = Q(changed_at__gt=last["changed_at"]) | Q(changed_at=last["changed_at"], id__gt=last["id"])
        batch = list(records.filter(after)[:batch_size])


# --- the fleet report -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FleetMonthlyRow:
    """One tenant's line in the fleet report: who it is and its month."""

    tenant_id: int
    tenant_name: str
    metrics: MonthlyMetrics


def fleet_monthly_report(ref: MonthRef, now: datetime | None = None) -> list[FleetMonthlyRow]:
    """Every tenant's metrics for one month, ordered by name: 3 queries whatever the number of tenants.

    One for the tenants, then ``fleet_monthly_metrics``'s two: each tenant's record at the
    window's start with the month's records, and the enabled schedules, through the same
    computation as the per-tenant endpoint. A month that is over may come from the cache
    (``metrics.month_cache``).
    """
    now = now or timezone.now()
    # Archived tenants are not in the fleet (issue 9); their metrics stay readable by id.
    tenants = list(Tenant.objects.active().only("id", "name", "created_at", "desired_replicas").order_by("name", "id"))
    by_tenant = cached_past_month(
        ref, tenants, now, lambda: fleet_monthly_metrics(tenants, ref, now=now, timeline=False)
    )
    return [FleetMonthlyRow(tenant.pk, tenant.name, by_tenant[tenant.pk]) for tenant in tenants]
