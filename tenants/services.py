"""The only code that changes a tenant's state or writes its history (and archives or purges tenants).

Every function here runs in one transaction with the tenant row locked, so concurrent changes
to one tenant queue up and each history record's ``previous_state`` is the ``new_state`` of the
record before it. A cluster error raises ``ClusterError`` and leaves nothing behind.
The admin, the web UI, the API, schedules and the reconciler all call these functions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from metrics import month_cache

from .cluster import DeploymentNotFound, DeploymentRef, DeploymentStatus, get_backend
from .models import Tenant, TenantStateHistory
from .states import Source, State, state_after_scale

logger = logging.getLogger(__name__)

MAX_REPLICAS = 1000


class TenantArchivedError(Exception):
    """The tenant is archived: it keeps its history but can no longer be changed (API: 409)."""

    def __init__(self, tenant: Tenant) -> None:
        super().__init__(f"Tenant {tenant.name!r} is archived: it can be read but no longer changed.")
        self.tenant = tenant


@dataclass(frozen=True)
class TenantChange:
    """A service call's outcome: the tenant as it is now, and the record written (None: no change)."""

    tenant: Tenant
    record: TenantStateHistory | None

    @property
    def changed(self) -> bool:
        return self.record is not None


def deployment_ref(tenant: Tenant) -> DeploymentRef:
    return DeploymentRef(tenant.namespace, tenant.deployment_name)


def tenant_register(
    *,
    name: str,
    namespace: str,
    deployment_name: str,
    desired_replicas: int = 1,
    actor: str,
    source: str,
    reason: str = "Registered",
    registered_at: datetime | None = None,
) -> Tenant:
    """Create a tenant and its first history record, in the state the cluster reports.

    A Deployment that does not exist is recorded as ``unknown``; any other cluster error
    raises ``ClusterError`` and creates nothing.
    """
    registered_at = registered_at or timezone.now()
    tenant = Tenant(
        name=name,
        namespace=namespace,
        deployment_name=deployment_name,
        desired_replicas=desired_replicas,
        created_at=registered_at,
    )
    tenant.full_clean()
    with transaction.atomic():
        tenant.save()
        try:
            status: DeploymentStatus | None = get_backend().get_status(deployment_ref(tenant))
        except DeploymentNotFound:
            status = None
        state = status.state if status else State.UNKNOWN
        replicas = status.spec_replicas if status else 0
        record = _append_record(
            tenant,
            new_state=state,
            new_replicas=replicas,
            changed_at=registered_at,
            actor=actor,
            source=source,
            reason=reason,
            previous=None,
        )
    logger.info("Registered tenant %s (%s) as %s", tenant.name, deployment_ref(tenant), record.new_state)
    return tenant


def tenant_update(*, tenant: Tenant, **fields: object) -> Tenant:
    """Change a tenant's name, Deployment or desired replicas (not its state: use the actions)."""
    allowed = {"name", "namespace", "deployment_name", "desired_replicas"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({field: "This field cannot be changed here." for field in sorted(unknown)})
    with transaction.atomic():
        locked = _lock(tenant)
        for field, value in fields.items():
            setattr(locked, field, value)
        locked.full_clean()
        locked.save(update_fields=[*fields, "updated_at"])
    return locked


def tenant_start(*, tenant: Tenant, actor: str, source: str, reason: str = "") -> TenantChange:
    """Scale a stopped (or unknown) tenant up to its ``desired_replicas``; a no-op when it is up."""
    with transaction.atomic():
        locked = _lock(tenant)
        if locked.replicas >= 1 and locked.state in (State.RUNNING, State.SCALING):
            return TenantChange(locked, None)
        return _scale_locked(locked, locked.desired_replicas, actor=actor, source=source, reason=reason)


def tenant_stop(*, tenant: Tenant, actor: str, source: str, reason: str = "") -> TenantChange:
    """Scale a tenant to zero; a no-op when it is already stopped."""
    with transaction.atomic():
        locked = _lock(tenant)
        if locked.state == State.STOPPED and locked.replicas == 0:
            return TenantChange(locked, None)
        return _scale_locked(locked, 0, actor=actor, source=source, reason=reason)


def tenant_scale(*, tenant: Tenant, replicas: int, actor: str, source: str, reason: str = "") -> TenantChange:
    """Set a tenant's replicas; 0 stops it. Scaling to N >= 1 also makes N its ``desired_replicas``.

    A no-op when the tenant already has that many replicas (and its state is known).
    """
    if isinstance(replicas, bool) or not isinstance(replicas, int) or not 0 <= replicas <= MAX_REPLICAS:
        raise ValidationError({"replicas": f"Must be an integer from 0 to {MAX_REPLICAS}."})
    with transaction.atomic():
        locked = _lock(tenant)
        if replicas == locked.replicas and locked.state != State.UNKNOWN:
            return TenantChange(locked, None)
        return _scale_locked(locked, replicas, actor=actor, source=source, reason=reason)


def tenant_observe(
    *,
    tenant: Tenant,
    status: DeploymentStatus | None,
    actor: str = "cluster",
    source: str = Source.RECONCILER,
) -> TenantChange:
    """Record what the cluster shows for a tenant's Deployment (``None``: it is gone).

    Writes a record only when the observed state or spec replicas differ from the recorded
    ones, compared under the row lock, so the same observation is never recorded twice even by
    two reconcilers at once.
    """
    with transaction.atomic():
        locked = _lock(tenant, allow_archived=True)
        if locked.is_archived or not observation_differs(locked, status):
            return TenantChange(locked, None)
        new_state, new_replicas = _observed(locked, status)
        reason = _describe_observation(locked, status, new_state)
        record = _append_record(
            locked,
            new_state=new_state,
            new_replicas=new_replicas,
            changed_at=timezone.now(),
            actor=actor,
            source=source,
            reason=reason,
        )
    logger.info("Observed %s: %s", locked.name, reason)
    return TenantChange(locked, record)


def observation_differs(tenant: Tenant, status: DeploymentStatus | None) -> bool:
    """Whether this observation of the tenant's Deployment differs from what was recorded."""
    return _observed(tenant, status) != (tenant.state, tenant.replicas)


def _observed(tenant: Tenant, status: DeploymentStatus | None) -> tuple[str, int]:
    if status is None:
        return State.UNKNOWN, tenant.replicas
    return status.state, status.spec_replicas


def tenant_append_history(
    *,
    tenant: Tenant,
    new_state: str,
    new_replicas: int,
    changed_at: datetime,
    actor: str,
    source: str,
    reason: str = "",
) -> TenantChange:
    """Append a record at a given time without touching the cluster (demo data and imports).

    The record must not be older than the tenant's last one, so the chain stays ordered.
    """
    with transaction.atomic():
        locked = _lock(tenant)
        if new_state == locked.state and new_replicas == locked.replicas:
            return TenantChange(locked, None)
        record = _append_record(
            locked,
            new_state=new_state,
            new_replicas=new_replicas,
            changed_at=changed_at,
            actor=actor,
            source=source,
            reason=reason,
            strictly_after_last=True,
        )
    return TenantChange(locked, record)


def tenant_archive(*, tenant: Tenant, actor: str, source: str) -> Tenant:
    """Archive a tenant (what deleting it means): hidden from lists, history kept, no more changes.

    The cluster is not touched: its Deployment keeps running as it is. Archiving an archived
    tenant changes nothing.
    """
    with transaction.atomic():
        locked = _lock(tenant, allow_archived=True)
        if locked.is_archived:
            return locked
        locked.archived_at = timezone.now()
        locked.archived_by = actor[:150]
        locked.save(update_fields=["archived_at", "archived_by", "updated_at"])
    logger.info("%s archived tenant %s (id %s) via %s", actor, locked.name, locked.pk, source)
    return locked


# Read by the PostgreSQL trigger on tenant_state_history (migration 0005): only a purge may delete.
PURGE_SETTING = "tenantmgmt.allow_purge"


def tenant_purge(*, tenant: Tenant, actor: str) -> int:
    """Remove an archived tenant for good, with its history; returns the number of records removed.

    The one place history is ever deleted (``manage.py purge_tenant``). On PostgreSQL the
    append-only trigger is lifted for this transaction only (``SET LOCAL``).
    """
    with transaction.atomic():
        locked = _lock(tenant, allow_archived=True)
        if not locked.is_archived:
            raise ValidationError({"tenant": "Archive the tenant first (DELETE /api/tenants/{id}/); then purge it."})
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
        _delete_dependents(locked)
        removed, _ = TenantStateHistory.objects.filter(tenant=locked).delete()
        locked.delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'off', true)", [PURGE_SETTING])
    logger.warning("%s purged tenant %s (id %s) and %d history records", actor, tenant.name, tenant.pk, removed)
    return removed


def _delete_dependents(tenant: Tenant) -> None:
    """Rows other features keep about a tenant, deleted before its history (runs point at records)."""
    from .schedules.models import ScheduleExecution, TenantSchedule  # schedules import this module

    ScheduleExecution.objects.filter(tenant=tenant).delete()
    TenantSchedule.objects.filter(tenant=tenant).delete()


def _lock(tenant: Tenant, *, allow_archived: bool = False) -> Tenant:
    locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if locked.is_archived and not allow_archived:
        raise TenantArchivedError(locked)
    return locked


def _scale_locked(tenant: Tenant, replicas: int, *, actor: str, source: str, reason: str) -> TenantChange:
    get_backend().scale(deployment_ref(tenant), replicas)
    new_state = state_after_scale(tenant.state, tenant.replicas, replicas)
    if replicas >= 1 and tenant.desired_replicas != replicas:
        tenant.desired_replicas = replicas
        tenant.save(update_fields=["desired_replicas", "updated_at"])
    record = _append_record(
        tenant,
        new_state=new_state,
        new_replicas=replicas,
        changed_at=timezone.now(),
        actor=actor,
        source=source,
        reason=reason,
    )
    logger.info("%s scaled %s to %d (%s) via %s", actor, tenant.name, replicas, new_state, source)
    return TenantChange(tenant, record)


_UNSET = object()


def _append_record(
    tenant: Tenant,
    *,
    new_state: str,
    new_replicas: int,
    changed_at: datetime,
    actor: str,
    source: str,
    reason: str,
    previous: object = _UNSET,
    strictly_after_last: bool = False,
) -> TenantStateHistory:
    """Write one history record continuing the tenant's chain, and mirror it on the tenant row.

    The caller holds the tenant's row lock. ``previous=None`` marks the tenant's first record.
    """
    is_first = previous is None
    if not is_first:
        last_changed_at = (
            TenantStateHistory.objects.filter(tenant=tenant)
            .order_by("-changed_at", "-id")
            .values_list("changed_at", flat=True)
            .first()
        )
        if last_changed_at is not None and changed_at < last_changed_at:
            if strictly_after_last:
                message = (
                    f"{changed_at.isoformat()} is before the tenant's last record ({last_changed_at.isoformat()})."
                )
                raise ValidationError({"changed_at": message})
            # Clocks of different hosts may disagree by a little; the chain order must not.
            changed_at = last_changed_at
    if month_cache.is_rewrite(changed_at, timezone.now()):
        month_cache.history_rewritten()
    record = TenantStateHistory.objects.create(
        tenant=tenant,
        previous_state=None if is_first else tenant.state,
        new_state=new_state,
        previous_replicas=None if is_first else tenant.replicas,
        new_replicas=new_replicas,
        changed_at=changed_at,
        changed_by=actor[:150],
        reason=reason,
        source=source,
    )
    if is_first or new_state != tenant.state:
        tenant.state_since = changed_at
    tenant.state = new_state
    tenant.replicas = new_replicas
    tenant.save(update_fields=["state", "replicas", "state_since", "updated_at"])
    return record


def _describe_observation(tenant: Tenant, status: DeploymentStatus | None, new_state: str) -> str:
    if status is None:
        return f"Deployment {deployment_ref(tenant)} not found in the cluster"
    if status.spec_replicas != tenant.replicas:
        return (
            f"Deployment scaled outside the application: spec replicas {tenant.replicas} -> "
            f"{status.spec_replicas} ({status.ready_replicas} ready)"
        )
    if new_state == State.RUNNING:
        return f"{status.ready_replicas} of {status.spec_replicas} replicas ready"
    if new_state == State.SCALING:
        return f"No replica ready (0 of {status.spec_replicas})"
    return f"Observed {new_state} with {status.spec_replicas} replicas"


# --- Importing the old system's history (issue 10) ------------------------------------------------


@dataclass(frozen=True)
class ImportedRecord:
    """One ``tenant_state_history`` row of the old system, as it is to be written here."""

    previous_state: str | None
    new_state: str
    previous_replicas: int | None
    new_replicas: int
    changed_at: datetime
    changed_by: str
    reason: str

    @property
    def key(self) -> tuple[datetime, str | None, str, int]:
        """What makes a record the same change: the instant, both states and the new replicas."""
        return (self.changed_at, self.previous_state, self.new_state, self.new_replicas)


class HistoryImportRefused(Exception):
    """The records would break the tenant's chain; ``problems`` are ``(index in records, why)``."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__("; ".join(f"record {index}: {why}" for index, why in problems))
        self.problems = problems


@dataclass(frozen=True)
class HistoryImport:
    written: int
    already_present: int


def tenant_import_history(*, tenant: Tenant, records: list[ImportedRecord]) -> HistoryImport:
    """Append the old system's records to a tenant's history (``source="import"``), all or nothing.

    ``records`` are in the old system's order (``changed_at``, then its id). A record equal to one
    the tenant already has (``ImportedRecord.key``) is skipped, so an import can be run again. The
    others must continue the chain from the tenant's latest record: not older than it, with
    ``previous_state`` (and ``previous_replicas``, when given) equal to what comes before, and a
    change of state or replicas. History is never rewritten, so rows older than a tenant's latest
    record cannot be inserted before it; a tenant with no history yet takes the whole old chain,
    its first record keeping the old ``previous_state`` (the state before tracking began).
    Raises ``HistoryImportRefused`` naming every offending record, having written nothing.
    """
    with transaction.atomic():
        locked = _lock(tenant)
        existing = TenantStateHistory.objects.filter(tenant=locked)
        latest = existing.order_by("-changed_at", "-id").values("changed_at", "new_state", "new_replicas").first()
        present = set()
        if records:
            instants = [record.changed_at for record in records]
            present = set(
                existing.filter(changed_at__gte=min(instants), changed_at__lte=max(instants)).values_list(
                    "changed_at", "previous_state", "new_state", "new_replicas"
                )
            )
        to_write, problems, skipped = [], [], 0
        tail = latest
        for index, record in enumerate(records):
            if record.key in present:
                skipped += 1
                continue
            why = _import_chain_problem(record, tail, latest)
            if why:
                problems.append((index, why))
            if tail is not None and record.previous_replicas is None:
                record = replace(record, previous_replicas=tail["new_replicas"])  # the chain says what it was
            present.add(record.key)
            to_write.append(record)
            tail = {"changed_at": record.changed_at, "new_state": record.new_state, "new_replicas": record.new_replicas}
        if problems:
            raise HistoryImportRefused(problems)
        if not to_write:
            return HistoryImport(0, skipped)
        if month_cache.is_rewrite(min(record.changed_at for record in to_write), timezone.now()):
            month_cache.history_rewritten()
        TenantStateHistory.objects.bulk_create(
            TenantStateHistory(
                tenant=locked,
                previous_state=record.previous_state,
                new_state=record.new_state,
                previous_replicas=record.previous_replicas,
                new_replicas=record.new_replicas,
                changed_at=record.changed_at,
                changed_by=(record.changed_by or "import")[:150],
                reason=record.reason,
                source=Source.IMPORT,
            )
            for record in to_write
        )
        for position, record in enumerate(to_write):
            starts_history = latest is None and position == 0
            if starts_history or record.new_state != locked.state:
                locked.state_since = record.changed_at
            locked.state, locked.replicas = record.new_state, record.new_replicas
        locked.save(update_fields=["state", "replicas", "state_since", "updated_at"])
    logger.info("Imported %d history records for %s (%d already there)", len(to_write), locked.name, skipped)
    return HistoryImport(len(to_write), skipped)


def _import_chain_problem(record: ImportedRecord, tail: dict | None, latest: dict | None) -> str:
    """Why ``record`` cannot follow ``tail`` (the record before it), or "" when it can."""
    if tail is None:  # the tenant's first record: its previous_state is the state before tracking began
        if record.previous_state == record.new_state and record.previous_replicas == record.new_replicas:
            return "it changes neither the state nor the replicas"
        return ""
    if latest is not None and record.changed_at < latest["changed_at"]:
        return (
            f"changed_at {record.changed_at.isoformat()} is before the tenant's latest record "
            f"({latest['changed_at'].isoformat()}); history is append-only, nothing can be inserted before it"
        )
    if record.previous_state is None:
        return "previous_state is empty, but only a tenant's first record has none"
    if record.previous_state != tail["new_state"]:
        return f"previous_state {record.previous_state!r} does not follow {tail['new_state']!r}, the state before it"
    if record.previous_replicas is not None and record.previous_replicas != tail["new_replicas"]:
        return (
            f"previous_replicas {record.previous_replicas} does not follow {tail['new_replicas']}, "
            "the replicas before it"
        )
    if record.new_state == record.previous_state and record.new_replicas == tail["new_replicas"]:
        return "it changes neither the state nor the replicas"
    return ""
