"""Admin for schedules (editable, with their next 5 runs) and executions (read-only audit records)."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join

from ..admin_readonly import ReadOnlyAdminMixin
from .cron import zone_for
from .forms import ScheduleForm
from .models import ScheduleExecution, TenantSchedule
from .services import schedule_delete, schedule_next_runs

NEXT_RUNS_SHOWN = 5


class ScheduleAdminForm(ScheduleForm):
    class Meta(ScheduleForm.Meta):
        fields = ["tenant", *ScheduleForm.Meta.fields]


@admin.register(TenantSchedule)
class TenantScheduleAdmin(admin.ModelAdmin):
    form = ScheduleAdminForm
    list_display = ("id", "tenant", "action", "replicas", "cron", "description", "timezone", "enabled", "next_run")
    list_filter = ("enabled", "action", "timezone")
    search_fields = ("tenant__name", "cron")
    list_select_related = ("tenant",)
    readonly_fields = ("description", "next_runs", "created_by", "updated_by", "created_at", "updated_at")

    def get_form(self, request: HttpRequest, obj: TenantSchedule | None = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            form.base_fields["tenant"].disabled = True  # a schedule stays with its tenant
        return form

    def save_model(self, request: HttpRequest, obj: TenantSchedule, form: forms.ModelForm, change: bool) -> None:
        saved = form.save(actor=request.user.get_username())
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: TenantSchedule) -> None:
        schedule_delete(schedule=obj, actor=request.user.get_username())

    @admin.display(description="in words")
    def description(self, schedule: TenantSchedule) -> str:
        return schedule.description if schedule.cron else "-"

    @admin.display(description="next run", ordering="next_run_at")
    def next_run(self, schedule: TenantSchedule) -> str:
        if schedule.next_run_at is None:
            return "-"
        return _local(schedule.next_run_at.astimezone(zone_for(schedule.timezone)))

    @admin.display(description=f"next {NEXT_RUNS_SHOWN} runs")
    def next_runs(self, schedule: TenantSchedule) -> str:
        runs = _next_runs(schedule, NEXT_RUNS_SHOWN)
        if not runs:
            return "-"
        return format_html_join("", "<div>{}</div>", ((run,) for run in runs))


def _next_runs(schedule: TenantSchedule, count: int) -> list[str]:
    if schedule.pk is None:
        return []
    try:
        runs = schedule_next_runs(schedule, count)
    except (ValueError, KeyError):  # croniter raises ValueErrors, zoneinfo KeyErrors; stored values are valid
        return []
    return [_local(run) for run in runs]


def _local(moment: datetime) -> str:
    return moment.strftime("%a %Y-%m-%d %H:%M %Z (UTC%z)")


@admin.register(ScheduleExecution)
class ScheduleExecutionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("scheduled_for", "tenant", "schedule", "status", "started_at", "finished_at", "error", "history")
    list_filter = ("status",)
    search_fields = ("tenant__name", "error")
    list_select_related = ("tenant", "schedule", "history")
    date_hierarchy = "scheduled_for"
