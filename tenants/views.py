"""The web UI's pages: the tenant list and a tenant's tabs (Overview, History, Schedules).

Each tab is a partial of ``tenants/detail.html``: an HTMX request gets only the partial, any other
request the whole page with that tab open. The Uptime Metrics tab lives in ``metrics.views``, the
Schedules tab in ``tenants.schedules.views``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from metrics.computation import MonthlyMetrics
from metrics.formatting import format_duration
from metrics.selectors import fleet_monthly_metrics, resolve_month, tenant_current_state, tenant_history_page

from . import selectors
from .forms import HistoryQuery, TenantListQuery, errors_in_words, validation_in_words
from .models import Tenant

HISTORY_PAGE_SIZE = 25
RECENT_CHANGES = 5


@dataclass(frozen=True)
class Tab:
    slug: str
    label: str
    url_name: str


TABS = (
    Tab("overview", "Overview", "tenant-detail"),
    Tab("uptime", "Uptime Metrics", "tenant-uptime"),
    Tab("history", "History", "tenant-history"),
    Tab("schedules", "Schedules", "tenant-schedules"),
)


def viewer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous users go to the login page; signed-in users without ``view_tenant`` get 403."""
    return login_required(permission_required("tenants.view_tenant", raise_exception=True)(view))


def wants_partial(request: HttpRequest) -> bool:
    # A history restore (back button after a cache miss) needs the whole page, not a fragment.
    return bool(request.htmx) and not request.htmx.history_restore_request


@dataclass(frozen=True)
class TenantRow:
    tenant: Tenant
    state_duration: str
    month: MonthlyMetrics


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def tenant_list(request: HttpRequest) -> HttpResponse:
    """``/``: every tenant with its state, how long in it and this month's uptime; filter, search, sort."""
    query = TenantListQuery(request.GET)
    if not query.is_valid():
        context = {"query": query, "rows": [], "error": errors_in_words(query), "columns": {}}
        return render(request, _list_template(request), context, status=400)
    sort = query.cleaned_data["sort"] or "name"
    tenants = list(
        selectors.tenant_list(state=query.cleaned_data["state"], search=query.cleaned_data["q"], ordering=sort)
    )
    now = timezone.now()
    month = resolve_month(None, None, settings.TIME_ZONE, now=now)
    metrics = fleet_monthly_metrics(tenants, month, now=now)
    rows = [
        TenantRow(
            tenant=tenant,
            state_duration=format_duration((now - tenant.state_since).total_seconds()) if tenant.state_since else "",
            month=metrics[tenant.pk],
        )
        for tenant in tenants
    ]
    if sort in ("uptime", "-uptime"):
        # Tenants without data this month go last either way.
        known = [row for row in rows if row.month.uptime_percentage is not None]
        known.sort(key=lambda row: row.month.uptime_percentage, reverse=sort == "-uptime")
        rows = known + [row for row in rows if row.month.uptime_percentage is None]
    context = {
        "query": query,
        "rows": rows,
        "sort": sort,
        "month": month,
        "month_start": month.window[0].astimezone(month.zone),
        "columns": sort_columns(query, sort),
    }
    return render(request, _list_template(request), context)


# Sortable columns: (field, heading, heading on a phone, the ordering a first click asks for).
SORTABLE_COLUMNS = (
    ("name", "Name", "Name", "name"),
    ("state", "State", "State", "state"),
    ("duration", "In state for", "For", "-duration"),
    ("uptime", "Uptime this month", "Uptime", "-uptime"),
)


def sort_columns(query: TenantListQuery, sort: str) -> dict[str, dict]:
    """Per sortable column: its heading, the link that sorts by it (again: reversed) and ``aria-sort``."""
    filters = {key: query.cleaned_data[key] for key in ("q", "state") if query.cleaned_data.get(key)}
    columns = {}
    for field, label, short_label, first in SORTABLE_COLUMNS:
        active = sort.lstrip("-") == field
        descending = sort.startswith("-")
        next_sort = (field if descending else f"-{field}") if active else first
        columns[field] = {
            "label": label,
            "short_label": short_label,
            "href": "?" + urlencode({**filters, "sort": next_sort}),
            "aria_sort": ("descending" if descending else "ascending") if active else None,
        }
    return columns


def _list_template(request: HttpRequest) -> str:
    return "tenants/list.html#tenant-table" if wants_partial(request) else "tenants/list.html"


def render_tab(
    request: HttpRequest, tenant: Tenant, tab: str, context: dict | None = None, *, status: int = 200
) -> HttpResponse:
    """The tab's partial for an HTMX request, else the whole detail page with that tab open."""
    as_partial = wants_partial(request)
    template = f"tenants/detail.html#{tab}-tab" if as_partial else "tenants/detail.html"
    full_context = {
        "as_partial": as_partial,
        "tenant": tenant,
        "current": tenant_current_state(tenant),
        "tab": tab,
        "tabs": TABS,
        "can_operate": request.user.has_perm("tenants.operate_tenant"),
        "refresh_seconds": settings.UPTIME_TAB_REFRESH_SECONDS,
        **(context or {}),
    }
    return render(request, template, full_context, status=status)


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def tenant_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """``/tenants/<id>/``: the tenant's Deployment, replicas and latest changes."""
    tenant = get_object_or_404(Tenant, pk=pk)
    recent = tenant_history_page(tenant, limit=RECENT_CHANGES).records
    return render_tab(request, tenant, "overview", {"recent": recent})


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def tenant_history(request: HttpRequest, pk: int) -> HttpResponse:
    """``/tenants/<id>/history/``: newest records first, paged by the API's keyset cursor.

    An HTMX request with a ``cursor`` gets only the following rows (the "Older records" button).
    """
    tenant = get_object_or_404(Tenant, pk=pk)
    query = HistoryQuery(request.GET)
    try:
        if not query.is_valid():
            raise ValidationError(query.errors.as_data())
        page = tenant_history_page(tenant, limit=HISTORY_PAGE_SIZE, cursor=query.cleaned_data["cursor"] or None)
    except ValidationError as error:
        return render_tab(request, tenant, "history", {"error": validation_in_words(error)}, status=400)
    context = {"page": page}
    if query.cleaned_data["cursor"] and wants_partial(request):
        return render(request, "tenants/detail.html#history-rows", {"tenant": tenant, **context})
    return render_tab(request, tenant, "history", context)
