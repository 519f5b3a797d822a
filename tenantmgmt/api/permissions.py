"""Who may do what through the API.

Reading tenants, metrics and schedules needs ``tenants.view_tenant``; start, stop, scale and
writing schedules need ``tenants.operate_tenant``; creating, changing and deleting tenants need
Django's ``tenants.add_tenant`` / ``change_tenant`` / ``delete_tenant``. Anonymous requests get
401 (the authenticators send a ``WWW-Authenticate`` challenge), others without the permission 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import SAFE_METHODS, BasePermission

if TYPE_CHECKING:  # importing rest_framework.views here would be circular: DRF loads this from its settings
    from rest_framework.request import Request
    from rest_framework.views import APIView


class _RequiresPermissions(BasePermission):
    required: tuple[str, ...] = ()

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perms(self.required))


class CanViewTenants(_RequiresPermissions):
    required = ("tenants.view_tenant",)


class CanOperateTenants(_RequiresPermissions):
    required = ("tenants.view_tenant", "tenants.operate_tenant")


class CanManageTenants(BasePermission):
    """Reads need view_tenant; POST add_tenant, PUT/PATCH change_tenant, DELETE delete_tenant."""

    by_method = {"POST": "tenants.add_tenant", "PUT": "tenants.change_tenant", "PATCH": "tenants.change_tenant"}

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.has_perm("tenants.view_tenant")):
            return False
        if request.method in SAFE_METHODS:
            return True
        return user.has_perm(self.by_method.get(request.method, "tenants.delete_tenant"))


class ViewOrOperateTenants(BasePermission):
    """Reads need view_tenant, writes operate_tenant (schedules)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        permission = CanViewTenants if request.method in SAFE_METHODS else CanOperateTenants
        return permission().has_permission(request, view)
