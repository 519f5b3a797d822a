from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("tenants.schedules.api_urls")),
    # The web UI takes over "/" (issue 4); until then the admin is the front page.
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
