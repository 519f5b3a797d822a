from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .cluster import ClusterError
from .models import SimulatedDeployment, Tenant, TenantStateHistory
from .schedules import admin as schedules_admin  # noqa: F401 (registers the schedule admins)
from .services import TenantChange, tenant_register, tenant_start, tenant_stop, tenant_update
from .states import Source


class HistoryInline(admin.TabularInline):
    model = TenantStateHistory
    fields = (
        "changed_at",
        "previous_state",
        "new_state",
        "previous_replicas",
        "new_replicas",
        "changed_by",
        "source",
        "reason",
    )
    readonly_fields = fields
    ordering = ("-changed_at", "-id")
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "namespace", "deployment_name", "state", "replicas", "desired_replicas", "state_since")
    list_filter = ("state", "namespace")
    search_fields = ("name", "namespace", "deployment_name")
    readonly_fields = ("state", "replicas", "state_since", "created_at", "updated_at")
    inlines = [HistoryInline]
    actions = ["start_selected", "stop_selected"]

    def save_model(self, request: HttpRequest, obj: Tenant, form, change: bool) -> None:
        if change:
            tenant_update(tenant=obj, **{field: form.cleaned_data[field] for field in form.changed_data})
            return
        try:
            registered = tenant_register(
                name=obj.name,
                namespace=obj.namespace,
                deployment_name=obj.deployment_name,
                desired_replicas=obj.desired_replicas,
                actor=request.user.get_username(),
                source=Source.ADMIN,
            )
        except ClusterError as exc:
            # The admin has no clean way to fail save_model; say so and let the caller see it.
            self.message_user(request, f"Cluster error: {exc}. The tenant was not registered.", messages.ERROR)
            raise
        obj.pk = registered.pk

    def _run(self, request: HttpRequest, queryset: QuerySet[Tenant], service, verb: str) -> None:
        changed, unchanged, failed = [], [], []
        for tenant in queryset:
            try:
                result: TenantChange = service(
                    tenant=tenant, actor=request.user.get_username(), source=Source.ADMIN, reason=f"{verb} from admin"
                )
            except ClusterError as exc:
                failed.append(f"{tenant.name} ({exc})")
                continue
            (changed if result.changed else unchanged).append(tenant.name)
        if changed:
            self.message_user(request, f"{verb}: {', '.join(changed)}.", messages.SUCCESS)
        if unchanged:
            self.message_user(request, f"Already in that state: {', '.join(unchanged)}.", messages.INFO)
        if failed:
            self.message_user(request, f"Cluster error, nothing recorded for: {'; '.join(failed)}.", messages.ERROR)

    @admin.action(description="Start selected tenants", permissions=["operate"])
    def start_selected(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        self._run(request, queryset, tenant_start, "Started")

    @admin.action(description="Stop selected tenants", permissions=["operate"])
    def stop_selected(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        self._run(request, queryset, tenant_stop, "Stopped")

    def has_operate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("tenants.operate_tenant")


@admin.register(TenantStateHistory)
class TenantStateHistoryAdmin(admin.ModelAdmin):
    list_display = ("tenant", "changed_at", "previous_state", "new_state", "new_replicas", "changed_by", "source")
    list_filter = ("new_state", "source")
    search_fields = ("tenant__name", "changed_by", "reason")
    list_select_related = ("tenant",)
    date_hierarchy = "changed_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SimulatedDeployment)
class SimulatedDeploymentAdmin(admin.ModelAdmin):
    """The simulated cluster: editing a row here is what `kubectl scale` would be on a real one."""

    list_display = ("namespace", "name", "replicas", "ready_at", "deleted")
    list_filter = ("namespace", "deleted")
