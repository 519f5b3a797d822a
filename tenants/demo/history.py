"""Plausible state histories for the demo tenants: office hours, nightly and weekend stops.

Each tenant follows a pattern of intended up-time. Every start goes through ``scaling`` for
half a minute to two minutes; now and then a Deployment goes missing for a while (``unknown``),
someone stops a tenant by hand, or an always-on tenant is rescaled.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..states import Source, State


@dataclass(frozen=True)
class DemoEvent:
    at: datetime
    state: str
    replicas: int
    actor: str
    source: str
    reason: str


@dataclass(frozen=True)
class DemoTenant:
    name: str
    namespace: str
    deployment_name: str
    desired_replicas: int
    pattern: str
    timezone: str = "Europe/Berlin"


DEMO_TENANTS = [
    DemoTenant("acme-corp", "tenant-acme", "acme-web", 2, "office-hours"),
    DemoTenant("globex", "tenant-globex", "globex-app", 2, "always-on"),
    DemoTenant("initech", "tenant-initech", "initech-api", 1, "weekdays"),
    DemoTenant("umbrella", "tenant-umbrella", "umbrella-portal", 3, "nightly", "America/New_York"),
    DemoTenant("hooli", "tenant-hooli", "hooli-search", 1, "office-hours", "America/New_York"),
]

PATTERNS: dict[str, Callable[[date], tuple[time, time] | None]] = {
    # Daily up-window in local time, or None for a day it stays stopped.
    "office-hours": lambda day: (time(7, 0), time(20, 0)) if day.weekday() < 5 else None,
    "weekdays": lambda day: (time(0, 0), time(23, 59)) if day.weekday() < 5 else None,
    "nightly": lambda day: (time(6, 0), time(23, 0)),
    "always-on": lambda day: (time(0, 0), time(23, 59)),
}


def demo_events(tenant: DemoTenant, start: datetime, end: datetime) -> Iterator[DemoEvent]:
    """Events from ``start`` to ``end`` (UTC), beginning from ``stopped``, in time order."""
    rng = random.Random(tenant.name)
    zone = ZoneInfo(tenant.timezone)
    window_of = PATTERNS[tenant.pattern]
    up = False
    replicas = tenant.desired_replicas
    day = start.astimezone(zone).date()
    while True:
        window = window_of(day)
        if window is None:
            if up:
                up = False
                at = datetime.combine(day, time(0, 0), zone)
                if start <= at < end:
                    yield DemoEvent(at, State.STOPPED, 0, "scheduler", Source.SCHEDULE, "Weekend stop")
        else:
            up_at = datetime.combine(day, window[0], zone) + timedelta(minutes=rng.randint(0, 3))
            down_at = datetime.combine(day, window[1], zone)
            if up_at >= end:
                return
            if not up and up_at >= start:
                yield from _start(rng, up_at, replicas)
                up = True
            if up:
                yield from _incidents(rng, tenant, up_at, min(down_at, end), replicas)
            if window[1] != time(23, 59) and down_at < end and up:
                yield DemoEvent(down_at, State.STOPPED, 0, "scheduler", Source.SCHEDULE, "Nightly stop")
                up = False
        day += timedelta(days=1)
        if datetime.combine(day, time(0, 0), zone) >= end:
            return


def _start(rng: random.Random, at: datetime, replicas: int) -> Iterator[DemoEvent]:
    yield DemoEvent(at, State.SCALING, replicas, "scheduler", Source.SCHEDULE, "Morning start")
    ready_at = at + timedelta(seconds=rng.randint(25, 120))
    yield DemoEvent(
        ready_at, State.RUNNING, replicas, "cluster", Source.RECONCILER, f"{replicas} of {replicas} replicas ready"
    )


def _incidents(
    rng: random.Random, tenant: DemoTenant, up_at: datetime, down_at: datetime, replicas: int
) -> Iterator[DemoEvent]:
    """At most one thing happens in an up-window: a lost Deployment, a manual stop, a rescale."""
    span = (down_at - up_at).total_seconds()
    if span < 3 * 3600:
        return
    at = up_at + timedelta(seconds=rng.uniform(3600, span - 2 * 3600))
    roll = rng.random()
    if roll < 0.03:
        yield DemoEvent(
            at, State.UNKNOWN, replicas, "cluster", Source.RECONCILER, "Deployment not found in the cluster"
        )
        back = at + timedelta(minutes=rng.randint(5, 50))
        yield DemoEvent(
            back, State.RUNNING, replicas, "cluster", Source.RECONCILER, f"{replicas} of {replicas} replicas ready"
        )
    elif roll < 0.07:
        yield DemoEvent(at, State.STOPPED, 0, "alice", Source.UI, "Maintenance window")
        yield from _start(rng, at + timedelta(minutes=rng.randint(10, 40)), replicas)
    elif roll < 0.12 and tenant.pattern == "always-on":
        yield DemoEvent(at, State.RUNNING, replicas * 2, "bob", Source.API, "Traffic peak")
        yield DemoEvent(
            at + timedelta(minutes=rng.randint(30, 90)), State.RUNNING, replicas, "bob", Source.API, "Peak over"
        )
