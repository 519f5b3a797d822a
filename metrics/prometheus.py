"""``GET /metrics``: Prometheus exposition built from the database at each scrape.

A custom collector reads what Grafana needs in a constant number of queries, whatever the number of
tenants or records: the tenants (1), this month's records for all of them (2, the same selector as
the monthly endpoint), the reconciler's sync status (1) and schedule executions by status (1). No
per-request counters are kept in the process: web pods are many and restart, the database is the
one truth, so every pod answers the same.

Disabled (404) unless ``METRICS_BEARER_TOKEN`` is set; then the scrape must send
``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from tenants.cluster_sync import cluster_sync_report
from tenants.models import Tenant
from tenants.schedules.models import ExecutionStatus, ScheduleExecution

from .computation import STATES
from .selectors import fleet_monthly_metrics, resolve_month

TENANT_LABELS = ["tenant", "tenant_id", "namespace"]
STATE_SECONDS_FIELDS = {
    "running": "uptime_seconds",
    "stopped": "downtime_seconds",
    "scaling": "scaling_seconds",
    "unknown": "unknown_seconds",
}


class TenantMetricsCollector(Collector):
    """Every tenant's state and this month's (UTC) figures, and the fleet's background health."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now

    def collect(self) -> Iterator[Metric]:
        now = self.now or timezone.now()
        tenants = list(Tenant.objects.order_by("id"))
        # This month in UTC: Prometheus has no time zone (Grafana shifts for display).
        month = fleet_monthly_metrics(tenants, resolve_month(None, None, "UTC", now=now), now=now)

        state = GaugeMetricFamily(
            "tenantmgmt_tenant_state",
            "1 for the tenant's current state, 0 for the others.",
            labels=[*TENANT_LABELS, "state"],
        )
        since = GaugeMetricFamily(
            "tenantmgmt_tenant_state_since_timestamp_seconds",
            "When the tenant entered its current state (Unix time).",
            labels=TENANT_LABELS,
        )
        replicas = GaugeMetricFamily("tenantmgmt_tenant_replicas", "Spec replicas now.", labels=TENANT_LABELS)
        desired = GaugeMetricFamily(
            "tenantmgmt_tenant_desired_replicas", "Replicas a start scales to.", labels=TENANT_LABELS
        )
        seconds = GaugeMetricFamily(
            "tenantmgmt_tenant_state_seconds_this_month",
            "Whole seconds in each state since the first of this month (UTC).",
            labels=[*TENANT_LABELS, "state"],
        )
        downtime = GaugeMetricFamily(
            "tenantmgmt_tenant_downtime_seconds_this_month",
            "This month's time not running: planned (a schedule's stop) or unplanned (anything else).",
            labels=[*TENANT_LABELS, "kind"],
        )
        replica_hours = GaugeMetricFamily(
            "tenantmgmt_tenant_replica_hours_this_month",
            "Replica-hours run this month, and the always-on baseline at desired_replicas.",
            labels=[*TENANT_LABELS, "kind"],
        )
        for tenant in tenants:
            labels = [tenant.name, str(tenant.pk), tenant.namespace]
            figures = month[tenant.pk]
            for name in STATES:
                state.add_metric([*labels, name], 1 if tenant.state == name else 0)
                seconds.add_metric([*labels, name], getattr(figures, STATE_SECONDS_FIELDS[name]))
            if tenant.state_since is not None:
                since.add_metric(labels, tenant.state_since.timestamp())
            replicas.add_metric(labels, tenant.replicas)
            desired.add_metric(labels, tenant.desired_replicas)
            downtime.add_metric([*labels, "planned"], figures.planned_downtime_seconds)
            downtime.add_metric([*labels, "unplanned"], figures.unplanned_downtime_seconds)
            replica_hours.add_metric([*labels, "actual"], float(figures.replica_hours))
            replica_hours.add_metric([*labels, "baseline"], float(figures.baseline_replica_hours))
        yield from (state, since, replicas, desired, seconds, downtime, replica_hours)
        yield from self._schedules()
        yield from self._reconciler(now)

    @staticmethod
    def _schedules() -> Iterator[Metric]:
        runs = CounterMetricFamily(
            "tenantmgmt_schedule_executions",
            "Schedule runs recorded, by outcome (audit rows are never deleted, so it only grows).",
            labels=["status"],
        )
        counts = dict(ScheduleExecution.objects.values_list("status").annotate(count=Count("id")).order_by())
        for status in ExecutionStatus.values:
            runs.add_metric([status], counts.get(status, 0))
        yield runs

    @staticmethod
    def _reconciler(now: datetime) -> Iterator[Metric]:
        report = cluster_sync_report(now=now)
        last_success = GaugeMetricFamily(
            "tenantmgmt_reconciler_last_success_timestamp_seconds",
            "When the reconciler last read the cluster successfully (Unix time; absent if never).",
            labels=["backend"],
        )
        if report.last_success_at is not None:
            last_success.add_metric([report.backend], report.last_success_at.timestamp())
        failures = GaugeMetricFamily(
            "tenantmgmt_reconciler_consecutive_failures",
            "Reconciles in a row that could not read the cluster.",
            labels=["backend"],
        )
        failures.add_metric([report.backend], report.consecutive_failures)
        yield from (last_success, failures)


def exposition(accept: str = "", now: datetime | None = None) -> tuple[bytes, str]:
    """The body and content type a scrape gets, in the format its ``Accept`` header asks for
    (Prometheus text 0.0.4 by default, OpenMetrics on request), from a fresh registry built now."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(TenantMetricsCollector(now))
    encode, content_type = choose_encoder(accept)
    return encode(registry), content_type


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus scrape endpoint: 404 while ``METRICS_BEARER_TOKEN`` is unset, 401 without it."""
    token = settings.METRICS_BEARER_TOKEN
    if not token:
        raise Http404("Metrics are disabled: set METRICS_BEARER_TOKEN.")
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(offered.strip().encode(), token.encode()):
        response = HttpResponse("A bearer token is required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body, content_type = exposition(request.headers.get("Accept", ""))
    return HttpResponse(body, content_type=content_type)
