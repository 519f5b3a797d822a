"""Next run times are computed in the schedule's time zone and stay right across DST changes."""

from datetime import UTC, datetime

import pytest
import time_machine

from tenants.schedules.cron import latest_occurrence, next_occurrences
from tenants.schedules.services import schedule_create, schedule_next_runs

pytestmark = pytest.mark.django_db


def _local(runs):
    return [run.strftime("%Y-%m-%d %H:%M %z") for run in runs]


def test_a_daily_0230_in_berlin_runs_once_at_0300_on_spring_forward_day():
    runs = next_occurrences("30 2 * * *", "Europe/Berlin", datetime(2026, 3, 28, 12, tzinfo=UTC), 3)
    # 02:00 jumps to 03:00 on 29 March 2026: 02:30 does not exist, the run is at the end of the gap.
    assert _local(runs) == ["2026-03-29 03:00 +0200", "2026-03-30 02:30 +0200", "2026-03-31 02:30 +0200"]


def test_a_daily_0230_in_berlin_runs_once_not_twice_on_fall_back_day():
    runs = next_occurrences("30 2 * * *", "Europe/Berlin", datetime(2026, 10, 24, 12, tzinfo=UTC), 3)
    # 03:00 goes back to 02:00 on 25 October 2026: 02:30 happens twice, the schedule runs at the first.
    assert _local(runs) == ["2026-10-25 02:30 +0200", "2026-10-26 02:30 +0100", "2026-10-27 02:30 +0100"]


def test_a_daily_0130_in_new_york_runs_once_on_fall_back_day():
    runs = next_occurrences("30 1 * * *", "America/New_York", datetime(2026, 10, 31, 12, tzinfo=UTC), 3)
    assert _local(runs) == ["2026-11-01 01:30 -0400", "2026-11-02 01:30 -0500", "2026-11-03 01:30 -0500"]


def test_a_daily_0230_in_new_york_runs_once_at_0300_on_spring_forward_day():
    runs = next_occurrences("30 2 * * *", "America/New_York", datetime(2026, 3, 7, 12, tzinfo=UTC), 3)
    assert _local(runs) == ["2026-03-08 03:00 -0400", "2026-03-09 02:30 -0400", "2026-03-10 02:30 -0400"]


def test_an_hourly_schedule_skips_the_missing_hour_and_runs_the_repeated_hour_once():
    spring = next_occurrences("0 * * * *", "Europe/Berlin", datetime(2026, 3, 28, 23, 30, tzinfo=UTC), 3)
    assert _local(spring) == ["2026-03-29 01:00 +0100", "2026-03-29 03:00 +0200", "2026-03-29 04:00 +0200"]
    autumn = next_occurrences("0 * * * *", "Europe/Berlin", datetime(2026, 10, 24, 22, 30, tzinfo=UTC), 4)
    assert _local(autumn) == [
        "2026-10-25 01:00 +0200",
        "2026-10-25 02:00 +0200",
        "2026-10-25 03:00 +0100",
        "2026-10-25 04:00 +0100",
    ]


def test_counting_from_inside_the_repeated_hour_does_not_run_the_same_wall_time_again():
    # 00:45 UTC is 02:45 CEST, the first pass of the repeated hour; 01:15 UTC is 02:15 CET, the second.
    first_pass = next_occurrences("30 2 * * *", "Europe/Berlin", datetime(2026, 10, 25, 0, 15, tzinfo=UTC), 1)
    second_pass = next_occurrences("30 2 * * *", "Europe/Berlin", datetime(2026, 10, 25, 1, 15, tzinfo=UTC), 1)
    assert _local(first_pass) == ["2026-10-25 02:30 +0200"]
    assert _local(second_pass) == ["2026-10-26 02:30 +0100"]


def test_the_latest_occurrence_agrees_with_the_next_ones_across_both_changes():
    assert latest_occurrence("30 2 * * *", "Europe/Berlin", datetime(2026, 10, 25, 1, 15, tzinfo=UTC)) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    assert latest_occurrence("30 2 * * *", "Europe/Berlin", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == datetime(
        2026, 3, 29, 1, 0, tzinfo=UTC
    )
    assert latest_occurrence("30 2 * * *", "Europe/Berlin", datetime(2026, 3, 29, 0, 59, tzinfo=UTC)) == datetime(
        2026, 3, 28, 1, 30, tzinfo=UTC
    )


def test_every_weekday_at_0800_in_tokyo_skips_the_weekend(make_tenant):
    tenant = make_tenant()
    with time_machine.travel(datetime(2026, 1, 9, 0, 30, tzinfo=UTC), tick=False):  # Friday 09:30 in Tokyo
        schedule = schedule_create(
            tenant=tenant, action="start", cron="0 8 * * 1-5", timezone_name="Asia/Tokyo", actor="a"
        )
        runs = schedule_next_runs(schedule, 5)
    assert [run.strftime("%a %Y-%m-%d %H:%M %Z") for run in runs] == [
        "Mon 2026-01-12 08:00 JST",
        "Tue 2026-01-13 08:00 JST",
        "Wed 2026-01-14 08:00 JST",
        "Thu 2026-01-15 08:00 JST",
        "Fri 2026-01-16 08:00 JST",
    ]
    assert schedule.next_run_at == datetime(2026, 1, 11, 23, 0, tzinfo=UTC)


def test_every_weekday_at_0800_in_berlin_keeps_local_0800_across_the_spring_change(make_tenant):
    tenant = make_tenant()
    with time_machine.travel(datetime(2026, 3, 27, 12, tzinfo=UTC), tick=False):  # a Friday
        schedule = schedule_create(
            tenant=tenant, action="start", cron="0 8 * * 1-5", timezone_name="Europe/Berlin", actor="a"
        )
        runs = schedule_next_runs(schedule, 2)
    assert [run.astimezone(UTC).isoformat() for run in runs] == [
        "2026-03-30T06:00:00+00:00",  # Monday after the change: 08:00 CEST
        "2026-03-31T06:00:00+00:00",
    ]
    assert schedule_next_runs(schedule, 1, after=datetime(2026, 3, 20, 12, tzinfo=UTC))[0].isoformat() == (
        "2026-03-23T08:00:00+01:00"  # the Monday before: 08:00 CET
    )
