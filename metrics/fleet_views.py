"""``/fleet/``: the fleet report as a page, sortable by uptime, downtime and name."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .selectors import FleetMonthlyRow, MonthRef, fleet_monthly_report
from .serializers import MonthParamsSerializer

# Sortable columns: the ``sort`` parameter (``-`` for descending) -> the value rows are ordered by.
# Percentages, not seconds, so tenants created during the month compare fairly.
SORT_KEYS: dict[str, Callable[[FleetMonthlyRow], object]] = {
    "name": lambda row: row.tenant_name,
    "uptime": lambda row: row.metrics.uptime_percentage,
    "downtime": lambda row: row.metrics.downtime_percentage,
}
DEFAULT_SORT = "name"


def sorted_rows(rows: list[FleetMonthlyRow], sort: str) -> list[FleetMonthlyRow]:
    """``rows`` ordered by ``sort`` (a key of ``SORT_KEYS``, ``-`` first for descending; else by name).

    Tenants with no data for the month (created after it) come last either way; ties go by name.
    """
    column = sort.removeprefix("-")
    key = SORT_KEYS.get(column, SORT_KEYS[DEFAULT_SORT])
    by_name = sorted(rows, key=SORT_KEYS["name"])
    with_data = [row for row in by_name if key(row) is not None]
    without = [row for row in by_name if key(row) is None]
    return sorted(with_data, key=key, reverse=sort.startswith("-") and column in SORT_KEYS) + without


@login_required
@permission_required("tenants.view_tenant", raise_exception=True)
def fleet_report(request: HttpRequest) -> HttpResponse:
    """Every tenant's month: the same numbers as ``GET /api/metrics/monthly``."""
    now = timezone.now()
    # A plain dict, as the API reads it: "?month=" is then invalid rather than "not given".
    params = MonthParamsSerializer(data=request.GET.dict(), context={"now": now})
    sort = request.GET.get("sort", DEFAULT_SORT)
    if not params.is_valid():
        errors = [f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in params.errors.items()]
        return render(request, "metrics/fleet.html", {"errors": errors, "now": now}, status=400)
    ref: MonthRef = params.validated_data["month_ref"]
    rows = sorted_rows(fleet_monthly_report(ref, now=now), sort)
    query = {"year": ref.year, "month": ref.month, "tz": ref.timezone_name}
    context = {
        "ref": ref,
        "rows": rows,
        "sort": sort,
        "columns": {column: _column_link(query, column, sort) for column in SORT_KEYS},
        "previous_link": "?" + urlencode(_month_query(ref.previous(), sort)),
        "next_link": None if _is_future(ref.next(), now) else "?" + urlencode(_month_query(ref.next(), sort)),
    }
    return render(request, "metrics/fleet.html", context)


def _column_link(query: dict, column: str, sort: str) -> dict[str, str]:
    """The header link of a column: sort by it, or flip the direction when it is the current sort."""
    if sort == column:
        target, direction = f"-{column}", "ascending"
    elif sort == f"-{column}":
        target, direction = column, "descending"
    else:
        target, direction = (column if column == "name" else f"-{column}"), ""
    return {"href": "?" + urlencode(query | {"sort": target}), "aria_sort": direction}


def _month_query(ref: MonthRef, sort: str) -> dict[str, object]:
    return {"year": ref.year, "month": ref.month, "tz": ref.timezone_name, "sort": sort}


def _is_future(ref: MonthRef, now) -> bool:
    local_now = now.astimezone(ref.zone)
    return (ref.year, ref.month) > (local_now.year, local_now.month)
