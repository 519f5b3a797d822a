"""The Uptime Metrics tab: a partial of ``tenants/detail.html`` that refreshes itself.

It calls the same selectors as the JSON API (``metrics.selectors``); this module only arranges
their results for the page (bars, timeline positions, month links).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseStopPolling

from tenants.forms import errors_in_words, validation_in_words
from tenants.models import Tenant
from tenants.states import State
from tenants.views import render_tab, viewer_required

from .computation import MonthlyMetrics, local_midnight
from .formatting import format_duration
from .selectors import MonthRef, resolve_month, tenant_monthly_metrics

STATE_WORDS = {
    State.RUNNING: "Uptime",
    State.STOPPED: "Downtime",
    State.SCALING: "Scaling",
    State.UNKNOWN: "Unknown",
}


class MonthQuery(forms.Form):
    """``?year=&month=&tz=``; ranges, future months and time zone names are checked by ``resolve_month``."""

    year = forms.IntegerField(required=False)
    month = forms.IntegerField(required=False)
    tz = forms.CharField(required=False, max_length=64)


@dataclass(frozen=True)
class StateShare:
    """One progress bar: a state's share of the month."""

    state: str
    label: str
    percentage: float | None
    formatted: str


@dataclass(frozen=True)
class TimelineSegment:
    """A coloured stretch of the month timeline, positioned in percent of the whole month."""

    state: str
    label: str
    start: datetime
    end: datetime
    duration: str
    offset: float
    width: float


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def tenant_uptime(request: HttpRequest, pk: int) -> HttpResponse:
    """``/tenants/<id>/uptime/?year=&month=&tz=``: current state, the month's shares and timeline."""
    tenant = Tenant.objects.filter(pk=pk).first()
    if tenant is None:
        if request.htmx:
            # 286 ends the tab's polling; the body replaces the tab with a plain explanation.
            return HttpResponseStopPolling(render_to_string("tenants/tenant_gone.html", {"pk": pk}, request))
        raise Http404("No such tenant.")
    query = MonthQuery(request.GET)
    if not query.is_valid():
        return render_tab(request, tenant, "uptime", {"error": errors_in_words(query)}, status=400)
    try:
        ref = resolve_month(
            query.cleaned_data["year"],
            query.cleaned_data["month"],
            query.cleaned_data["tz"] or settings.TIME_ZONE,
        )
    except ValidationError as error:
        return render_tab(request, tenant, "uptime", {"error": validation_in_words(error)}, status=400)
    now = timezone.now()
    metrics = tenant_monthly_metrics(tenant, ref, now=now)
    return render_tab(request, tenant, "uptime", uptime_context(request, ref, metrics, now))


def uptime_context(request: HttpRequest, ref: MonthRef, metrics: MonthlyMetrics, now: datetime) -> dict:
    """What the tab shows besides the tenant: the month, its bars, its timeline, its neighbours."""
    current = resolve_month(None, None, ref.timezone_name, now=now)
    explicit = {key: request.GET[key] for key in ("year", "month", "tz") if request.GET.get(key)}
    return {
        "month": ref,
        "month_start": ref.window[0].astimezone(ref.zone),
        "metrics": metrics,
        "shares": state_shares(metrics),
        "timeline": timeline(metrics, ref),
        "ticks": month_ticks(ref),
        "previous_month": _month_query(ref.previous()),
        "next_month": None if (ref.year, ref.month) >= (current.year, current.month) else _month_query(ref.next()),
        # Polling repeats what was asked: no month given means "the current month", even across midnight.
        "poll_query": "&".join(f"{key}={value}" for key, value in explicit.items()),
        "updated_at": now.astimezone(ref.zone),
    }


def state_shares(metrics: MonthlyMetrics) -> list[StateShare]:
    """Uptime, downtime and scaling always; unknown only when the month has some."""
    shares = [
        StateShare(State.RUNNING, STATE_WORDS[State.RUNNING], metrics.uptime_percentage, metrics.uptime_formatted),
        StateShare(State.STOPPED, STATE_WORDS[State.STOPPED], metrics.downtime_percentage, metrics.downtime_formatted),
        StateShare(State.SCALING, STATE_WORDS[State.SCALING], metrics.scaling_percentage, metrics.scaling_formatted),
    ]
    if metrics.unknown_seconds or metrics.unknown_percentage:
        shares.append(
            StateShare(State.UNKNOWN, STATE_WORDS[State.UNKNOWN], metrics.unknown_percentage, metrics.unknown_formatted)
        )
    return shares


def timeline(metrics: MonthlyMetrics, ref: MonthRef) -> list[TimelineSegment]:
    """The month's segments placed on a bar spanning the whole month (the future stays empty)."""
    month_start, month_end = ref.window
    month_length = (month_end - month_start).total_seconds()
    return [
        TimelineSegment(
            state=segment.state,
            label=State(segment.state).label,
            start=segment.start.astimezone(ref.zone),
            end=segment.end.astimezone(ref.zone),
            duration=format_duration(segment.seconds),
            offset=round((segment.start - month_start).total_seconds() / month_length * 100, 4),
            width=round(segment.duration.total_seconds() / month_length * 100, 4),
        )
        for segment in metrics.timeline
    ]


def month_ticks(ref: MonthRef) -> list[tuple[int, float]]:
    """Day-of-month labels (1, 8, 15, 22, 29) and where they sit on the timeline, in percent."""
    month_start, month_end = ref.window
    month_length = (month_end - month_start).total_seconds()
    ticks = []
    for day in (1, 8, 15, 22, 29):
        try:
            start = local_midnight(date(ref.year, ref.month, day), ref.zone)
        except ValueError:  # no 29th in this February
            continue
        ticks.append((day, round((start - month_start).total_seconds() / month_length * 100, 2)))
    return ticks


def _month_query(ref: MonthRef) -> str:
    return f"year={ref.year}&month={ref.month}&tz={ref.timezone_name}"
