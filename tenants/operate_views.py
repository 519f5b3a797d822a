"""Start, Stop and Scale from the web UI: thin views over ``tenants.services``.

An HTMX request gets the tenant's header back (its state, the buttons and a message) and an
``HX-Trigger: tenant-changed`` event on which the open tab refreshes itself. A request without
HTMX (no JavaScript) is redirected back to the tenant with the message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from metrics.selectors import tenant_current_state

from .cluster import ClusterError
from .forms import OperateForm, ScaleForm, errors_in_words, validation_in_words
from .models import Tenant
from .services import TenantArchivedError, TenantChange, tenant_scale, tenant_start, tenant_stop
from .states import Source

# Status codes htmx is configured to swap (base.html): the header then shows what went wrong.
BAD_INPUT, ARCHIVED, CLUSTER_FAILED = 400, 409, 503


@require_POST
@login_required
@permission_required(["tenants.view_tenant", "tenants.operate_tenant"], raise_exception=True)
def tenant_operate(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """``POST /tenants/<id>/start|stop|scale``: change the tenant through the service."""
    tenant = get_object_or_404(Tenant, pk=pk)
    form = (ScaleForm if action == "scale" else OperateForm)(request.POST)
    if not form.is_valid():
        return _respond(request, tenant, errors_in_words(form), messages.ERROR, status=BAD_INPUT)
    reason = form.cleaned_data["reason"] or f"{action.capitalize()} from the web UI"
    actor = request.user.get_username()
    try:
        if action == "start":
            change = tenant_start(tenant=tenant, actor=actor, source=Source.UI, reason=reason)
        elif action == "stop":
            change = tenant_stop(tenant=tenant, actor=actor, source=Source.UI, reason=reason)
        else:
            change = tenant_scale(
                tenant=tenant, replicas=form.cleaned_data["replicas"], actor=actor, source=Source.UI, reason=reason
            )
    except ValidationError as error:
        return _respond(request, tenant, validation_in_words(error), messages.ERROR, status=BAD_INPUT)
    except TenantArchivedError as error:
        return _respond(request, tenant, str(error), messages.ERROR, status=ARCHIVED)
    except ClusterError as error:
        message = f"The cluster refused or could not be reached: {error}. Nothing was changed."
        return _respond(request, tenant, message, messages.ERROR, status=CLUSTER_FAILED)
    return _respond(request, change.tenant, _describe(change, action), messages.SUCCESS, changed=change.changed)


def _describe(change: TenantChange, action: str) -> str:
    tenant = change.tenant
    if not change.changed:
        return f"{tenant.name} is already {tenant.get_state_display().lower()} with {tenant.replicas} replicas."
    if action == "scale":
        return f"{tenant.name} scaled to {tenant.replicas} replicas: now {tenant.get_state_display().lower()}."
    return f"{tenant.name} is now {tenant.get_state_display().lower()} ({tenant.replicas} replicas)."


def _respond(
    request: HttpRequest, tenant: Tenant, message: str, level: int, *, status: int = 200, changed: bool = False
) -> HttpResponse:
    if not request.htmx:
        messages.add_message(request, level, message)
        return redirect("tenant-detail", pk=tenant.pk)
    tenant.refresh_from_db()
    context = {
        "tenant": tenant,
        "current": tenant_current_state(tenant),
        "can_operate": True,
        "notice": message,
        "notice_level": "error" if level == messages.ERROR else "success",
    }
    response = render(request, "tenants/detail.html#tenant-header", context, status=status)
    if changed:
        trigger_client_event(response, "tenant-changed")
    return response
