"""Cron expressions in a time zone: validation, occurrences across DST, and a description in words.

croniter does the cron arithmetic on *wall-clock* times (naive datetimes), where DST cannot
confuse it; this module alone turns a wall-clock time into an instant, with one rule for each
DST change:

- spring forward: a wall time inside the gap (02:30 on the day 02:00 jumps to 03:00) happens at
  the first instant after the gap (03:00), so a daily 02:30 schedule still runs once that day;
- fall back: a wall time that happens twice (02:30 when 03:00 goes back to 02:00) happens at its
  first occurrence only, so the daily schedule runs once, not twice.

Each wall-clock time that matches the cron therefore runs exactly once, and occurrences are
strictly increasing instants (two wall times in one gap collapse to one instant).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cron_descriptor import FormatError, MissingFieldError, Options, WrongArgumentError, get_description
from croniter import CroniterBadDateError, croniter
from django.core.exceptions import ValidationError

CRON_FIELDS = 5
# Longer than any DST change anywhere (the largest is 2 hours): how far back to look for one.
_MAX_DST_SHIFT = timedelta(hours=3)
# A valid cron always matches within a few years (29 February on a Monday: 28 years at most).
_MAX_STEPS = 100_000


class CronError(ValueError):
    """A stored cron expression or time zone that cannot be evaluated (never valid ones)."""


def validate_cron(expression: str) -> None:
    """Raise ``ValidationError`` unless ``expression`` is a 5-field cron that ever matches."""
    fields = str(expression).split()
    if len(fields) != CRON_FIELDS:
        raise ValidationError(
            "Enter a cron expression of 5 fields: minute hour day-of-month month day-of-week (e.g. '0 8 * * 1-5').",
            code="invalid_cron",
        )
    if not croniter.is_valid(" ".join(fields)):
        raise ValidationError(f"'{expression}' is not a valid cron expression.", code="invalid_cron")
    try:
        croniter(" ".join(fields), datetime(2000, 1, 1)).get_next(datetime)
    except (CroniterBadDateError, ValueError, KeyError) as exc:
        raise ValidationError(f"'{expression}' never matches a date.", code="invalid_cron") from exc


def validate_timezone(name: str) -> None:
    """Raise ``ValidationError`` unless ``name`` is an IANA time zone (``Europe/Berlin``)."""
    try:
        zone_for(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValidationError(
            f"'{name}' is not an IANA time zone (e.g. 'Europe/Berlin', 'UTC').", code="invalid_timezone"
        ) from exc


@lru_cache(maxsize=512)
def zone_for(name: str) -> ZoneInfo:
    if not name or name != name.strip():
        raise ValueError(name)
    return ZoneInfo(name)


def normalize_cron(expression: str) -> str:
    """The expression with single spaces between fields (what is stored)."""
    return " ".join(str(expression).split())


def describe_cron(expression: str) -> str:
    """The cron in words, e.g. "At 08:00, Monday through Friday" (24-hour clock)."""
    options = Options()
    options.use_24hour_time_format = True
    try:
        return get_description(expression, options)
    except (FormatError, MissingFieldError, WrongArgumentError, ValueError, KeyError, IndexError):
        return expression


def wall_time_to_instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The instant (aware, UTC) a naive wall-clock time in ``zone`` stands for (rules: module docstring)."""
    first = wall.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall:
        return first.astimezone(UTC)  # exists; fold=0 is its first occurrence when it is repeated
    return _end_of_gap(wall, zone)


def _end_of_gap(wall: datetime, zone: ZoneInfo) -> datetime:
    # In a gap fold=1 reads the wall time with the offset after the change (an instant before the
    # change) and fold=0 with the one before it (after the change): the change lies in between.
    low = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    low, high = min(low, high), max(low, high)
    offset_after = high.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(zone).utcoffset() == offset_after:
            high = middle
        else:
            low = middle
    return high


def occurrences_after(expression: str, timezone_name: str, after: datetime) -> Iterator[datetime]:
    """The instants (aware, UTC) at which the cron fires in the zone, strictly after ``after``."""
    zone = zone_for(timezone_name)
    # A wall time at or before ``after``'s own maps to an instant at or before ``after``; a later
    # one can still be earlier (the first pass of a repeated hour), which the check below skips.
    walls = croniter(expression, after.astimezone(zone).replace(tzinfo=None))
    for _ in range(_MAX_STEPS):
        instant = wall_time_to_instant(walls.get_next(datetime), zone)
        if instant > after:
            after = instant
            yield instant
    raise CronError(f"No run of '{expression}' found after {after.isoformat()}.")


def next_occurrence(expression: str, timezone_name: str, after: datetime) -> datetime:
    """The first instant strictly after ``after`` at which the cron fires (UTC)."""
    return next(occurrences_after(expression, timezone_name, after))  # never exhausted: it raises CronError


def next_occurrences(expression: str, timezone_name: str, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` instants strictly after ``after``, in the schedule's time zone."""
    zone = zone_for(timezone_name)
    instants = occurrences_after(expression, timezone_name, after)
    return [next(instants).astimezone(zone) for _ in range(count)]


def latest_occurrence(expression: str, timezone_name: str, at: datetime) -> datetime | None:
    """The last instant at or before ``at`` at which the cron fires (UTC), or None if none is found."""
    zone = zone_for(timezone_name)
    # Wall-time order and instant order agree (module docstring), so walking back the first
    # instant at or before ``at`` is the latest. Just after a fall back, wall times later than
    # ``at``'s own (by at most the hour given back) are earlier instants: start that much later.
    given_back = max((at - _MAX_DST_SHIFT).astimezone(zone).utcoffset() - at.astimezone(zone).utcoffset(), timedelta())
    start = at.astimezone(zone).replace(tzinfo=None) + given_back + timedelta(minutes=1)
    walls = croniter(expression, start)
    for _ in range(_MAX_STEPS):
        try:
            wall = walls.get_prev(datetime)
        except CroniterBadDateError:
            return None
        instant = wall_time_to_instant(wall, zone)
        if instant <= at:
            return instant
    return None
