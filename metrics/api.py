"""The four metrics endpoints of SPEC section 3; they call the same selectors as the HTML tab."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from tenantmgmt.api.permissions import CanViewTenants
from tenantmgmt.api.schema import error_responses
from tenants.models import Tenant

from .csv_export import CSV_MEDIA_TYPE, CsvDownloadMixin, CsvRenderer, csv_response, wants_csv
from .selectors import (
    EXPORT_FIELDS,
    iter_history_for_export,
    tenant_current_state,
    tenant_history_page,
    tenant_monthly_metrics,
)
from .serializers import (
    CurrentStateSerializer,
    HistoryPageSerializer,
    HistoryParamsSerializer,
    MetricsParamsSerializer,
    MonthlyMetricsSerializer,
    MonthParamsSerializer,
    TenantMetricsSerializer,
)

READ_ERRORS = error_responses(401, 403, 404)


def get_tenant(tenant_id: int) -> Tenant:
    """The tenant, or a 404 naming the id."""
    try:
        return Tenant.objects.get(pk=tenant_id)
    except Tenant.DoesNotExist:
        raise exceptions.NotFound(f"Tenant {tenant_id} does not exist.") from None


class TenantMetricsView(APIView):
    """Base: a tenant's metrics, read with ``tenants.view_tenant``; query parameters validated."""

    permission_classes = [CanViewTenants]
    params_serializer_class: type | None = None

    def params(self, request: Request, now: datetime) -> dict[str, Any]:
        assert self.params_serializer_class is not None
        # A plain dict: QueryDict would make DRF read "?month=" as "not given" rather than invalid.
        serializer = self.params_serializer_class(data=request.query_params.dict(), context={"now": now})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @staticmethod
    def next_link(request: Request, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        return replace_query_param(request.build_absolute_uri(), "cursor", cursor)


@extend_schema(
    tags=["metrics"],
    summary="A tenant's current state and how long it has been in it",
    responses={200: CurrentStateSerializer, **READ_ERRORS},
)
class CurrentStateView(TenantMetricsView):
    """The state now, since when (a replica-only change does not reset it), by whom, with replicas."""

    def get(self, request: Request, tenant_id: int) -> Response:
        tenant = get_tenant(tenant_id)
        return Response(CurrentStateSerializer(tenant_current_state(tenant)).data)


@extend_schema(
    tags=["metrics"],
    summary="A tenant's uptime, downtime, scaling and unknown time in one month",
    parameters=[MonthParamsSerializer],
    responses={200: MonthlyMetricsSerializer, **error_responses(400, 401, 403, 404)},
)
class MonthlyMetricsView(TenantMetricsView):
    """Seconds, percentages and formatted durations per state for a calendar month in `tz`.

    The window is clipped to the tenant's creation and to now (`period_start`/`period_end`, null
    when nothing is left). `year`/`month` default to the current month; a future month is a 400.
    """

    params_serializer_class = MonthParamsSerializer

    def get(self, request: Request, tenant_id: int) -> Response:
        tenant = get_tenant(tenant_id)
        now = timezone.now()
        params = self.params(request, now)
        return Response(
            MonthlyMetricsSerializer(tenant_monthly_metrics(tenant, params["month_ref"], now=now, timeline=False)).data
        )


@extend_schema(
    tags=["metrics"],
    summary="A tenant's state history, newest first, a page at a time (or all of it as CSV)",
    parameters=[
        HistoryParamsSerializer,
        OpenApiParameter(
            "format",
            enum=["json", "csv"],
            required=False,
            description="`csv`: the whole history, oldest first, streamed as a download "
            "(`limit` and `cursor` do not apply); also chosen by `Accept: text/csv`.",
        ),
    ],
    responses={
        (200, "application/json"): HistoryPageSerializer,
        (200, CSV_MEDIA_TYPE): OpenApiResponse(
            OpenApiTypes.STR, description="Columns: " + ", ".join(EXPORT_FIELDS) + "."
        ),
        **error_responses(400, 401, 403, 404),
    },
)
class HistoryView(CsvDownloadMixin, TenantMetricsView):
    """History records newest first; follow `next` (keyset pagination with an opaque `cursor`).

    With `?format=csv` the whole history, oldest first, streamed: the old system's columns plus
    `source`, readable by `manage.py import_history`.
    """

    params_serializer_class = HistoryParamsSerializer
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CsvRenderer]

    def get(self, request: Request, tenant_id: int) -> Response | StreamingHttpResponse:
        tenant = get_tenant(tenant_id)
        if wants_csv(request):
            filename = f"tenant-{tenant.pk}-history.csv"
            return csv_response(EXPORT_FIELDS, iter_history_for_export(tenant), filename=filename)
        params = self.params(request, timezone.now())
        page = tenant_history_page(tenant, params["limit"], params.get("cursor"))
        body = {"tenant_id": tenant.pk, "results": page.records, "next": self.next_link(request, page.next_cursor)}
        return Response(HistoryPageSerializer(body).data)


@extend_schema(
    tags=["metrics"],
    summary="Everything at once: current state, one month's metrics and the latest history",
    parameters=[MetricsParamsSerializer],
    responses={200: TenantMetricsSerializer, **error_responses(400, 401, 403, 404)},
)
class TenantMetricsSummaryView(TenantMetricsView):
    """The current state, one month's metrics and a page of history, with the same parameters."""

    params_serializer_class = MetricsParamsSerializer

    def get(self, request: Request, tenant_id: int) -> Response:
        tenant = get_tenant(tenant_id)
        now = timezone.now()
        params = self.params(request, now)
        body = {
            "tenant_id": tenant.pk,
            "tenant_name": tenant.name,
            "current_state": tenant_current_state(tenant, now),
            "monthly": tenant_monthly_metrics(tenant, params["month_ref"], now=now, timeline=False),
            "history": tenant_history_page(tenant, params["limit"], params.get("cursor")).records,
        }
        return Response(TenantMetricsSerializer(body).data)
