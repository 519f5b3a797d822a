"""The authentication backend reads a user's permissions in one query, with ModelBackend's semantics."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenantmgmt.auth_backends import OneQueryModelBackend

pytestmark = pytest.mark.django_db


def _permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="tenants", codename=codename)


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # no permission cache


@pytest.fixture
def users() -> dict[str, User]:
    operators = Group.objects.create(name="operators")
    operators.permissions.add(_permission("view_tenant"), _permission("operate_tenant"))
    own = User.objects.create_user("own")
    own.user_permissions.add(_permission("view_tenant"))
    grouped = User.objects.create_user("grouped")
    grouped.groups.add(operators)
    both = User.objects.create_user("both")
    both.user_permissions.add(_permission("view_tenant"), _permission("add_tenant"))
    both.groups.add(operators, Group.objects.create(name="empty"))
    inactive = User.objects.create_user("inactive", is_active=False)
    inactive.user_permissions.add(_permission("view_tenant"))
    inactive.groups.add(operators)
    nobody = User.objects.create_user("nobody")
    root = User.objects.create_superuser("root")
    return {user.username: user for user in (own, grouped, both, inactive, nobody, root)}


def test_the_project_authenticates_with_the_one_query_backend_behind_the_lockout(users):
    from axes.backends import AxesStandaloneBackend
    from django.contrib.auth import get_backends

    assert [type(backend) for backend in get_backends()] == [AxesStandaloneBackend, OneQueryModelBackend]


@pytest.mark.parametrize("username", ["own", "grouped", "both", "inactive", "nobody", "root"])
def test_it_gives_every_user_the_permissions_model_backend_gives(users, username):
    ours, django = OneQueryModelBackend(), ModelBackend()
    user = users[username]

    assert ours.get_all_permissions(_fresh(user)) == django.get_all_permissions(_fresh(user))
    for codename in ("view_tenant", "operate_tenant", "add_tenant", "delete_tenant"):
        perm = f"tenants.{codename}"
        assert ours.has_perm(_fresh(user), perm) == django.has_perm(_fresh(user), perm), perm
    assert ours.has_module_perms(_fresh(user), "tenants") == django.has_module_perms(_fresh(user), "tenants")


def test_it_unites_own_and_group_permissions_and_refuses_the_inactive(users):
    assert _fresh(users["both"]).get_all_permissions() == {
        "tenants.view_tenant",
        "tenants.add_tenant",
        "tenants.operate_tenant",
    }
    assert _fresh(users["grouped"]).has_perms(["tenants.view_tenant", "tenants.operate_tenant"])
    assert not _fresh(users["own"]).has_perms(["tenants.view_tenant", "tenants.operate_tenant"])
    assert not _fresh(users["inactive"]).has_perm("tenants.view_tenant")
    assert _fresh(users["root"]).has_perms(["tenants.delete_tenant", "auth.change_user"])
    assert OneQueryModelBackend().get_all_permissions(_fresh(users["both"]), obj=users["own"]) == set()


@pytest.mark.parametrize("username", ["own", "grouped", "both", "nobody", "root"])
def test_it_reads_the_permissions_in_one_query_and_then_from_the_cache(users, username):
    user = _fresh(users[username])

    with CaptureQueriesContext(connection) as queries:
        user.has_perms(["tenants.view_tenant", "tenants.operate_tenant"])
        user.has_perm("tenants.add_tenant")
        user.get_all_permissions()

    assert len(queries) == 1


def test_a_fresh_user_object_sees_a_permission_granted_since(users):
    user = _fresh(users["nobody"])
    assert not user.has_perm("tenants.view_tenant")

    user.user_permissions.add(_permission("view_tenant"))

    assert not user.has_perm("tenants.view_tenant")  # cached on the object, as Django does
    assert _fresh(user).has_perm("tenants.view_tenant")


# --- API tokens: the token, its user and the user's permissions in one query -------------------


def _get(user: User, path: str = "/api/tenants/"):
    from tests.api_clients import token_client

    client = token_client(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, queries


@pytest.mark.parametrize(
    ("username", "status"), [("own", 200), ("grouped", 200), ("both", 200), ("nobody", 403), ("root", 200)]
)
def test_a_token_request_gets_the_users_permissions_with_the_token(users, username, status):
    response, queries = _get(users[username])

    assert response.status_code == status
    if username != "root":  # a superuser's permissions are every permission: the backend reads them
        assert sum("auth_permission" in query["sql"] for query in queries.captured_queries) == 1


def test_the_token_query_gives_exactly_the_permissions_model_backend_gives(users):
    from rest_framework.authtoken.models import Token

    from tenantmgmt.auth_backends import TokenWithPermissionsAuthentication

    for user in users.values():
        if not user.is_active or user.is_superuser:
            continue
        token, _ = Token.objects.get_or_create(user=user)
        authenticated, _ = TokenWithPermissionsAuthentication().authenticate_credentials(token.key)
        assert authenticated._perm_cache == ModelBackend().get_all_permissions(_fresh(user)), user.username


def test_an_inactive_users_token_is_refused(users):
    response, _ = _get(users["inactive"])

    assert response.status_code == 401
