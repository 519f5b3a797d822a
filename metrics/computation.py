"""Uptime arithmetic on a tenant's state history (SPEC section 2). Pure: no ORM, no clock.

The selectors feed it plain ``Transition`` values; the same functions serve one tenant or a whole
fleet, the JSON API and the HTML tab. All arithmetic is done on UTC datetimes: subtracting two
datetimes that share a ``ZoneInfo`` is wall-clock arithmetic in Python and would be off by the
DST shift across a transition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter

from .formatting import format_duration

RUNNING, STOPPED, SCALING, UNKNOWN = "running", "stopped", "scaling", "unknown"
STATES = (RUNNING, STOPPED, SCALING, UNKNOWN)
ONE_SECOND = timedelta(seconds=1)


@dataclass(slots=True)
class Transition:
    """One history record, as much of it as the computation needs. Treat it as immutable.

    ``previous_state`` is ``None`` only on a tenant's first record. ``id`` breaks ties between
    records at the same instant (the later id wins). Not ``frozen``: a frozen dataclass takes five
    times as long to build, and the fleet report builds one per record of every tenant's month.
    """

    changed_at: datetime
    previous_state: str | None
    new_state: str
    id: int = 0
    new_replicas: int | None = None
    changed_by: str = ""
    previous_replicas: int | None = None
    source: str = ""

    @property
    def sort_key(self) -> tuple[datetime, int]:
        return (self.changed_at, self.id)

    @property
    def is_state_change(self) -> bool:
        return self.previous_state != self.new_state


@dataclass(frozen=True)
class Segment:
    """A stretch of the window spent in one state: ``[start, end)`` in UTC."""

    state: str
    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def seconds(self) -> int:
        return self.duration // ONE_SECOND


@dataclass(frozen=True)
class StateDurations:
    """Exact time per state in a clipped window. ``start``/``end`` are ``None`` when it is empty."""

    start: datetime | None
    end: datetime | None
    durations: Mapping[str, timedelta]
    segments: tuple[Segment, ...]

    @property
    def is_empty(self) -> bool:
        return self.start is None

    @property
    def total(self) -> timedelta:
        if self.start is None or self.end is None:
            return timedelta(0)
        return self.end - self.start

    def seconds(self, state: str) -> int:
        """Whole seconds in ``state`` (floor of the exact duration)."""
        return self.durations[state] // ONE_SECOND

    def percentage(self, state: str) -> float | None:
        """Share of the window in ``state``, from exact durations, rounded half up to 2 decimals."""
        total_us = _microseconds(self.total)
        if total_us == 0:
            return None
        part_us = _microseconds(self.durations[state])
        hundredths = (part_us * 10_000 * 2 + total_us) // (2 * total_us)
        return hundredths / 100


@dataclass(frozen=True)
class MonthlyMetrics:
    """One tenant's month: every field of SPEC ``GET .../metrics/monthly``, plus the timeline."""

    tenant_id: int
    year: int
    month: int
    timezone: str
    period_start: datetime | None
    period_end: datetime | None
    uptime_seconds: int
    downtime_seconds: int
    scaling_seconds: int
    unknown_seconds: int
    total_seconds: int
    uptime_percentage: float | None
    downtime_percentage: float | None
    scaling_percentage: float | None
    unknown_percentage: float | None
    uptime_formatted: str
    downtime_formatted: str
    scaling_formatted: str
    unknown_formatted: str
    timeline: tuple[Segment, ...] = ()
    # Beyond the SPEC's fields (README "Beyond uptime"), filled in by metrics/usage.py:with_usage.
    planned_downtime_seconds: int = 0
    unplanned_downtime_seconds: int = 0
    planned_downtime_formatted: str = "0s"
    unplanned_downtime_formatted: str = "0s"
    availability_percentage: float | None = None
    replica_hours: Decimal = Decimal("0.00")
    baseline_replica_hours: Decimal = Decimal("0.00")
    replica_hours_saved: Decimal = Decimal("0.00")
    cost_saved: Decimal | None = None
    # Filled in for tenants with schedules by metrics/adherence.py (null/0 without any).
    schedule_adherence_percentage: float | None = None
    wake_count: int = 0
    wake_delay_p50_seconds: int | None = None
    wake_delay_max_seconds: int | None = None
    wake_delay_p50_formatted: str | None = None
    wake_delay_max_formatted: str | None = None


@dataclass(frozen=True)
class CurrentState:
    """Every field of SPEC ``GET .../metrics/current-state``."""

    tenant_id: int
    current_state: str
    duration_seconds: int
    duration_formatted: str
    state_since: datetime | None
    changed_by: str
    replicas: int


def to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no time zone; metrics need aware datetimes.")
    return moment.astimezone(UTC)


def clip_window(
    window_start: datetime, window_end: datetime, *, created_at: datetime, now: datetime
) -> tuple[datetime, datetime] | None:
    """``[window_start, window_end)`` limited to ``[created_at, now)`` in UTC, or None when empty."""
    start = max(to_utc(window_start), to_utc(created_at))
    end = min(to_utc(window_end), to_utc(now))
    if end <= start:
        return None
    return start, end


def state_at(transitions: Sequence[Transition], moment: datetime) -> str:
    """The state at ``moment``: the ``new_state`` of the last record at or before it.

    Before the first record it is that record's ``previous_state`` (a tenant imported from an
    older system), or ``unknown``. ``transitions`` must be sorted by ``(changed_at, id)``.
    """
    state = (transitions[0].previous_state or UNKNOWN) if transitions else UNKNOWN
    for transition in transitions:
        if transition.changed_at > moment:
            break
        state = transition.new_state
    return state


def seconds_in_state(
    transitions: Iterable[Transition],
    window_start: datetime,
    window_end: datetime,
    *,
    created_at: datetime,
    now: datetime,
    timeline: bool = True,
) -> StateDurations:
    """How long the tenant spent in each state within ``[window_start, window_end)``.

    ``transitions`` must include every record inside the window and the last record at or before
    its start or, when there is none, the tenant's first record (whose ``previous_state`` tells
    the state before tracking began); any others are ignored. The window is clipped to the
    tenant's ``created_at`` and to ``now``. Adjacent pieces of one state (a replica-only change)
    are merged into one segment; ``timeline=False`` skips the segments (the durations are the same).
    """
    zero = {state: timedelta(0) for state in STATES}
    clipped = clip_window(window_start, window_end, created_at=created_at, now=now)
    if clipped is None:
        return StateDurations(None, None, zero, ())
    start, end = clipped
    # Plain tuples, not Transitions: this loop runs once per record of every tenant of a fleet.
    # Records mostly come in time order already (the table fills that way): the sort is then about one pass.
    ordered = sorted(
        ((to_utc(t.changed_at), t.id, t.new_state, t.previous_state) for t in transitions), key=itemgetter(0, 1)
    )
    state = (ordered[0][3] or UNKNOWN) if ordered else UNKNOWN  # before the first record (see state_at)
    since = start
    durations = dict(zero)
    pieces: list[tuple[str, datetime, datetime]] = []
    for changed_at, _, new_state, _ in ordered:
        if changed_at <= start:
            state = new_state
        elif changed_at >= end:
            break
        elif new_state != state:
            durations[state] += changed_at - since
            if timeline:
                pieces.append((state, since, changed_at))
            state, since = new_state, changed_at
    durations[state] += end - since
    if not timeline:
        return StateDurations(start, end, durations, ())
    pieces.append((state, since, end))
    return StateDurations(start, end, durations, _merged(pieces))


def _merged(pieces: Iterable[tuple[str, datetime, datetime]]) -> tuple[Segment, ...]:
    """Segments of ``(state, start, end)`` pieces: empty ones (records at one instant) dropped, neighbours in
    the same state joined."""
    merged: list[list] = []
    for state, start, end in pieces:
        if start == end:
            continue
        if merged and merged[-1][0] == state:
            merged[-1][2] = end
        else:
            merged.append([state, start, end])
    return tuple(Segment(state, start, end) for state, start, end in merged)


def local_midnight(day: date, zone: tzinfo) -> datetime:
    """The first instant of ``day`` in ``zone``, in UTC.

    A midnight that does not exist (a DST gap) means the first instant after the gap: the
    moment of the transition itself.
    """
    naive = datetime(day.year, day.month, day.day)
    before = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)  # read with the offset before a gap
    after = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)  # read with the offset after it
    if before.astimezone(zone).replace(tzinfo=None) == naive:
        return before  # midnight exists (when repeated, fold=0 is the first of the two)
    # In a gap the transition lies in (after, before]: find the second where the offset changes.
    low, high = after, before
    while high - low > ONE_SECOND:
        middle = low + (high - low) // 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(zone).utcoffset() == high.astimezone(zone).utcoffset():
            high = middle
        else:
            low = middle
    return high


@lru_cache(maxsize=256)  # a fleet asks for the same month once per tenant
def month_window(year: int, month: int, zone: tzinfo) -> tuple[datetime, datetime]:
    """``[first day 00:00, first day of next month 00:00)`` of a month in ``zone``, in UTC."""
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    return local_midnight(date(year, month, 1), zone), local_midnight(date(next_year, next_month, 1), zone)


def monthly_metrics(
    *,
    tenant_id: int,
    year: int,
    month: int,
    zone: tzinfo,
    timezone_name: str,
    transitions: Iterable[Transition],
    created_at: datetime,
    now: datetime,
    timeline: bool = True,
) -> MonthlyMetrics:
    """A tenant's metrics for one month in ``zone`` (see ``seconds_in_state`` for ``transitions``).

    ``timeline=False`` leaves ``timeline`` empty (the API and the fleet report do not show it).
    """
    window_start, window_end = month_window(year, month, zone)
    durations = seconds_in_state(
        transitions, window_start, window_end, created_at=created_at, now=now, timeline=timeline
    )
    seconds = {state: durations.seconds(state) for state in STATES}
    percentages = {state: durations.percentage(state) for state in STATES}
    return MonthlyMetrics(
        tenant_id=tenant_id,
        year=year,
        month=month,
        timezone=timezone_name,
        period_start=durations.start,
        period_end=durations.end,
        uptime_seconds=seconds[RUNNING],
        downtime_seconds=seconds[STOPPED],
        scaling_seconds=seconds[SCALING],
        unknown_seconds=seconds[UNKNOWN],
        total_seconds=durations.total // ONE_SECOND,
        uptime_percentage=percentages[RUNNING],
        downtime_percentage=percentages[STOPPED],
        scaling_percentage=percentages[SCALING],
        unknown_percentage=percentages[UNKNOWN],
        uptime_formatted=format_duration(seconds[RUNNING]),
        downtime_formatted=format_duration(seconds[STOPPED]),
        scaling_formatted=format_duration(seconds[SCALING]),
        unknown_formatted=format_duration(seconds[UNKNOWN]),
        timeline=durations.segments,
    )


def current_state(*, tenant_id: int, transitions: Iterable[Transition], now: datetime) -> CurrentState:
    """The tenant's state now and how long it has been in it.

    ``transitions`` must hold the tenant's latest record and its last record that changed the
    state (they may be one record). A replica-only change does not reset the duration;
    ``changed_by`` is whoever brought the tenant into its current state.
    """
    ordered = sorted(transitions, key=lambda t: t.sort_key)
    if not ordered:
        return CurrentState(tenant_id, UNKNOWN, 0, format_duration(0), None, "", 0)
    latest = ordered[-1]
    began = next((t for t in reversed(ordered) if t.is_state_change), ordered[0])
    since = to_utc(began.changed_at)
    seconds = max((to_utc(now) - since) // ONE_SECOND, 0)
    return CurrentState(
        tenant_id=tenant_id,
        current_state=latest.new_state,
        duration_seconds=seconds,
        duration_formatted=format_duration(seconds),
        state_since=since,
        changed_by=began.changed_by,
        replicas=latest.new_replicas or 0,
    )


def _microseconds(duration: timedelta) -> int:
    return duration // timedelta(microseconds=1)
