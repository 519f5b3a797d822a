"""The web UI: login, the tenant list, a tenant's tabs, its Start / Stop / Scale buttons and its schedules."""

from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from metrics.views import tenant_uptime

from . import operate_views, views
from .schedules import views as schedule_views

urlpatterns = [
    path("", views.tenant_list, name="tenant-list"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tenants/<int:pk>/", views.tenant_overview, name="tenant-detail"),
    path("tenants/<int:pk>/uptime/", tenant_uptime, name="tenant-uptime"),
    path("tenants/<int:pk>/history/", views.tenant_history, name="tenant-history"),
    path("tenants/<int:pk>/schedules/", schedule_views.tenant_schedules, name="tenant-schedules"),
    # With or without the trailing slash: a POST cannot follow APPEND_SLASH's redirect.
    re_path(
        r"^tenants/(?P<pk>\d+)/(?P<action>start|stop|scale)/?$", operate_views.tenant_operate, name="tenant-operate"
    ),
    re_path(r"^tenants/(?P<pk>\d+)/schedules/add/?$", schedule_views.schedule_add, name="schedule-add"),
    re_path(
        r"^schedules/(?P<schedule_id>\d+)/(?P<action>enable|disable|delete)/?$",
        schedule_views.schedule_change,
        name="schedule-change",
    ),
]
