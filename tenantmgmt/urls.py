from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from metrics import fleet_urls
from metrics.prometheus import metrics_view
from tenantmgmt import health
from tenants.cluster_status_api import ClusterStatusView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Cluster backend: when the reconciler last read the cluster.
    path("api/cluster/status", ClusterStatusView.as_view(), name="cluster-status"),
    # --- API (issue 3): tenants, metrics, OpenAPI schema and Swagger UI, browsable-API login ---
    path("api/", include("tenants.api_urls")),
    path("api/", include("metrics.api_urls")),
    # Schedules (issue 5)
    path("api/", include("tenants.schedules.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/auth/", include("rest_framework.urls")),
    # --- The fleet report (issue 8): GET /api/metrics/monthly and the /fleet/ page ---
    path("api/", include(fleet_urls.api_urlpatterns)),
    *fleet_urls.page_urlpatterns,
    # Prometheus scrape endpoint (issue 10): 404 unless METRICS_BEARER_TOKEN is set.
    path("metrics", metrics_view, name="prometheus-metrics"),
    # The web UI (issue 4): "/", login/logout and the tenant pages.
    path("", include("tenants.urls")),
]
