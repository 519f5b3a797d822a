"""``GET /api/metrics/monthly``: the fleet report, every tenant's month in one response."""

from __future__ import annotations

from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from tenantmgmt.api.schema import error_responses

from .api import TenantMetricsView
from .csv_export import CSV_MEDIA_TYPE, CsvRenderer, csv_response, json_errors, wants_csv
from .selectors import FleetMonthlyRow, fleet_monthly_report
from .serializers import MonthlyMetricsSerializer, MonthParamsSerializer, two_decimals


class FleetMonthlyRowSerializer(MonthlyMetricsSerializer):
    """The per-tenant monthly fields, plus the tenant's name."""

    tenant_name = serializers.CharField()

    def to_representation(self, row: FleetMonthlyRow) -> dict:
        return super().to_representation({**vars(row.metrics), "tenant_name": row.tenant_name})


class FleetTotalsSerializer(serializers.Serializer):
    """Sums over every tenant of the report (README "Beyond uptime")."""

    planned_downtime_seconds = serializers.IntegerField()
    unplanned_downtime_seconds = serializers.IntegerField()
    replica_hours = two_decimals()
    baseline_replica_hours = two_decimals()
    replica_hours_saved = two_decimals()
    cost_saved = two_decimals(allow_null=True, help_text="Null while COST_PER_REPLICA_HOUR is unset.")


class FleetMonthlyReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    timezone = serializers.CharField()
    count = serializers.IntegerField(help_text="How many tenants the report lists.")
    results = FleetMonthlyRowSerializer(many=True, help_text="Every tenant, ordered by name.")
    totals = FleetTotalsSerializer(help_text="The fleet's downtime and replica-hours: the tenants' figures added up.")


def fleet_totals(rows: list[FleetMonthlyRow]) -> dict:
    """The tenants' downtime and replica-hours added up (money: null unless every row has a price)."""
    metrics = [row.metrics for row in rows]
    costs = [m.cost_saved for m in metrics]
    return {
        "planned_downtime_seconds": sum(m.planned_downtime_seconds for m in metrics),
        "unplanned_downtime_seconds": sum(m.unplanned_downtime_seconds for m in metrics),
        "replica_hours": sum((m.replica_hours for m in metrics), Decimal(0)),
        "baseline_replica_hours": sum((m.baseline_replica_hours for m in metrics), Decimal(0)),
        "replica_hours_saved": sum((m.replica_hours_saved for m in metrics), Decimal(0)),
        "cost_saved": None if None in costs or not costs else sum(costs, Decimal(0)),
    }


def fleet_csv_columns() -> list[str]:
    """One CSV row per tenant: who it is, then every field of the monthly endpoint."""
    return ["tenant_id", "tenant_name", *(name for name in MonthlyMetricsSerializer().fields if name != "tenant_id")]


@extend_schema(
    tags=["metrics"],
    summary="Every tenant's uptime, downtime, scaling and unknown time in one month (JSON or CSV)",
    parameters=[
        MonthParamsSerializer,
        OpenApiParameter(
            "format",
            enum=["json", "csv"],
            required=False,
            description="`csv`: one row per tenant (tenant_id, tenant_name, then the monthly fields), "
            "as a download; also chosen by `Accept: text/csv`.",
        ),
    ],
    responses={
        (200, "application/json"): FleetMonthlyReportSerializer,
        (200, CSV_MEDIA_TYPE): OpenApiResponse(OpenApiTypes.STR, description="One row per tenant."),
        **error_responses(400, 401, 403),
    },
)
class FleetMonthlyReportView(TenantMetricsView):
    """The same fields and parameters as ``/api/tenants/{id}/metrics/monthly``, for all tenants at once.

    `totals` adds up the fleet's planned/unplanned downtime and replica-hours. `?format=csv` gives
    the same rows as a CSV download.
    """

    params_serializer_class = MonthParamsSerializer
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CsvRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        if wants_csv(self.request):
            json_errors(self.request)
        return super().handle_exception(exc)

    def get(self, request: Request) -> Response | StreamingHttpResponse:
        now = timezone.now()
        ref = self.params(request, now)["month_ref"]
        rows = fleet_monthly_report(ref, now=now)
        if wants_csv(request):
            filename = f"fleet-{ref.year}-{ref.month:02d}.csv"
            return csv_response(fleet_csv_columns(), FleetMonthlyRowSerializer(rows, many=True).data, filename=filename)
        body = {"year": ref.year, "month": ref.month, "timezone": ref.timezone_name}
        body |= {"count": len(rows), "results": rows, "totals": fleet_totals(rows)}
        return Response(FleetMonthlyReportSerializer(body).data)
