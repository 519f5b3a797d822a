"""Schedule adherence and wake delay on hand-made histories (README "Beyond uptime")."""

from datetime import UTC, datetime, timedelta

from metrics.adherence import Intent, schedule_adherence
from metrics.computation import Transition

MARCH = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
AFTER_MARCH = datetime(2026, 4, 2, tzinfo=UTC)


def at(day: int, hour: int = 0, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def nightly_intents(days=range(1, 32)):
    """Stop at 20:00, start at 08:00 every day; the last stop of February tells March 1st's morning."""
    intents = [Intent(at(28, 20, month=2), "stopped")]
    for day in days:
        intents += [Intent(at(day, 8), "running"), Intent(at(day, 20), "stopped")]
    return intents


def _adherence(history, intents, now=AFTER_MARCH):
    return schedule_adherence(history, intents, *MARCH, created_at=at(1, month=1), now=now)


def test_a_tenant_that_followed_its_schedule_exactly_kept_it_all_month_without_wake_delay():
    history = [Transition(at(28, 20, month=2), "running", "stopped", 1)]
    for number, day in enumerate(range(1, 32)):
        history += [
            Transition(at(day, 8), "stopped", "running", 10 + 2 * number),
            Transition(at(day, 20), "running", "stopped", 11 + 2 * number),
        ]

    adherence = _adherence(history, nightly_intents())

    assert adherence.percentage == 100.0
    assert adherence.intended == timedelta(days=31)
    assert adherence.wake_delay_max_seconds == 0
    assert len(adherence.wake_delays) == 31


def test_a_scheduled_stop_followed_by_a_manual_start_is_time_out_of_schedule():
    # Always up, except the schedule stopped it on the 10th at 20:00 and a person started it at 22:00,
    # so it ran through the night it was meant to be stopped; other nights it was meant to be stopped too.
    intents = [Intent(at(10, 8), "running"), Intent(at(10, 20), "stopped"), Intent(at(11, 8), "running")]
    history = [
        Transition(at(1, month=2), None, "running", 1),
        Transition(at(10, 20), "running", "stopped", 2, source="schedule"),
        Transition(at(10, 22), "stopped", "scaling", 3, source="ui"),
        Transition(at(10, 22, 5), "scaling", "running", 4, source="reconciler"),
    ]

    adherence = _adherence(history, intents)

    # Intended from the 10th 08:00 to the end: 21 days 16 h; out of schedule: 22:00 -> 08:00 (10 h).
    assert adherence.intended == timedelta(days=21, hours=16)
    assert adherence.kept == timedelta(days=21, hours=6)
    assert adherence.percentage == round((21 * 24 + 6) / (21 * 24 + 16) * 100, 2)
    assert adherence.wake_delays == ()  # it was already running at 08:00 on the 11th


def test_wake_delays_give_the_lower_median_and_the_max_and_a_start_that_never_came_up_counts_to_the_end():
    intents = [Intent(at(1, 8), "running"), Intent(at(1, 20), "stopped"), Intent(at(2, 8), "running")]
    intents += [Intent(at(2, 20), "stopped"), Intent(at(3, 8), "running")]
    history = [
        Transition(at(1, month=2), None, "stopped", 1),
        Transition(at(1, 8), "stopped", "scaling", 2, source="schedule"),
        Transition(at(1, 8, 1), "scaling", "running", 3),  # 60 s
        Transition(at(1, 20), "running", "stopped", 4, source="schedule"),
        Transition(at(2, 8), "stopped", "scaling", 5, source="schedule"),
        Transition(at(2, 8, 5), "scaling", "running", 6),  # 300 s
        Transition(at(2, 20), "running", "stopped", 7, source="schedule"),
        Transition(at(3, 8), "stopped", "scaling", 8, source="schedule"),  # never comes up
    ]

    adherence = _adherence(history, intents, now=at(3, 9))

    assert adherence.wake_delay_p50_seconds == 300
    assert adherence.wake_delay_max_seconds == 3600  # 08:00 -> now (09:00), still scaling
    assert adherence.intended == timedelta(days=2, hours=1)  # from the first intent (1st 08:00) to now


def test_without_any_intent_adherence_is_null():
    adherence = _adherence([Transition(at(1, month=2), None, "running", 1)], [])

    assert adherence.percentage is None
    assert adherence.wake_delay_p50_seconds is None
    assert adherence.wake_delay_max_seconds is None
