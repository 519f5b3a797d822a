"""Durations read as the SPEC's table says: the two largest units, minutes or seconds when short."""

import pytest

from metrics.formatting import format_duration


@pytest.mark.parametrize(
    ("seconds", "formatted"),
    [
        (0, "0s"),
        (45, "45s"),
        (120, "2m"),
        (162, "2m"),
        (3_600, "1h 0m"),
        (3_660, "1h 1m"),
        (86_400, "1d 0h"),
        (475_200, "5d 12h"),
        (1_180_090, "13d 15h"),
    ],
)
def test_it_formats_every_row_of_the_spec_table(seconds, formatted):
    assert format_duration(seconds) == formatted


@pytest.mark.parametrize(
    ("seconds", "formatted"),
    [(59, "59s"), (60, "1m"), (3_599, "59m"), (86_399, "23h 59m"), (40 * 86_400 + 3_599, "40d 0h")],
)
def test_it_switches_units_exactly_at_the_boundaries(seconds, formatted):
    assert format_duration(seconds) == formatted


def test_it_reads_a_negative_duration_from_clock_skew_as_zero():
    assert format_duration(-5) == "0s"
