from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from metrics.formatting import format_duration
from metrics.selectors import fleet_monthly_metrics, resolve_month

from . import cluster_admin  # noqa: F401  (registers the read-only cluster sync status)
from .admin_readonly import ReadOnlyAdminMixin
from .cluster import ClusterError
from .models import SimulatedDeployment, Tenant, TenantStateHistory
from .schedules import admin as schedules_admin  # noqa: F401 (registers the schedule admins)
from .services import (
    TenantArchivedError,
    TenantChange,
    tenant_archive,
    tenant_register,
    tenant_start,
    tenant_stop,
    tenant_update,
)
from .states import Source

INLINE_HISTORY_RECORDS = 20


class NewestHistoryFormSet(BaseInlineFormSet):
    """Only the newest records: a tenant's whole history would make its page unusably long."""

    def get_queryset(self) -> QuerySet[TenantStateHistory]:
        # One sliced queryset kept for the formset's life, so its rows are fetched once.
        if not hasattr(self, "_newest"):
            self._newest = super().get_queryset()[:INLINE_HISTORY_RECORDS]
        return self._newest


class HistoryInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The newest records, read-only; the link above them leads to all of them."""

    model = TenantStateHistory
    formset = NewestHistoryFormSet
    verbose_name_plural = f"State history (newest {INLINE_HISTORY_RECORDS})"
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


class TenantChangeList(ChangeList):
    """Computes this month's uptime for the whole page of tenants at once (a fixed number of queries)."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        now = timezone.now()
        month = resolve_month(None, None, settings.TIME_ZONE, now=now)
        metrics = fleet_monthly_metrics(self.result_list, month, now=now)
        for tenant in self.result_list:
            tenant.month_metrics = metrics[tenant.pk]
            tenant.listed_at = now


class ArchivedFilter(admin.SimpleListFilter):
    """Active tenants unless asked otherwise: archived ones are hidden by default, as in every list."""

    title = "archived"
    parameter_name = "archived"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Archived"), ("all", "All")]

    def choices(self, changelist: ChangeList):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Active",
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> QuerySet[Tenant]:
        if self.value() == "yes":
            return queryset.archived()
        if self.value() == "all":
            return queryset
        return queryset.active()


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "namespace",
        "deployment_name",
        "state",
        "state_duration",
        "month_uptime",
        "replicas",
        "desired_replicas",
    )
    list_filter = (ArchivedFilter, "state", "namespace")
    search_fields = ("name", "namespace", "deployment_name")
    readonly_fields = (
        "state",
        "replicas",
        "state_since",
        "created_at",
        "updated_at",
        "archived_at",
        "archived_by",
        "all_history",
    )
    inlines = [HistoryInline]
    actions = ["start_selected", "stop_selected", "archive_selected"]

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deleting a tenant archives it: see archive_selected
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # History is kept forever; "delete" is the archive action, removal is `manage.py purge_tenant`.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Tenant | None = None) -> bool:
        if obj is not None and obj.is_archived:
            return False  # shown read-only: an archived tenant is no longer changed
        return super().has_change_permission(request, obj)

    def get_changelist(self, request: HttpRequest, **kwargs) -> type[ChangeList]:
        return TenantChangeList

    @admin.display(description="In state for", ordering="state_since")
    def state_duration(self, tenant: Tenant) -> str:
        if tenant.state_since is None:
            return "-"
        now: datetime = getattr(tenant, "listed_at", None) or timezone.now()
        return format_duration((now - tenant.state_since).total_seconds())

    @admin.display(description="Uptime this month")
    def month_uptime(self, tenant: Tenant) -> str:
        metrics = getattr(tenant, "month_metrics", None)
        if metrics is None or metrics.uptime_percentage is None:
            return "-"
        return f"{metrics.uptime_percentage:.2f}%"

    @admin.display(description="History")
    def all_history(self, tenant: Tenant) -> str:
        if tenant.pk is None:
            return "-"
        url = reverse("admin:tenants_tenantstatehistory_changelist") + f"?tenant__id__exact={tenant.pk}"
        count = TenantStateHistory.objects.filter(tenant=tenant).count()
        return format_html('<a href="{}">All {} records</a>', url, count)

    def get_form(self, request: HttpRequest, obj: Tenant | None = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        cluster_error = getattr(request, "tenant_cluster_error", None)
        if cluster_error is None:
            return form

        class FormWithClusterError(form):
            def clean(self) -> dict:
                super().clean()
                raise ValidationError(cluster_error)

        return FormWithClusterError

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ClusterError as exc:
            # Registering asks the cluster about the Deployment. When it fails, show the form again with
            # what was typed and the reason, rather than a server error; nothing was saved.
            request.tenant_cluster_error = f"The cluster could not be asked about this Deployment: {exc}. " + (
                "The tenant was not registered; try again when the cluster answers."
            )
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Tenant, form, change: bool) -> None:
        if change:
            tenant_update(tenant=obj, **{field: form.cleaned_data[field] for field in form.changed_data})
            return
        # A ClusterError propagates to changeform_view, which shows the form again with the reason.
        registered = tenant_register(
            name=obj.name,
            namespace=obj.namespace,
            deployment_name=obj.deployment_name,
            desired_replicas=obj.desired_replicas,
            actor=request.user.get_username(),
            source=Source.ADMIN,
        )
        obj.pk = registered.pk

    def _run(self, request: HttpRequest, queryset: QuerySet[Tenant], service, verb: str) -> None:
        changed, unchanged, failed = [], [], []
        for tenant in queryset:
            try:
                result: TenantChange = service(
                    tenant=tenant, actor=request.user.get_username(), source=Source.ADMIN, reason=f"{verb} from admin"
                )
            except (ClusterError, TenantArchivedError) as exc:
                failed.append(f"{tenant.name} ({exc})")
                continue
            (changed if result.changed else unchanged).append(tenant.name)
        if changed:
            self.message_user(request, f"{verb}: {', '.join(changed)}.", messages.SUCCESS)
        if unchanged:
            self.message_user(request, f"Already in that state: {', '.join(unchanged)}.", messages.INFO)
        if failed:
            self.message_user(request, f"Nothing recorded for: {'; '.join(failed)}.", messages.ERROR)

    @admin.action(description="Start selected tenants", permissions=["operate"])
    def start_selected(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        self._run(request, queryset, tenant_start, "Started")

    @admin.action(description="Stop selected tenants", permissions=["operate"])
    def stop_selected(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        self._run(request, queryset, tenant_stop, "Stopped")

    @admin.action(description="Archive selected tenants (history kept)", permissions=["archive"])
    def archive_selected(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> None:
        archived = [
            tenant_archive(tenant=tenant, actor=request.user.get_username(), source=Source.ADMIN).name
            for tenant in queryset
        ]
        self.message_user(request, f"Archived: {', '.join(archived)}.", messages.SUCCESS)

    def has_archive_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("tenants.delete_tenant")

    def has_operate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("tenants.operate_tenant")


@admin.register(TenantStateHistory)
class TenantStateHistoryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("tenant", "changed_at", "previous_state", "new_state", "new_replicas", "changed_by", "source")
    list_filter = ("new_state", "source")
    search_fields = ("tenant__name", "changed_by", "reason")
    list_select_related = ("tenant",)
    date_hierarchy = "changed_at"


@admin.register(SimulatedDeployment)
class SimulatedDeploymentAdmin(admin.ModelAdmin):
    """The simulated cluster: editing a row here is what `kubectl scale` would be on a real one."""

    list_display = ("namespace", "name", "replicas", "ready_at", "deleted")
    list_filter = ("namespace", "deleted")
