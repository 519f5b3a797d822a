from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    # --- API (issue 3): tenants, metrics, OpenAPI schema and Swagger UI, browsable-API login ---
    path("api/", include("tenants.api_urls")),
    path("api/", include("metrics.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/auth/", include("rest_framework.urls")),
    # The web UI takes over "/" (issue 4); until then the admin is the front page.
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
