"""Leaving the timeline out (the API and the fleet report) changes no number, only the segments."""

from datetime import timedelta

from hypothesis import given, settings

from metrics.computation import seconds_in_state
from tests.test_metrics_properties import ORIGIN, histories, instants, windows


@given(histories(), windows(), instants)
@settings(max_examples=300, deadline=None)
def test_the_durations_are_the_same_with_or_without_the_timeline(history, window, created_at):
    now = ORIGIN + timedelta(days=50)
    shuffled = list(reversed(history))  # any order: the computation sorts
    full = seconds_in_state(history, *window, created_at=created_at, now=now)
    bare = seconds_in_state(shuffled, *window, created_at=created_at, now=now, timeline=False)

    assert (bare.start, bare.end, bare.durations) == (full.start, full.end, full.durations)
    assert bare.segments == ()
    assert sum((segment.duration for segment in full.segments), timedelta(0)) == full.total
