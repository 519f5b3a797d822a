"""Properties of planned/unplanned downtime and replica use on random histories (hypothesis)."""

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.computation import RUNNING, STOPPED, seconds_in_state
from metrics.usage import usage_in_window
from tests.test_metrics_properties import ORIGIN, histories, windows

NOW = ORIGIN + timedelta(days=50)
sources = st.sampled_from(["api", "ui", "schedule", "reconciler", "import"])


@given(histories(), windows(), st.data())
@settings(max_examples=300, deadline=None)
def test_uptime_planned_and_unplanned_downtime_split_the_window_and_agree_with_the_states(history, window, data):
    history = [replace(t, source=data.draw(sources)) for t in history]
    states = seconds_in_state(history, *window, created_at=ORIGIN, now=NOW)

    usage = usage_in_window(history, *window, created_at=ORIGIN, now=NOW, desired_replicas=1)

    assert usage.uptime + usage.planned_downtime + usage.unplanned_downtime == usage.total == states.total
    assert usage.uptime == states.durations[RUNNING]
    assert usage.planned_downtime <= states.durations[STOPPED]
    if not any(t.source == "schedule" for t in history):
        assert usage.planned_downtime == timedelta(0)


@given(histories(), windows(), st.integers(min_value=1, max_value=5))
@settings(max_examples=200, deadline=None)
def test_with_every_record_at_the_desired_replicas_nothing_is_saved_only_while_it_runs(history, window, desired):
    history = [replace(t, new_replicas=desired, previous_replicas=desired) for t in history]

    usage = usage_in_window(history, *window, created_at=ORIGIN, now=NOW, desired_replicas=desired)

    assert 0 <= usage.replica_microseconds <= usage.baseline_replica_microseconds
    if all(t.new_state == RUNNING for t in history) and history and history[0].previous_state == RUNNING:
        assert usage.replica_microseconds == usage.baseline_replica_microseconds
