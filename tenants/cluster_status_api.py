"""``GET /api/cluster/status``: when the cluster was last read successfully, and the last error."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenantmgmt.api.permissions import CanViewTenants

from .cluster_sync import cluster_sync_report


class ClusterStatusSerializer(serializers.Serializer):
    backend = serializers.CharField(help_text="The configured cluster backend: kubernetes or simulated.")
    healthy = serializers.BooleanField(
        help_text="The last reconcile read the cluster and is no older than stale_after_seconds."
    )
    stale_after_seconds = serializers.IntegerField()
    last_success_at = serializers.DateTimeField(allow_null=True)
    seconds_since_last_success = serializers.IntegerField(allow_null=True)
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    last_failure_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)
    consecutive_failures = serializers.IntegerField()
    tenants_seen = serializers.IntegerField()
    namespaces_seen = serializers.IntegerField()
    last_duration_seconds = serializers.FloatField(allow_null=True)


class ClusterStatusView(APIView):
    """Read-only; needs ``tenants.view_tenant`` (the last error may name namespaces and Deployments)."""

    permission_classes = [CanViewTenants]

    @extend_schema(responses=ClusterStatusSerializer, summary="Cluster sync status")
    def get(self, request: Request) -> Response:
        return Response(ClusterStatusSerializer(asdict(cluster_sync_report())).data)
