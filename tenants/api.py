"""Tenants over HTTP: list, register, read, change, and the start/stop/scale actions (SPEC section 3).

Every write goes through ``tenants.services`` with the request's user as the actor and ``api`` as
the source; a cluster failure becomes a 503 (``tenantmgmt.api.errors``) with nothing recorded.
"""

from __future__ import annotations

from django.db import IntegrityError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from tenantmgmt.api.permissions import CanManageTenants, CanOperateTenants
from tenantmgmt.api.schema import error_responses

from .models import Tenant
from .serializers import ActionSerializer, ScaleSerializer, TenantSerializer
from .services import (
    TenantChange,
    tenant_archive,
    tenant_register,
    tenant_scale,
    tenant_start,
    tenant_stop,
    tenant_update,
)
from .states import Source


class TenantConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The request conflicts with the tenant's current data."


def _get_tenant(tenant_id: int) -> Tenant:
    try:
        return Tenant.objects.get(pk=tenant_id)
    except Tenant.DoesNotExist:
        raise exceptions.NotFound(f"Tenant {tenant_id} does not exist.") from None


def _actor(request: Request) -> str:
    return request.user.get_username()


@extend_schema_view(
    get=extend_schema(
        summary="List tenants", responses={200: TenantSerializer(many=True), **error_responses(401, 403)}
    ),
    post=extend_schema(
        summary="Register a tenant (its first history record is the state the cluster reports)",
        responses={201: TenantSerializer, **error_responses(400, 401, 403, 409, 503)},
    ),
)
class TenantListView(generics.ListCreateAPIView):
    """Tenants by name (archived ones are not listed). Registering one needs `tenants.add_tenant`."""

    queryset = Tenant.objects.active().order_by("name")
    serializer_class = TenantSerializer
    permission_classes = [CanManageTenants]

    def perform_create(self, serializer: BaseSerializer) -> None:
        try:
            serializer.instance = tenant_register(
                **serializer.validated_data, actor=_actor(self.request), source=Source.API
            )
        except IntegrityError:  # a concurrent registration won the race to the unique name/Deployment
            raise TenantConflict("A tenant with this name or Deployment was just registered.") from None


@extend_schema_view(
    get=extend_schema(summary="A tenant", responses={200: TenantSerializer, **error_responses(401, 403, 404)}),
    patch=extend_schema(
        summary="Change a tenant's name, Deployment or desired replicas (its state changes through the actions)",
        responses={200: TenantSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    delete=extend_schema(
        summary="Delete a tenant: it is archived (hidden from lists, history and metrics kept, no more actions)",
        responses={204: None, **error_responses(401, 403, 404)},
    ),
)
class TenantDetailView(generics.RetrieveUpdateDestroyAPIView):
    """One tenant, archived or not. PATCH needs `tenants.change_tenant`; DELETE `delete_tenant` (archives)."""

    serializer_class = TenantSerializer
    permission_classes = [CanManageTenants]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self) -> Tenant:
        tenant = _get_tenant(self.kwargs["tenant_id"])
        self.check_object_permissions(self.request, tenant)
        return tenant

    def perform_update(self, serializer: BaseSerializer) -> None:
        try:
            serializer.instance = tenant_update(tenant=serializer.instance, **serializer.validated_data)
        except IntegrityError:
            raise TenantConflict("Another tenant just took this name or Deployment.") from None

    def perform_destroy(self, instance: Tenant) -> None:
        # History is kept forever, so deleting archives; `manage.py purge_tenant` removes for good.
        tenant_archive(tenant=instance, actor=_actor(self.request), source=Source.API)


class TenantActionView(APIView):
    """Base of ``start``, ``stop`` and ``scale``: needs ``tenants.operate_tenant``; answers the tenant."""

    permission_classes = [CanOperateTenants]
    serializer_class: type[ActionSerializer] = ActionSerializer

    def post(self, request: Request, tenant_id: int) -> Response:
        tenant = _get_tenant(tenant_id)
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = self.act(tenant, actor=_actor(request), source=Source.API, **serializer.validated_data)
        return Response(TenantSerializer(change.tenant).data)

    def act(self, tenant: Tenant, **arguments: object) -> TenantChange:
        raise NotImplementedError


ACTION_RESPONSES = {200: TenantSerializer, **error_responses(400, 401, 403, 404, 409, 503)}


@extend_schema(
    summary="Start a tenant (scale it to its desired replicas); a running tenant is left as it is",
    request=ActionSerializer,
    responses=ACTION_RESPONSES,
)
class TenantStartView(TenantActionView):
    """Needs `tenants.operate_tenant`; records the user as `changed_by` with source `api`."""

    def act(self, tenant: Tenant, **arguments: object) -> TenantChange:
        return tenant_start(tenant=tenant, **arguments)


@extend_schema(
    summary="Stop a tenant (scale it to 0); a stopped tenant is left as it is",
    request=ActionSerializer,
    responses=ACTION_RESPONSES,
)
class TenantStopView(TenantActionView):
    """Needs `tenants.operate_tenant`; records the user as `changed_by` with source `api`."""

    def act(self, tenant: Tenant, **arguments: object) -> TenantChange:
        return tenant_stop(tenant=tenant, **arguments)


@extend_schema(
    summary="Scale a tenant to `replicas` (0 stops it); scaling to the current replicas changes nothing",
    request=ScaleSerializer,
    responses=ACTION_RESPONSES,
)
class TenantScaleView(TenantActionView):
    """Needs `tenants.operate_tenant`; scaling to N >= 1 also makes N the desired replicas."""

    serializer_class = ScaleSerializer

    def act(self, tenant: Tenant, **arguments: object) -> TenantChange:
        return tenant_scale(tenant=tenant, **arguments)
