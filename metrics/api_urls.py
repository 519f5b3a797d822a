"""``/api/tenants/{id}/metrics...`` (SPEC section 3): no trailing slash, as the original system had."""

from tenantmgmt.api.routes import with_and_without_slash

from . import api

urlpatterns = [
    *with_and_without_slash("tenants/<int:tenant_id>/metrics", api.TenantMetricsSummaryView, "api-tenant-metrics"),
    *with_and_without_slash(
        "tenants/<int:tenant_id>/metrics/current-state", api.CurrentStateView, "api-tenant-current-state"
    ),
    *with_and_without_slash("tenants/<int:tenant_id>/metrics/monthly", api.MonthlyMetricsView, "api-tenant-monthly"),
    *with_and_without_slash("tenants/<int:tenant_id>/metrics/history", api.HistoryView, "api-tenant-history"),
]
