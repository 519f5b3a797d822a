"""What the tenant endpoints accept and answer (SPEC section 3). No business rules here: the
views hand validated data to ``tenants.services``."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tenantmgmt.api.fields import UtcDateTimeField, integer_field

from .models import Tenant
from .services import MAX_REPLICAS
from .states import State


class TenantSerializer(serializers.ModelSerializer):
    """A tenant as the API shows it; ``name``, the Deployment and ``desired_replicas`` are writable."""

    desired_replicas = integer_field(minimum=1, maximum=MAX_REPLICAS, required=False, default=1)
    state = serializers.ChoiceField(choices=State.choices, read_only=True)
    state_since = UtcDateTimeField(read_only=True, allow_null=True)
    created_at = UtcDateTimeField(read_only=True)

    class Meta:
        model = Tenant
        fields = [
            "id",
            "name",
            "namespace",
            "deployment_name",
            "desired_replicas",
            "replicas",
            "state",
            "state_since",
            "created_at",
        ]
        read_only_fields = ["id", "replicas", "state", "state_since", "created_at"]
        # Uniqueness is checked in validate() so the error names the field, not "non_field_errors".
        validators: list = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        namespace = attrs.get("namespace", getattr(self.instance, "namespace", None))
        deployment_name = attrs.get("deployment_name", getattr(self.instance, "deployment_name", None))
        others = Tenant.objects.exclude(pk=getattr(self.instance, "pk", None))
        clash = others.filter(namespace=namespace, deployment_name=deployment_name).first()
        if clash is not None:
            field = "deployment_name" if "deployment_name" in attrs else "namespace"
            message = f"Tenant {clash.name!r} already uses Deployment {namespace}/{deployment_name}."
            if clash.is_archived:
                message += " It is archived: purge it first (manage.py purge_tenant)."
            raise serializers.ValidationError({field: [message]})
        return attrs


class ActionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=1000, help_text="Recorded in the history."
    )


class ScaleSerializer(ActionSerializer):
    replicas = integer_field(minimum=0, maximum=MAX_REPLICAS, help_text="0 stops the tenant.")
