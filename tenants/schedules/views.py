"""The tenant page's Schedules tab: list, add, enable, disable and delete, over ``tenants.schedules.services``.

Like the Start / Stop / Scale buttons (``tenants.operate_views``): an HTMX request gets the tab
back (with a message, or the add form with its errors and a 400); a request without HTMX is
redirected to the tab with the message, or gets the whole page with the form's errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from metrics.selectors import cursor_starting_at

from ..forms import validation_in_words
from ..models import Tenant
from ..views import render_tab, viewer_required
from .forms import ScheduleForm
from .models import ScheduleExecution, TenantSchedule
from .selectors import tenant_schedules_with_recent_runs
from .services import schedule_delete, schedule_disable, schedule_enable, schedule_next_runs

NEXT_RUNS_SHOWN = 3
RECENT_RUNS_SHOWN = 5
BAD_INPUT = 400

operator_required = permission_required(["tenants.view_tenant", "tenants.operate_tenant"], raise_exception=True)


@dataclass(frozen=True)
class ScheduleRun:
    execution: ScheduleExecution
    history_url: str | None


@dataclass(frozen=True)
class ScheduleRow:
    schedule: TenantSchedule
    next_runs: list[datetime]
    recent_runs: list[ScheduleRun]


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def tenant_schedules(request: HttpRequest, pk: int) -> HttpResponse:
    """``/tenants/<id>/schedules/``: each schedule with its next runs and latest executions; the add form."""
    tenant = get_object_or_404(Tenant, pk=pk)
    return _render(request, tenant)


@require_POST
@login_required
@operator_required
def schedule_add(request: HttpRequest, pk: int) -> HttpResponse:
    """``POST /tenants/<id>/schedules/add``: create a schedule; a bad field re-renders the form (400)."""
    tenant = get_object_or_404(Tenant, pk=pk)
    form = ScheduleForm(request.POST, tenant=tenant)
    if not form.is_valid():
        return _render(request, tenant, form=form, status=BAD_INPUT)
    schedule = form.save(actor=request.user.get_username())
    return _respond(request, tenant, f"Added: {_summary(schedule)}.", messages.SUCCESS)


@require_POST
@login_required
@operator_required
def schedule_change(request: HttpRequest, schedule_id: int, action: str) -> HttpResponse:
    """``POST /schedules/<id>/enable|disable|delete``."""
    schedule = get_object_or_404(TenantSchedule.objects.select_related("tenant"), pk=schedule_id)
    tenant, actor = schedule.tenant, request.user.get_username()
    try:
        if action == "enable":
            schedule = schedule_enable(schedule=schedule, actor=actor)
            message = f"Enabled: {_summary(schedule)}."
        elif action == "disable":
            schedule = schedule_disable(schedule=schedule, actor=actor)
            message = f"Disabled: {_summary(schedule)}."
        else:
            message = f"Deleted: {_summary(schedule)}. Its past runs stay in the history."
            schedule_delete(schedule=schedule, actor=actor)
    except TenantSchedule.DoesNotExist as error:  # deleted by someone else since it was loaded
        raise Http404("No such schedule.") from error
    except ValidationError as error:
        return _respond(request, tenant, validation_in_words(error), messages.ERROR, status=BAD_INPUT)
    return _respond(request, tenant, message, messages.SUCCESS)


def _summary(schedule: TenantSchedule) -> str:
    return f"{schedule.action_label} {schedule.description[:1].lower()}{schedule.description[1:]} ({schedule.timezone})"


def _respond(request: HttpRequest, tenant: Tenant, message: str, level: int, *, status: int = 200) -> HttpResponse:
    if not request.htmx:
        messages.add_message(request, level, message)
        return redirect("tenant-schedules", pk=tenant.pk)
    notice_level = "error" if level == messages.ERROR else "success"
    return _render(request, tenant, notice=message, notice_level=notice_level, status=status)


def _render(
    request: HttpRequest, tenant: Tenant, *, form: ScheduleForm | None = None, status: int = 200, **extra: object
) -> HttpResponse:
    schedules = tenant_schedules_with_recent_runs(tenant, runs=RECENT_RUNS_SHOWN)
    context = {
        "schedule_rows": [_row(schedule) for schedule in schedules],
        "schedule_form": form or ScheduleForm(tenant=tenant, initial={"timezone": settings.TIME_ZONE}),
        "timezone_names": timezone_names(),
        "next_runs_shown": NEXT_RUNS_SHOWN,
        **extra,
    }
    return render_tab(request, tenant, "schedules", context, status=status)


def _row(schedule: TenantSchedule) -> ScheduleRow:
    runs = [
        ScheduleRun(execution, _history_url(execution) if execution.history_id else None)
        for execution in schedule.recent_runs
    ]
    return ScheduleRow(schedule, schedule_next_runs(schedule, NEXT_RUNS_SHOWN), runs)


def _history_url(execution: ScheduleExecution) -> str:
    # The History tab paged so that it begins with the record the run wrote, which is also its anchor.
    url = reverse("tenant-history", args=[execution.tenant_id])
    return f"{url}?cursor={cursor_starting_at(execution.history)}#history-{execution.history_id}"


@lru_cache(maxsize=1)
def timezone_names() -> list[str]:
    """IANA zone names for the time zone field's suggestions (``Europe/Berlin``, ``UTC``), sorted."""
    names = {name for name in available_timezones() if "/" in name and not name.startswith(("posix/", "right/"))}
    return sorted(names | {"UTC"})
