"""Months that are over, cached for the fleet report.

A month whose window has ended only changes if a record is written into it or before it: an
import or an append with a past timestamp (``tenants.services`` calls ``history_rewritten``
then); or if the fleet changes: a tenant registered, removed, re-dated or given another
``desired_replicas`` (the key carries each tenant's id, ``created_at`` and ``desired_replicas``),
or a schedule created, changed or deleted (schedule adherence; the key carries the schedules'
count and latest ``updated_at``, one small query). Ordinary changes are written at the current
time, after the window.

The rules that make this exact (README "Performance"):
- a month is cached only once its window ended ``SETTLE`` ago;
- a write bumps the generation when its ``changed_at`` is more than ``REWRITE_MARGIN`` in the past,
  after its transaction commits.
So an uncommitted write the computation could not see, yet which falls inside a cached month,
would have to stay open for more than ``SETTLE - REWRITE_MARGIN``. The generation is a random
token in the cache: if the cache loses it, every older entry becomes unreachable too.

Only with a cache shared by every process (``METRICS_MONTH_CACHE``, on with Redis): a per-process
cache would not see another process's bump.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max

if TYPE_CHECKING:
    from tenants.models import Tenant

    from .selectors import MonthRef

SETTLE = timedelta(hours=1)
REWRITE_MARGIN = timedelta(minutes=5)
TIMEOUT_SECONDS = 7 * 86_400
GENERATION_KEY = "metrics:month-cache:generation"

T = TypeVar("T")


def cached_past_month(ref: MonthRef, tenants: Iterable[Tenant], now: datetime, compute: Callable[[], T]) -> T:
    """``compute()``, from the cache when the month ended at least ``SETTLE`` before ``now``."""
    if not settings.METRICS_MONTH_CACHE or ref.window[1] > now - SETTLE:
        return compute()
    key = _key(ref, tenants)
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, TIMEOUT_SECONDS)
    return found


def is_rewrite(changed_at: datetime, now: datetime) -> bool:
    """Whether a record at ``changed_at``, written at ``now``, may fall in a month that is cached."""
    return changed_at < now - REWRITE_MARGIN


def history_rewritten() -> None:
    """Drop every cached month once the current transaction commits (a record was written into the past)."""
    transaction.on_commit(lambda: cache.set(GENERATION_KEY, uuid4().hex, None))


def _key(ref: MonthRef, tenants: Iterable[Tenant]) -> str:
    from tenants.schedules.models import TenantSchedule  # here: tenants.services imports this module

    generation = cache.get_or_set(GENERATION_KEY, lambda: uuid4().hex, None)
    schedules = TenantSchedule.objects.aggregate(count=Count("id"), changed=Max("updated_at"))
    fleet = hashlib.sha256(f"{schedules['count']}@{schedules['changed']};{settings.COST_PER_REPLICA_HOUR};".encode())
    for tenant in tenants:
        fleet.update(f"{tenant.pk}@{tenant.created_at.isoformat()}x{tenant.desired_replicas};".encode())
    database = settings.DATABASES["default"]["NAME"]
    return f"metrics:month:{database}:{generation}:{ref.year}-{ref.month:02d}:{ref.timezone_name}:{fleet.hexdigest()}"
