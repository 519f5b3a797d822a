"""Months are local calendar months in any IANA time zone, DST and leap years included."""

from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest

from metrics.computation import Transition, local_midnight, month_window, monthly_metrics

HOUR = 3_600
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
FAR_LATER = datetime(2030, 1, 1, tzinfo=UTC)


def _month(year, month, tz, transitions=(), *, created_at=LONG_AGO, now=FAR_LATER):
    return monthly_metrics(
        tenant_id=1,
        year=year,
        month=month,
        zone=ZoneInfo(tz),
        timezone_name=tz,
        transitions=list(transitions),
        created_at=created_at,
        now=now,
    )


@pytest.mark.parametrize(
    ("tz", "month", "hours", "start_utc"),
    [
        ("Europe/Berlin", 3, 743, datetime(2026, 2, 28, 23, tzinfo=UTC)),
        ("Europe/Berlin", 10, 745, datetime(2026, 9, 30, 22, tzinfo=UTC)),
        ("America/New_York", 3, 743, datetime(2026, 3, 1, 5, tzinfo=UTC)),
        ("America/New_York", 11, 721, datetime(2026, 11, 1, 4, tzinfo=UTC)),
        ("UTC", 3, 744, datetime(2026, 3, 1, tzinfo=UTC)),
    ],
)
def test_a_dst_month_has_its_real_number_of_hours(tz, month, hours, start_utc):
    running_all_along = [Transition(LONG_AGO, None, "running", 1)]

    metrics = _month(2026, month, tz, running_all_along)

    assert metrics.total_seconds == hours * HOUR
    assert metrics.uptime_seconds == hours * HOUR
    assert metrics.uptime_percentage == 100.0
    assert metrics.period_start == start_utc
    assert metrics.period_start.utcoffset() == timedelta(0)


def test_a_change_on_the_night_berlin_springs_forward_splits_the_month_in_utc_hours():
    # 2026-03-29: 02:00 CET becomes 03:00 CEST. Stopped at local 01:00 (00:00 UTC), started at 04:00 (02:00 UTC).
    history = [
        Transition(LONG_AGO, None, "running", 1),
        Transition(datetime(2026, 3, 29, 0, tzinfo=UTC), "running", "stopped", 2),
        Transition(datetime(2026, 3, 29, 2, tzinfo=UTC), "stopped", "running", 3),
    ]

    metrics = _month(2026, 3, "Europe/Berlin", history)

    assert metrics.downtime_seconds == 2 * HOUR
    assert metrics.uptime_seconds == 741 * HOUR


def test_february_2024_has_a_leap_day():
    metrics = _month(2024, 2, "UTC", [Transition(LONG_AGO, None, "stopped", 1)])

    assert metrics.total_seconds == 29 * 24 * HOUR
    assert metrics.downtime_seconds == 29 * 24 * HOUR
    assert metrics.downtime_formatted == "29d 0h"


def test_the_same_month_in_two_time_zones_is_two_different_windows():
    history = [
        Transition(LONG_AGO, None, "stopped", 1),
        Transition(datetime(2026, 1, 31, 23, 30, tzinfo=UTC), "stopped", "running", 2),
    ]

    utc = _month(2026, 1, "UTC", history)
    new_york = _month(2026, 1, "America/New_York", history)

    assert utc.uptime_seconds == 30 * 60
    assert new_york.uptime_seconds == 5 * HOUR + 30 * 60
    assert new_york.period_end == datetime(2026, 2, 1, 5, tzinfo=UTC)


def test_a_month_before_the_tenant_existed_is_zeros_with_null_percentages_and_period():
    metrics = _month(
        2025,
        12,
        "UTC",
        [Transition(datetime(2026, 1, 10, tzinfo=UTC), None, "running", 1)],
        created_at=datetime(2026, 1, 10, tzinfo=UTC),
    )

    assert metrics.total_seconds == metrics.uptime_seconds == metrics.downtime_seconds == 0
    assert (metrics.scaling_seconds, metrics.unknown_seconds) == (0, 0)
    assert metrics.uptime_percentage is None
    assert metrics.downtime_percentage is None
    assert metrics.scaling_percentage is None
    assert metrics.unknown_percentage is None
    assert (metrics.period_start, metrics.period_end) == (None, None)
    assert metrics.uptime_formatted == "0s"
    assert metrics.timeline == ()


def test_the_month_a_tenant_was_created_in_starts_at_its_creation():
    created = datetime(2026, 1, 10, 12, 0, 0, 250_000, tzinfo=UTC)

    metrics = _month(2026, 1, "UTC", [Transition(created, None, "running", 1)], created_at=created)

    assert metrics.period_start == created
    assert (
        metrics.uptime_seconds
        == metrics.total_seconds
        == int((datetime(2026, 2, 1, tzinfo=UTC) - created).total_seconds())
    )


def test_the_current_month_ends_at_now():
    now = datetime(2026, 1, 3, 6, 0, 0, 900_000, tzinfo=UTC)

    metrics = _month(2026, 1, "UTC", [Transition(LONG_AGO, None, "running", 1)], now=now)

    assert metrics.period_end == now
    assert metrics.total_seconds == 2 * 24 * HOUR + 6 * HOUR
    assert [(segment.state, segment.end) for segment in metrics.timeline] == [("running", now)]


class _GapAcrossMidnight(tzinfo):
    """A made-up zone whose clocks jump from 23:30 to 00:30 on 2030-04-01 (UTC+1 -> UTC+2)."""

    transition = datetime(2030, 3, 31, 22, 30, tzinfo=UTC)  # 23:30 at +1

    def utcoffset(self, dt):
        naive = dt.replace(tzinfo=None)
        gap_start, gap_end = datetime(2030, 3, 31, 23, 30), datetime(2030, 4, 1, 0, 30)
        if naive < gap_start or (naive < gap_end and dt.fold == 0):
            return timedelta(hours=1)
        return timedelta(hours=2)

    def dst(self, dt):
        return timedelta(0)

    def fromutc(self, dt):
        offset = timedelta(hours=1) if dt.replace(tzinfo=UTC) < self.transition else timedelta(hours=2)
        return dt + offset


def test_a_midnight_inside_a_dst_gap_means_the_first_instant_after_the_gap():
    assert local_midnight(date(2030, 4, 1), _GapAcrossMidnight()) == _GapAcrossMidnight.transition


def test_a_midnight_at_the_start_of_a_dst_gap_is_the_transition():
    # America/Santiago jumped from 24:00 to 01:00 on 2024-09-08.
    assert local_midnight(date(2024, 9, 8), ZoneInfo("America/Santiago")) == datetime(2024, 9, 8, 4, tzinfo=UTC)


def test_a_repeated_midnight_is_its_first_occurrence():
    # America/Havana fell back from 01:00 to 00:00 on 2025-11-02: midnight happened twice.
    zone = ZoneInfo("America/Havana")
    first = local_midnight(date(2025, 11, 2), zone)
    assert first == datetime(2025, 11, 2, 4, tzinfo=UTC)


def test_december_ends_at_the_next_new_year():
    assert month_window(2025, 12, ZoneInfo("UTC")) == (
        datetime(2025, 12, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
