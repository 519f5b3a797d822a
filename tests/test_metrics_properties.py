"""Properties of the metrics computation on random histories (hypothesis)."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.computation import STATES, Transition, seconds_in_state

ORIGIN = datetime(2026, 1, 1, tzinfo=UTC)
SPAN_US = 40 * 86_400 * 1_000_000  # histories and windows within 40 days of ORIGIN

instants = st.integers(min_value=0, max_value=SPAN_US).map(lambda us: ORIGIN + timedelta(microseconds=us))


@st.composite
def histories(draw):
    """A chain of records in (changed_at, id) order, possibly several at one instant."""
    first_previous = draw(st.sampled_from([None, *STATES]))
    times = sorted(draw(st.lists(instants, min_size=0, max_size=25)))
    transitions, previous = [], first_previous
    for record_id, changed_at in enumerate(times, start=1):
        new_state = draw(st.sampled_from(STATES))
        transitions.append(Transition(changed_at, previous, new_state, record_id))
        previous = new_state
    return transitions


@st.composite
def windows(draw):
    start, end = sorted([draw(instants), draw(instants)])
    return start, end


def _compute(transitions, window, created_at=ORIGIN, now=ORIGIN + timedelta(days=50)):
    return seconds_in_state(transitions, window[0], window[1], created_at=created_at, now=now)


@given(histories(), windows(), instants, instants)
@settings(max_examples=300, deadline=None)
def test_state_seconds_add_up_to_the_total_within_three(history, window, created_at, now):
    result = _compute(history, window, created_at, now)
    total = result.total // timedelta(seconds=1)

    state_seconds = sum(result.seconds(state) for state in STATES)

    assert total - 3 <= state_seconds <= total
    assert sum(result.durations.values(), timedelta(0)) == result.total


@given(histories(), windows())
@settings(max_examples=300, deadline=None)
def test_percentages_add_up_to_100_within_rounding_or_are_all_null(history, window):
    result = _compute(history, window)
    percentages = [result.percentage(state) for state in STATES]

    if result.is_empty:
        assert percentages == [None, None, None, None]
    else:
        assert abs(sum(percentages) - 100) <= 0.02 + 1e-9


@given(histories(), windows(), st.floats(min_value=0, max_value=1))
@settings(max_examples=300, deadline=None)
def test_splitting_a_window_in_two_gives_the_same_per_state_totals(history, window, fraction):
    start, end = window
    split = start + (end - start) * fraction

    whole = _compute(history, (start, end))
    first, second = _compute(history, (start, split)), _compute(history, (split, end))

    for state in STATES:
        assert first.durations[state] + second.durations[state] == whole.durations[state]


@given(histories(), windows())
@settings(max_examples=300, deadline=None)
def test_only_the_last_record_before_the_window_matters_among_those_outside_it(history, window):
    start, end = window
    before = [t for t in history if t.changed_at <= start]
    inside = [t for t in history if start < t.changed_at < end]
    # With no record before the window, the tenant's first one tells the state it started in.
    needed = (before[-1:] or history[:1]) + inside

    assert _compute(needed, window) == _compute(history, window)
    # And the order records arrive in does not matter either.
    assert _compute(list(reversed(history)), window) == _compute(history, window)


@given(histories(), windows())
@settings(max_examples=200, deadline=None)
def test_the_timeline_covers_the_window_without_gaps(history, window):
    result = _compute(history, window)

    if result.is_empty:
        assert result.segments == ()
        return
    assert result.segments[0].start == result.start
    assert result.segments[-1].end == result.end
    for earlier, later in zip(result.segments, result.segments[1:], strict=False):
        assert earlier.end == later.start
        assert earlier.state != later.state
