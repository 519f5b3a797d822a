"""Create the demo tenants with about three months of history. Running it again changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from tenants.demo.history import DEMO_TENANTS, demo_events
from tenants.models import SimulatedDeployment, Tenant
from tenants.services import tenant_append_history, tenant_register
from tenants.states import Source, State


class Command(BaseCommand):
    help = "Create demo tenants with about three months of realistic history (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=92, help="How far back the history goes.")

    def handle(self, *args, days: int, **options) -> None:
        if settings.CLUSTER_BACKEND != "simulated":
            # Invented history about a real cluster's Deployments would be false; `make run` calls this.
            self.stdout.write(f"Demo tenants are for the simulated cluster; skipped ({settings.CLUSTER_BACKEND}).")
            return
        now = timezone.now()
        # Stop a little short of now so no start is left half-way at the end.
        history_end = now - timedelta(minutes=10)
        history_start = now - timedelta(days=days)
        for demo in DEMO_TENANTS:
            if Tenant.objects.filter(name=demo.name).exists():
                self.stdout.write(f"{demo.name}: exists, left as it is")
                continue
            with transaction.atomic():
                SimulatedDeployment.objects.update_or_create(
                    namespace=demo.namespace,
                    name=demo.deployment_name,
                    defaults={"replicas": 0, "ready_at": None, "deleted": False},
                )
                tenant = tenant_register(
                    name=demo.name,
                    namespace=demo.namespace,
                    deployment_name=demo.deployment_name,
                    desired_replicas=demo.desired_replicas,
                    actor="demo",
                    source=Source.IMPORT,
                    reason="Demo tenant",
                    registered_at=history_start,
                )
                count = 1
                for event in demo_events(demo, history_start, history_end):
                    change = tenant_append_history(
                        tenant=tenant,
                        new_state=event.state,
                        new_replicas=event.replicas,
                        changed_at=event.at,
                        actor=event.actor,
                        source=event.source,
                        reason=event.reason,
                    )
                    tenant = change.tenant
                    count += change.changed
                # The simulated cluster ends where the history ends.
                SimulatedDeployment.objects.filter(namespace=demo.namespace, name=demo.deployment_name).update(
                    replicas=tenant.replicas,
                    ready_at=tenant.state_since if tenant.state == State.RUNNING else None,
                )
            self.stdout.write(f"{demo.name}: created with {count} history records, now {tenant.state}")
