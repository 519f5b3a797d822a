"""Durations in words for people: the two largest units (SPEC section 2, formatting table)."""

from __future__ import annotations

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def format_duration(seconds: int) -> str:
    """``seconds`` as the two largest units, the second even when zero: ``"13d 15h"``, ``"1h 0m"``.

    Below an hour only minutes are shown (``"2m"``), below a minute only seconds (``"45s"``).
    Fractions are dropped and a negative duration (clock skew) reads as ``"0s"``.
    """
    seconds = max(int(seconds), 0)
    if seconds < MINUTE:
        return f"{seconds}s"
    if seconds < HOUR:
        return f"{seconds // MINUTE}m"
    if seconds < DAY:
        return f"{seconds // HOUR}h {seconds % HOUR // MINUTE}m"
    return f"{seconds // DAY}d {seconds % DAY // HOUR}h"
