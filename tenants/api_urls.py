"""``/api/tenants/...`` (SPEC section 3): collection and detail end in a slash, actions do not."""

from tenantmgmt.api.routes import with_and_without_slash

from . import api

urlpatterns = [
    *with_and_without_slash("tenants/", api.TenantListView, "api-tenant-list"),
    *with_and_without_slash("tenants/<int:tenant_id>/", api.TenantDetailView, "api-tenant-detail"),
    *with_and_without_slash("tenants/<int:tenant_id>/start", api.TenantStartView, "api-tenant-start"),
    *with_and_without_slash("tenants/<int:tenant_id>/stop", api.TenantStopView, "api-tenant-stop"),
    *with_and_without_slash("tenants/<int:tenant_id>/scale", api.TenantScaleView, "api-tenant-scale"),
]
