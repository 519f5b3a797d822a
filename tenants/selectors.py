"""Reads of tenants for the pages: the filtered, searched and ordered list."""

from __future__ import annotations

from django.db.models import F, QuerySet

from .models import Tenant

# What the list may be ordered by: the query parameter's value -> database ordering.
# Uptime is not a column; the list view orders by it after computing the month.
LIST_ORDERINGS: dict[str, tuple] = {
    "name": ("name",),
    "-name": ("-name",),
    "state": ("state", "name"),
    "-state": ("-state", "name"),
    # Longest in its state first: the oldest state_since.
    "-duration": (F("state_since").asc(nulls_last=True), "name"),
    "duration": (F("state_since").desc(nulls_last=True), "name"),
}


def tenant_list(*, state: str = "", search: str = "", ordering: str = "name") -> QuerySet[Tenant]:
    """Active (not archived) tenants in ``state`` (all when empty) whose name contains ``search``, in ``ordering``.

    ``ordering`` is a key of ``LIST_ORDERINGS``; any other value orders by name.
    """
    tenants = Tenant.objects.active()
    if state:
        tenants = tenants.filter(state=state)
    if search:
        tenants = tenants.filter(name__icontains=search)
    return tenants.order_by(*LIST_ORDERINGS.get(ordering, LIST_ORDERINGS["name"]))
