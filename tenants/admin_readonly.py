"""Admin pages for records nobody edits: audit history, schedule runs, the cluster sync status."""

from __future__ import annotations

from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """Viewable with the model's view permission; no add, change or delete for anyone."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
