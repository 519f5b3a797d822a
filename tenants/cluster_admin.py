"""The cluster sync status in the admin: read-only, like the audit records."""

from __future__ import annotations

from django.contrib import admin

from .admin_readonly import ReadOnlyAdminMixin
from .cluster_sync import cluster_sync_report
from .models import ClusterSyncStatus


@admin.register(ClusterSyncStatus)
class ClusterSyncStatusAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "backend",
        "healthy",
        "last_success_at",
        "last_attempt_at",
        "consecutive_failures",
        "tenants_seen",
        "namespaces_seen",
        "last_duration_seconds",
    )
    readonly_fields = (
        "backend",
        "last_success_at",
        "last_attempt_at",
        "last_failure_at",
        "last_error",
        "consecutive_failures",
        "tenants_seen",
        "namespaces_seen",
        "last_duration_seconds",
    )

    @admin.display(boolean=True, description="healthy")
    def healthy(self, obj: ClusterSyncStatus) -> bool:
        return cluster_sync_report(backend=obj.backend).healthy
