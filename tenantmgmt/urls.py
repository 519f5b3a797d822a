from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from metrics import fleet_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    # --- API (issue 3): tenants, metrics, OpenAPI schema and Swagger UI, browsable-API login ---
    path("api/", include("tenants.api_urls")),
    path("api/", include("metrics.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/auth/", include("rest_framework.urls")),
    # --- The fleet report (issue 8): GET /api/metrics/monthly and the /fleet/ page ---
    path("api/", include(fleet_urls.api_urlpatterns)),
    *fleet_urls.page_urlpatterns,
    # The web UI takes over "/" (issue 4); until then the admin is the front page.
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
