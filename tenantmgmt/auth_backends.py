"""Django's ``ModelBackend`` with a user's permissions read in one query instead of two."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class OneQueryModelBackend(ModelBackend):
    """``ModelBackend``, but ``get_all_permissions`` reads the user's own and its groups' in one query.

    Django runs one query for the user's permissions and one for its groups' on every request that
    checks a permission (every API call). Semantics are Django's: inactive and anonymous users and
    object permissions get nothing, a superuser gets every permission, and the result is cached
    on the user object as ``_perm_cache`` (which Django's own code and ``refresh_from_db`` know).
    ``get_user_permissions`` and ``get_group_permissions`` are inherited unchanged.
    """

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                permissions = Permission.objects.all()
            else:
                permissions = Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
            rows = permissions.values_list("content_type__app_label", "codename").order_by().distinct()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache
