from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # The web UI (issue 4): "/", login/logout and the tenant pages.
    path("", include("tenants.urls")),
]
