"""``GET /api/metrics/monthly``: the fleet report, every tenant's month in one response."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from tenantmgmt.api.schema import error_responses

from .api import TenantMetricsView
from .selectors import FleetMonthlyRow, fleet_monthly_report
from .serializers import MonthlyMetricsSerializer, MonthParamsSerializer


class FleetMonthlyRowSerializer(MonthlyMetricsSerializer):
    """The per-tenant monthly fields, plus the tenant's name."""

    tenant_name = serializers.CharField()

    def to_representation(self, row: FleetMonthlyRow) -> dict:
        return super().to_representation({**vars(row.metrics), "tenant_name": row.tenant_name})


class FleetMonthlyReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    timezone = serializers.CharField()
    count = serializers.IntegerField(help_text="How many tenants the report lists.")
    results = FleetMonthlyRowSerializer(many=True, help_text="Every tenant, ordered by name.")


@extend_schema(
    tags=["metrics"],
    summary="Every tenant's uptime, downtime, scaling and unknown time in one month",
    parameters=[MonthParamsSerializer],
    responses={200: FleetMonthlyReportSerializer, **error_responses(400, 401, 403)},
)
class FleetMonthlyReportView(TenantMetricsView):
    """The same fields and parameters as ``/api/tenants/{id}/metrics/monthly``, for all tenants at once."""

    params_serializer_class = MonthParamsSerializer

    def get(self, request: Request) -> Response:
        now = timezone.now()
        ref = self.params(request, now)["month_ref"]
        rows = fleet_monthly_report(ref, now=now)
        body = {"year": ref.year, "month": ref.month, "timezone": ref.timezone_name}
        body |= {"count": len(rows), "results": rows}
        return Response(FleetMonthlyReportSerializer(body).data)
