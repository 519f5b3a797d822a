"""When beat runs the dispatcher: every N seconds on the clock, not every N seconds from beat's start.

Cron occurrences fall on whole minutes. A plain interval counts from whenever beat started, so a
run due at 20:00:00 waited until the dispatcher's next tick, up to a whole interval later. On the
clock, with an interval that divides a minute (the default 30 s: at :00 and :30), the tick that
finds the occurrence due is the one at 20:00:00 itself.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from celery.schedules import schedstate, schedule


class ClockAlignedInterval(schedule):
    """Due at every multiple of ``run_every`` since the Unix epoch; at most once per such slot."""

    def is_due(self, last_run_at: datetime) -> schedstate:
        seconds = self.run_every.total_seconds()
        now = self.now().timestamp()
        slot_began = math.floor(now / seconds) * seconds
        ran_in_this_slot = self.maybe_make_aware(last_run_at).timestamp() >= slot_began
        return schedstate(is_due=not ran_in_this_slot, next=slot_began + seconds - now)

    def remaining_estimate(self, last_run_at: datetime) -> timedelta:
        return timedelta(seconds=self.is_due(last_run_at).next)

    def __repr__(self) -> str:
        return f"<clock-aligned every {self.human_seconds}>"
