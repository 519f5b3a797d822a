"""Planned vs unplanned downtime, availability and replica-hours in a window. Pure: no ORM, no clock.

Beside ``computation.seconds_in_state`` (which it leaves untouched) it walks the same records once
more, keeping two things that function does not need: where the current stopped stretch came from
and the spec replica count in force.

- Planned downtime: time ``stopped`` in a stretch entered through a record with ``source="schedule"``
  (a schedule's stop). It lasts until the state changes, whoever changes it.
- Unplanned downtime: every other moment not ``running``: stopped by a person, the cluster, an
  import or before tracking began, plus ``scaling`` (a start that has not come up, or all replicas
  lost) and ``unknown`` (a Deployment that is gone). So uptime + planned + unplanned = the window.
- Availability: uptime / (window - planned downtime).
- Replica-seconds: spec replicas x time while ``running`` or ``scaling`` (the pods are asked for);
  nothing while ``stopped`` or ``unknown`` (a missing Deployment runs nothing). The baseline is the
  same window always on at ``desired_replicas``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter

from .computation import (
    ONE_SECOND,
    RUNNING,
    SCALING,
    STOPPED,
    UNKNOWN,
    MonthlyMetrics,
    Transition,
    clip_window,
    month_window,
    to_utc,
)
from .formatting import format_duration

SCHEDULE_SOURCE = "schedule"
MICROSECONDS_PER_HOUR = 3_600 * 1_000_000
_REPLICAS_COUNTED_IN = (RUNNING, SCALING)


@dataclass(frozen=True)
class Usage:
    """Exact durations and replica use in a clipped window (all zero when it is empty)."""

    total: timedelta
    uptime: timedelta
    planned_downtime: timedelta
    unplanned_downtime: timedelta
    replica_microseconds: int
    baseline_replica_microseconds: int

    @property
    def availability_percentage(self) -> float | None:
        """Uptime / (window - planned downtime) * 100, half up to 2 decimals; None when nothing is left."""
        return percentage_of(self.uptime, self.total - self.planned_downtime)

    @property
    def replica_hours(self) -> Decimal:
        return _hours(self.replica_microseconds)

    @property
    def baseline_replica_hours(self) -> Decimal:
        return _hours(self.baseline_replica_microseconds)

    @property
    def replica_hours_saved(self) -> Decimal:
        """Baseline minus actual (negative when the tenant ran above its ``desired_replicas``)."""
        return _hours(self.baseline_replica_microseconds - self.replica_microseconds)

    def cost_saved(self, cost_per_replica_hour: Decimal | None) -> Decimal | None:
        """The hours saved priced at ``cost_per_replica_hour``, to the cent; None without a price."""
        if cost_per_replica_hour is None:
            return None
        exact = Decimal(self.baseline_replica_microseconds - self.replica_microseconds) / MICROSECONDS_PER_HOUR
        return (exact * cost_per_replica_hour).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def usage_in_window(
    transitions: Iterable[Transition],
    window_start: datetime,
    window_end: datetime,
    *,
    created_at: datetime,
    now: datetime,
    desired_replicas: int,
) -> Usage:
    """Planned/unplanned downtime and replica use within ``[window_start, window_end)``.

    ``transitions`` are what ``seconds_in_state`` takes (the record at the window's start, or the
    first one, and the records inside); the window is clipped the same way. Before the first
    record the tenant is in that record's ``previous_state`` with its ``previous_replicas``, and its
    downtime there is unplanned (nobody knows who stopped it).
    """
    zero = timedelta(0)
    clipped = clip_window(window_start, window_end, created_at=created_at, now=now)
    if clipped is None:
        return Usage(zero, zero, zero, zero, 0, 0)
    start, end = clipped
    ordered = sorted(
        (
            (to_utc(t.changed_at), t.id, t.new_state, t.previous_state, t.new_replicas, t.previous_replicas, t.source)
            for t in transitions
        ),
        key=itemgetter(0, 1),
    )
    state, replicas, planned = UNKNOWN, 0, False
    if ordered:
        state, replicas = ordered[0][3] or UNKNOWN, ordered[0][5] or 0
    since = start
    uptime = planned_down = unplanned_down = zero
    replica_us = 0

    def close(until: datetime) -> None:
        nonlocal uptime, planned_down, unplanned_down, replica_us
        piece = until - since
        if state == RUNNING:
            uptime += piece
        elif state == STOPPED and planned:
            planned_down += piece
        else:
            unplanned_down += piece
        if state in _REPLICAS_COUNTED_IN:
            replica_us += replicas * _microseconds(piece)

    for changed_at, _, new_state, previous_state, new_replicas, _, source in ordered:
        if changed_at >= end:
            break
        if changed_at > start:
            close(changed_at)
            since = changed_at
        if new_state != STOPPED:
            planned = False
        elif previous_state != STOPPED:  # entering stopped: who did it decides for the whole stretch
            planned = source == SCHEDULE_SOURCE
        state, replicas = new_state, new_replicas or 0
    close(end)
    total = end - start
    return Usage(
        total=total,
        uptime=uptime,
        planned_downtime=planned_down,
        unplanned_downtime=unplanned_down,
        replica_microseconds=replica_us,
        baseline_replica_microseconds=desired_replicas * _microseconds(total),
    )


def _microseconds(duration: timedelta) -> int:
    return duration // timedelta(microseconds=1)


def _hours(replica_microseconds: int) -> Decimal:
    return (Decimal(replica_microseconds) / MICROSECONDS_PER_HOUR).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def percentage_of(part: timedelta, whole: timedelta) -> float | None:
    """``part`` / ``whole`` * 100 from exact microseconds, half up to 2 decimals; None when ``whole`` is empty."""
    whole_us = _microseconds(whole)
    if whole_us <= 0:
        return None
    hundredths = (_microseconds(part) * 10_000 * 2 + whole_us) // (2 * whole_us)
    return hundredths / 100


def with_usage(
    metrics: MonthlyMetrics,
    transitions: Sequence[Transition],
    *,
    zone: tzinfo,
    created_at: datetime,
    now: datetime,
    desired_replicas: int,
    cost_per_replica_hour: Decimal | None = None,
) -> MonthlyMetrics:
    """``metrics`` with its planned/unplanned downtime, availability and replica-hours filled in.

    ``transitions`` are the ones ``metrics`` was computed from; the SPEC's fields are unchanged.
    """
    window_start, window_end = month_window(metrics.year, metrics.month, zone)
    usage = usage_in_window(
        transitions, window_start, window_end, created_at=created_at, now=now, desired_replicas=desired_replicas
    )
    planned, unplanned = usage.planned_downtime // ONE_SECOND, usage.unplanned_downtime // ONE_SECOND
    return replace(
        metrics,
        planned_downtime_seconds=planned,
        unplanned_downtime_seconds=unplanned,
        planned_downtime_formatted=format_duration(planned),
        unplanned_downtime_formatted=format_duration(unplanned),
        availability_percentage=usage.availability_percentage,
        replica_hours=usage.replica_hours,
        baseline_replica_hours=usage.baseline_replica_hours,
        replica_hours_saved=usage.replica_hours_saved,
        cost_saved=usage.cost_saved(cost_per_replica_hour),
    )
