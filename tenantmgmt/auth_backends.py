"""A user's permissions in one query instead of two, and for API tokens in the token's own query."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Aggregate, CharField, Q, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


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


class _JoinedDistinct(Aggregate):
    """The distinct non-null values of a text expression joined by commas (PostgreSQL and SQLite)."""

    function = "STRING_AGG"
    template = "%(function)s(DISTINCT %(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # SQLite's GROUP_CONCAT takes no separator with DISTINCT; its default is the comma.
        clone = self.copy()
        clone.function, clone.template = "GROUP_CONCAT", "%(function)s(DISTINCT %(expressions)s)"
        return super(_JoinedDistinct, clone).as_sql(compiler, connection, **extra_context)


def _permission_names(path: str) -> _JoinedDistinct:
    return _JoinedDistinct(
        Concat(f"{path}__content_type__app_label", Value("."), f"{path}__codename", output_field=CharField()),
        filter=Q(**{f"{path}__isnull": False}),
    )


class TokenWithPermissionsAuthentication(TokenAuthentication):
    """DRF's token authentication that also reads the user's permissions, in the same query.

    Every API request checks a permission; with plain ``TokenAuthentication`` that is a second
    query (``OneQueryModelBackend``). Here the token row comes with its user and with the names of
    the user's own and its groups' permissions, which fill the cache the backend reads. Superusers
    (every permission) and inactive users (none) are left to the backend.
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        tokens = self.get_model().objects.select_related("user")
        tokens = tokens.annotate(
            own_permissions=_permission_names("user__user_permissions"),
            group_permissions=_permission_names("user__groups__permissions"),
        )
        try:
            token = tokens.get(key=key)
        except self.get_model().DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if not user.is_superuser:
            names = f"{token.own_permissions or ''},{token.group_permissions or ''}"
            user._perm_cache = {name for name in names.split(",") if name}
        return user, token
