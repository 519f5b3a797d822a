"""JSON API for schedules (SPEC section 3).

``GET/POST /api/tenants/{id}/schedules/``, ``GET/PATCH/DELETE /api/schedules/{id}/`` and
``GET /api/schedules/{id}/executions/`` (newest first, ``limit`` 1..1000, default 50).
Reading needs ``tenants.view_tenant``, writing ``tenants.operate_tenant``; every write goes
through ``tenants.schedules.services``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from tenantmgmt.api.permissions import ViewOrOperateTenants
from tenantmgmt.api.schema import error_responses

from ..models import Tenant
from .models import MAX_SCHEDULE_REPLICAS, ScheduleExecution, TenantSchedule
from .services import schedule_create, schedule_delete, schedule_update

EXECUTIONS_DEFAULT_LIMIT = 50
EXECUTIONS_MAX_LIMIT = 1000


class UtcDateTimeField(serializers.DateTimeField):
    """ISO 8601 in UTC with an explicit offset: ``2026-01-14T15:48:10.687835+00:00``."""

    def to_representation(self, value: datetime | None) -> str | None:
        return value.astimezone(UTC).isoformat() if value else None


class ScheduleSerializer(serializers.ModelSerializer):
    tenant_id = serializers.IntegerField(read_only=True)
    next_run_at = UtcDateTimeField(read_only=True, allow_null=True)
    description = serializers.CharField(read_only=True, help_text='The cron in words, e.g. "At 08:00"')

    class Meta:
        model = TenantSchedule
        fields = ["id", "tenant_id", "action", "replicas", "cron", "timezone", "enabled", "next_run_at", "description"]
        extra_kwargs = {
            "timezone": {"required": False},
            "enabled": {"required": False},
            "replicas": {"min_value": 0, "max_value": MAX_SCHEDULE_REPLICAS},
        }


class ExecutionSerializer(serializers.ModelSerializer):
    schedule_id = serializers.IntegerField(read_only=True, allow_null=True)
    history_id = serializers.IntegerField(read_only=True, allow_null=True)
    scheduled_for = UtcDateTimeField(read_only=True)
    started_at = UtcDateTimeField(read_only=True)
    finished_at = UtcDateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = ScheduleExecution
        fields = ["id", "schedule_id", "scheduled_for", "started_at", "finished_at", "status", "error", "history_id"]


class ExecutionQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=EXECUTIONS_MAX_LIMIT, default=EXECUTIONS_DEFAULT_LIMIT)


def _actor(request: Request) -> str:
    return request.user.get_username()


# Every error answer documented (found by the schema fuzzing, issue 9).
@extend_schema_view(
    get=extend_schema(responses={200: ScheduleSerializer(many=True), **error_responses(401, 403, 404)}),
    post=extend_schema(responses={201: ScheduleSerializer, **error_responses(400, 401, 403, 404, 409)}),
)
class TenantScheduleListView(generics.ListCreateAPIView):
    """A tenant's schedules; POST adds one."""

    serializer_class = ScheduleSerializer
    permission_classes = [ViewOrOperateTenants]
    pagination_class = None

    def tenant(self) -> Tenant:
        return get_object_or_404(Tenant, pk=self.kwargs["tenant_id"])

    def get_queryset(self):
        return TenantSchedule.objects.filter(tenant=self.tenant()).order_by("id")

    def create(self, request: Request, *args, **kwargs) -> Response:
        tenant = self.tenant()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        schedule = schedule_create(
            tenant=tenant,
            action=data["action"],
            replicas=data.get("replicas"),
            cron=data["cron"],
            timezone_name=data.get("timezone", "UTC"),
            enabled=data.get("enabled", True),
            actor=_actor(request),
        )
        return Response(ScheduleSerializer(schedule).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(responses={200: ScheduleSerializer, **error_responses(401, 403, 404)}),
    patch=extend_schema(responses={200: ScheduleSerializer, **error_responses(400, 401, 403, 404)}),
    delete=extend_schema(responses={204: None, **error_responses(401, 403, 404)}),
)
class ScheduleDetailView(generics.RetrieveUpdateDestroyAPIView):
    """One schedule: read, change (PATCH) or delete it."""

    serializer_class = ScheduleSerializer
    permission_classes = [ViewOrOperateTenants]
    queryset = TenantSchedule.objects.all()
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def update(self, request: Request, *args, **kwargs) -> Response:
        schedule = self.get_object()
        serializer = self.get_serializer(schedule, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        updated = schedule_update(schedule=schedule, actor=_actor(request), **serializer.validated_data)
        return Response(ScheduleSerializer(updated).data)

    def perform_destroy(self, instance: TenantSchedule) -> None:
        schedule_delete(schedule=instance, actor=_actor(self.request))


class ScheduleExecutionListView(generics.ListAPIView):
    """The runs of a schedule, newest first."""

    serializer_class = ExecutionSerializer
    permission_classes = [ViewOrOperateTenants]
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "limit", OpenApiTypes.INT, description=f"1..{EXECUTIONS_MAX_LIMIT}, default {EXECUTIONS_DEFAULT_LIMIT}"
            )
        ],
        responses={200: ExecutionSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        schedule = get_object_or_404(TenantSchedule, pk=self.kwargs["pk"])
        query = ExecutionQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return schedule.executions.order_by("-scheduled_for", "-id")[: query.validated_data["limit"]]
