"""Schedules (cron + time zone per tenant) and the record of each run.

Registered with the ``tenants`` app through ``tenants/models.py``. Tables: ``tenant_schedules``
and ``schedule_executions``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .cron import describe_cron, validate_cron, validate_timezone

MAX_SCHEDULE_REPLICAS = 1000  # the same bound as tenants.services.MAX_REPLICAS


class ScheduleAction(models.TextChoices):
    START = "start", "Start"
    STOP = "stop", "Stop"
    SCALE = "scale", "Scale"


class ExecutionStatus(models.TextChoices):
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class TenantSchedule(models.Model):
    """Start, stop or scale a tenant whenever a 5-field cron matches in an IANA time zone.

    ``next_run_at`` is the next occurrence (UTC) the dispatcher will run; it is kept by
    ``tenants.schedules.services`` and is null while the schedule is disabled.
    """

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="schedules")
    action = models.CharField(max_length=8, choices=ScheduleAction.choices)
    replicas = models.PositiveIntegerField(
        null=True, blank=True, help_text="Only for the scale action: the replicas to scale to (0 stops)."
    )
    cron = models.CharField(
        max_length=100,
        validators=[validate_cron],
        help_text="minute hour day-of-month month day-of-week, e.g. '0 20 * * 1-5' (weekdays at 20:00).",
    )
    timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone], help_text="IANA name, e.g. Europe/Berlin."
    )
    enabled = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.CharField(max_length=150, editable=False)
    updated_by = models.CharField(max_length=150, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "tenant_schedules"
        ordering = ["tenant_id", "id"]
        verbose_name = "schedule"
        indexes = [models.Index(fields=["next_run_at"], name="tenant_schedules_next_run_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=ScheduleAction.values), name="tenant_schedules_action_valid"),
            # Replicas belong to scale schedules, and every scale schedule has them.
            models.CheckConstraint(
                condition=Q(action=ScheduleAction.SCALE, replicas__isnull=False, replicas__lte=MAX_SCHEDULE_REPLICAS)
                | (~Q(action=ScheduleAction.SCALE) & Q(replicas__isnull=True)),
                name="tenant_schedules_replicas_for_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"Schedule #{self.pk}: {self.action_label} {self.cron} ({self.timezone})"

    @property
    def action_label(self) -> str:
        if self.action == ScheduleAction.SCALE:
            return f"scale to {self.replicas}"
        return str(self.action)

    @property
    def description(self) -> str:
        """The cron in words: "At 08:00, Monday through Friday"."""
        return describe_cron(self.cron)

    def clean(self) -> None:
        if self.action == ScheduleAction.SCALE and self.replicas is None:
            raise ValidationError({"replicas": "A scale schedule needs the number of replicas."})
        if self.action != ScheduleAction.SCALE and self.replicas is not None:
            raise ValidationError({"replicas": "Only a scale schedule has replicas."})
        if self.replicas is not None and self.replicas > MAX_SCHEDULE_REPLICAS:
            raise ValidationError({"replicas": f"Must be an integer from 0 to {MAX_SCHEDULE_REPLICAS}."})


class ScheduleExecution(models.Model):
    """One run of one occurrence of a schedule; the unique ``(schedule, scheduled_for)`` makes it run once.

    Written in the same transaction as the action it took, so a run that died half-way left no
    record and can be run again. Audit records: never changed after they are written.
    """

    id = models.BigAutoField(primary_key=True)
    # Kept when the schedule is deleted (audit); the history record's reason names the schedule.
    schedule = models.ForeignKey(
        TenantSchedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="executions"
    )
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="schedule_executions")
    scheduled_for = models.DateTimeField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=ExecutionStatus.choices)
    error = models.TextField(blank=True, default="")
    history = models.ForeignKey(
        "tenants.TenantStateHistory", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "schedule_executions"
        ordering = ["-scheduled_for", "-id"]
        verbose_name = "schedule execution"
        constraints = [
            models.UniqueConstraint(fields=["schedule", "scheduled_for"], name="schedule_executions_once"),
            models.CheckConstraint(condition=Q(status__in=ExecutionStatus.values), name="schedule_executions_status"),
        ]
        indexes = [models.Index(fields=["tenant", "scheduled_for"], name="schedule_exec_tenant_idx")]

    def __str__(self) -> str:
        return f"Schedule #{self.schedule_id} for {self.scheduled_for:%Y-%m-%d %H:%M}: {self.status}"
