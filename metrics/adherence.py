"""Schedule adherence and wake delay in a window. Pure: no ORM, no clock, no cron.

The caller turns a tenant's schedules into ``Intent`` values (each occurrence of each schedule:
a start, or a scale to N >= 1, intends ``running``; a stop, or a scale to 0, intends ``stopped``).
The intended state at an instant is that of the latest occurrence at or before it, whichever
schedule it belongs to; before the first known occurrence nothing is intended and that time is
left out.

- Adherence: the share of the time with an intent that the tenant spent in the intended state
  (``scaling`` and ``unknown`` never count as kept).
- Wake delay: for each intended start at which the tenant was not running, the time until it was
  (up to the end of the clipped window when it never came up: a failed wake is the worst delay,
  not a missing one). p50 is the lower median, so it is a delay that happened.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from statistics import median_low

from .computation import (
    ONE_SECOND,
    RUNNING,
    MonthlyMetrics,
    Transition,
    month_window,
    seconds_in_state,
    to_utc,
)
from .formatting import format_duration
from .usage import percentage_of


@dataclass(frozen=True)
class Intent:
    """A schedule's occurrence: from ``at`` on, the tenant is meant to be ``state``."""

    at: datetime
    state: str


@dataclass(frozen=True)
class Adherence:
    intended: timedelta
    kept: timedelta
    wake_delays: tuple[timedelta, ...]

    @property
    def percentage(self) -> float | None:
        """Kept / intended * 100, half up to 2 decimals; None when nothing was intended."""
        return percentage_of(self.kept, self.intended)

    @property
    def wake_delay_p50_seconds(self) -> int | None:
        return median_low(self.wake_delays) // ONE_SECOND if self.wake_delays else None

    @property
    def wake_delay_max_seconds(self) -> int | None:
        return max(self.wake_delays) // ONE_SECOND if self.wake_delays else None


def schedule_adherence(
    transitions: Iterable[Transition],
    intents: Iterable[Intent],
    window_start: datetime,
    window_end: datetime,
    *,
    created_at: datetime,
    now: datetime,
) -> Adherence:
    """How well the tenant kept its schedules' intents within ``[window_start, window_end)``.

    ``transitions`` are what ``seconds_in_state`` takes; ``intents`` must include the latest
    occurrence at or before the window's start (it tells the intent there) and all inside it.
    """
    actual = seconds_in_state(transitions, window_start, window_end, created_at=created_at, now=now)
    if actual.is_empty:
        return Adherence(timedelta(0), timedelta(0), ())
    start, end = actual.start, actual.end
    ordered = sorted((to_utc(intent.at), intent.state) for intent in intents)
    # Intent pieces over the clipped window: [since, until) meant to be ``state``.
    pieces: list[tuple[datetime, datetime, str]] = []
    current: tuple[datetime, str] | None = None
    for at, state in ordered:
        if at >= end:
            break
        if at <= start:
            current = (start, state)
            continue
        if current is not None:
            pieces.append((current[0], at, current[1]))
        current = (at, state)
    if current is not None:
        pieces.append((current[0], end, current[1]))

    segments = actual.segments
    segment_starts = [segment.start for segment in segments]
    intended = kept = timedelta(0)
    for since, until, state in pieces:
        intended += until - since
        for segment in segments[max(bisect_right(segment_starts, since) - 1, 0) :]:
            if segment.start >= until:
                break
            if segment.state == state:
                kept += max(min(until, segment.end) - max(since, segment.start), timedelta(0))
    return Adherence(intended, kept, tuple(_wake_delays(ordered, segments, start, end)))


def _wake_delays(intents: Sequence[tuple[datetime, str]], segments, start: datetime, end: datetime):
    """For each intended start inside the window at which the tenant was not running: the delay."""
    for at, state in intents:
        if state != RUNNING or not start <= at < end:
            continue
        # The state just before the scheduled start: a record at that very instant is the wake itself.
        before = next(s for s in segments if s.start < at <= s.end) if at > start else segments[0]
        if before.state == RUNNING:
            continue  # already up: no wake happened
        running = next((s.start for s in segments if s.end > at and s.state == RUNNING), end)
        yield max(running - at, timedelta(0))


def with_adherence(
    metrics: MonthlyMetrics,
    transitions: Sequence[Transition],
    intents: Sequence[Intent],
    *,
    zone: tzinfo,
    created_at: datetime,
    now: datetime,
) -> MonthlyMetrics:
    """``metrics`` with schedule adherence and wake delays filled in (unchanged without intents)."""
    if not intents:
        return metrics
    window_start, window_end = month_window(metrics.year, metrics.month, zone)
    adherence = schedule_adherence(transitions, intents, window_start, window_end, created_at=created_at, now=now)
    p50, longest = adherence.wake_delay_p50_seconds, adherence.wake_delay_max_seconds
    return replace(
        metrics,
        schedule_adherence_percentage=adherence.percentage,
        wake_count=len(adherence.wake_delays),
        wake_delay_p50_seconds=p50,
        wake_delay_max_seconds=longest,
        wake_delay_p50_formatted=None if p50 is None else format_duration(p50),
        wake_delay_max_formatted=None if longest is None else format_duration(longest),
    )
