"""The fleet report: its JSON endpoint (under ``/api/``) and its page (``/fleet/``)."""

from django.urls import path

from tenantmgmt.api.routes import with_and_without_slash

from . import fleet_api, fleet_views

api_urlpatterns = [
    *with_and_without_slash("metrics/monthly", fleet_api.FleetMonthlyReportView, "api-fleet-monthly"),
]

page_urlpatterns = [
    path("fleet/", fleet_views.fleet_report, name="fleet-report"),
]
