"""The three ways the application talks to a cluster, each set up to write one record on success.

Used by the failure tests: each operation names the RBAC verb and resource its request needs,
so a fault can be aimed at it, and ``snapshot`` tells whether anything at all was written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tenants.models import Tenant, TenantStateHistory
from tenants.reconciler import reconcile_tenants
from tenants.services import tenant_register, tenant_start


@dataclass(frozen=True)
class Operation:
    name: str
    verb: str
    resource: str
    run: Callable[[], object]

    def __str__(self) -> str:
        return self.name


def prepare(api, make_tenant, name: str) -> Operation:
    """Put a tenant ``shop`` (stopped) in namespace team-a and return the operation ``name``.

    The server's request log is emptied, so it counts the operation's requests only.
    """
    api.add("team-a", "shop", replicas=0)
    api.add("team-a", "other", replicas=1, ready=1)
    shop = make_tenant("shop", namespace="team-a", deployment_name="shop")
    api.requests.clear()
    if name == "register":
        return Operation(
            name,
            "get",
            "deployments",
            lambda: tenant_register(
                name="other", namespace="team-a", deployment_name="other", actor="alice", source="api"
            ),
        )
    if name == "scale":
        return Operation(
            name, "patch", "deployments/scale", lambda: tenant_start(tenant=shop, actor="alice", source="api")
        )
    if name == "reconcile":
        api.set("team-a", "shop", replicas=2, ready=2)  # a drift for the reconciler to record
        return Operation(name, "list", "deployments", reconcile_tenants)
    raise ValueError(name)


OPERATIONS = ["register", "scale", "reconcile"]


def snapshot() -> tuple:
    """Everything a cluster operation could write: tenants and their mirrored state, and history."""
    return (
        list(Tenant.objects.order_by("id").values_list("id", "state", "replicas", "desired_replicas", "state_since")),
        TenantStateHistory.objects.count(),
    )
