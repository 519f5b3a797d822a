from __future__ import annotations

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .schedules.models import ScheduleExecution, TenantSchedule  # noqa: F401 (schedule models: tenants app)
from .states import Source, State

# A DNS-1123 label, which is what Kubernetes accepts for namespaces and Deployment names.
kubernetes_name_validator = RegexValidator(
    r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
    "Use a valid Kubernetes name: at most 63 lowercase letters, digits and '-', "
    "starting and ending with a letter or digit.",
)


class TenantQuerySet(models.QuerySet):
    def active(self) -> TenantQuerySet:
        """Tenants that are not archived: what lists, the reconciler and the scheduler work on."""
        return self.filter(archived_at__isnull=True)

    def archived(self) -> TenantQuerySet:
        return self.filter(archived_at__isnull=False)


class Tenant(models.Model):
    """One customer's workload: a Deployment in a namespace.

    ``state``, ``replicas`` and ``state_since`` repeat what the tenant's history says, kept in
    step by ``tenants.services`` in the same transaction, so lists need no history query.
    An archived tenant (``archived_at`` set: "deleted" through the API or admin) keeps its row and
    its history; it is hidden from lists and refuses actions. ``manage.py purge_tenant`` removes it.
    """

    name = models.CharField(max_length=100, unique=True)
    namespace = models.CharField(max_length=63, validators=[kubernetes_name_validator])
    deployment_name = models.CharField(max_length=63, validators=[kubernetes_name_validator])
    desired_replicas = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    replicas = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=16, choices=State.choices, default=State.UNKNOWN)
    state_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_by = models.CharField(max_length=150, blank=True, default="", editable=False)

    objects = TenantQuerySet.as_manager()

    class Meta:
        db_table = "tenants"
        ordering = ["name"]
        permissions = [("operate_tenant", "Can start, stop and scale tenants")]
        constraints = [
            models.UniqueConstraint(fields=["namespace", "deployment_name"], name="tenants_unique_deployment"),
            models.CheckConstraint(condition=Q(desired_replicas__gte=1), name="tenants_desired_replicas_gte_1"),
            models.CheckConstraint(condition=Q(replicas__gte=0), name="tenants_replicas_gte_0"),
            models.CheckConstraint(condition=Q(state__in=State.values), name="tenants_state_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class TenantStateHistory(models.Model):
    """One change of a tenant's state or replicas. Rows are appended, never changed."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="history", db_index=False)
    previous_state = models.CharField(max_length=16, choices=State.choices, null=True, blank=True)  # noqa: DJ001 (SPEC: null marks the first record)
    new_state = models.CharField(max_length=16, choices=State.choices)
    previous_replicas = models.IntegerField(null=True, blank=True)
    new_replicas = models.IntegerField()
    changed_at = models.DateTimeField()
    changed_by = models.CharField(max_length=150)
    reason = models.TextField(blank=True, default="")
    source = models.CharField(max_length=16, choices=Source.choices)

    class Meta:
        db_table = "tenant_state_history"
        verbose_name = "state history record"
        verbose_name_plural = "state history"
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["tenant", "changed_at"], name="tsh_tenant_changed_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(previous_state__isnull=True) | Q(previous_state__in=State.values),
                name="tsh_previous_state_valid",
            ),
            models.CheckConstraint(condition=Q(new_state__in=State.values), name="tsh_new_state_valid"),
            models.CheckConstraint(
                condition=Q(previous_replicas__isnull=True) | Q(previous_replicas__gte=0),
                name="tsh_previous_replicas_gte_0",
            ),
            models.CheckConstraint(condition=Q(new_replicas__gte=0), name="tsh_new_replicas_gte_0"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="tsh_source_valid"),
            # The same state twice is only a record when the replica count changed.
            models.CheckConstraint(
                condition=Q(previous_state__isnull=True)
                | ~Q(previous_state=F("new_state"))
                | Q(previous_replicas__isnull=True)
                | ~Q(previous_replicas=F("new_replicas")),
                name="tsh_records_a_change",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.previous_state} -> {self.new_state} at {self.changed_at:%Y-%m-%d %H:%M:%S}"

    @property
    def is_state_change(self) -> bool:
        return self.previous_state != self.new_state


class SimulatedDeployment(models.Model):
    """A Deployment of the simulated cluster, kept in the database so web and workers share it."""

    namespace = models.CharField(max_length=63)
    name = models.CharField(max_length=63)
    replicas = models.PositiveIntegerField(default=0)
    # When the current replicas became ready (or will): set when scaling up from zero.
    ready_at = models.DateTimeField(null=True, blank=True)
    deleted = models.BooleanField(default=False, help_text="Simulate a Deployment that is gone from the cluster.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "simulated_deployments"
        constraints = [models.UniqueConstraint(fields=["namespace", "name"], name="simulated_deployment_unique")]

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


class ClusterSyncStatus(models.Model):
    """How the reconciler's last reads of the cluster went, one row per backend.

    Kept in the database (not the cache) so web, workers and beat all see the same answer.
    Written only by ``tenants.cluster_sync``; shown read-only in the admin and at ``/api/cluster/status``.
    """

    backend = models.CharField(max_length=32, unique=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    consecutive_failures = models.PositiveIntegerField(default=0)
    tenants_seen = models.PositiveIntegerField(default=0)
    namespaces_seen = models.PositiveIntegerField(default=0)
    last_duration_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        db_table = "cluster_sync_status"
        verbose_name = "cluster sync status"
        verbose_name_plural = "cluster sync status"

    def __str__(self) -> str:
        return f"{self.backend} cluster sync"
