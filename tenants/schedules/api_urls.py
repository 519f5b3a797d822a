"""Schedule endpoints, included under /api/ (SPEC section 3)."""

from django.urls import path

from . import api

urlpatterns = [
    path("tenants/<int:tenant_id>/schedules/", api.TenantScheduleListView.as_view(), name="api-tenant-schedules"),
    path("schedules/<int:pk>/", api.ScheduleDetailView.as_view(), name="api-schedule"),
    path("schedules/<int:pk>/executions/", api.ScheduleExecutionListView.as_view(), name="api-schedule-executions"),
]
