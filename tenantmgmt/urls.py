from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from tenantmgmt import health
from tenants.cluster_status_api import ClusterStatusView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Cluster backend: when the reconciler last read the cluster.
    path("api/cluster/status", ClusterStatusView.as_view(), name="cluster-status"),
    # The web UI takes over "/" (issue 4); until then the admin is the front page.
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
