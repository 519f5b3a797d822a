"""What the metrics endpoints accept (query parameters) and answer (SPEC section 3)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from tenantmgmt.api.fields import UtcDateTimeField, integer_field
from tenants.models import TenantStateHistory
from tenants.states import Source, State

from .selectors import (
    DEFAULT_HISTORY_LIMIT,
    MAX_HISTORY_LIMIT,
    MAX_YEAR,
    MIN_YEAR,
    decode_cursor,
    resolve_month,
)

# --- query parameters ---------------------------------------------------------------------------


class MonthParamsSerializer(serializers.Serializer):
    """``year``, ``month`` and ``tz``; validated into ``validated_data["month_ref"]``."""

    year = integer_field(
        minimum=MIN_YEAR, maximum=MAX_YEAR, required=False, help_text="Defaults to the current year in `tz`."
    )
    month = integer_field(minimum=1, maximum=12, required=False, help_text="1-12; defaults to the current month.")
    tz = serializers.CharField(
        required=False, default="UTC", help_text="IANA time zone the month is taken in, e.g. `Europe/Berlin`."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["month_ref"] = resolve_month(
                attrs.get("year"), attrs.get("month"), attrs["tz"], now=self.context.get("now")
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        return attrs


class HistoryParamsSerializer(serializers.Serializer):
    limit = integer_field(
        minimum=1, maximum=MAX_HISTORY_LIMIT, required=False, default=DEFAULT_HISTORY_LIMIT, help_text="Page size."
    )
    cursor = serializers.CharField(
        required=False, help_text="Opaque position from a previous page's `next` link; omit for the newest records."
    )

    def validate_cursor(self, cursor: str) -> str:
        try:
            decode_cursor(cursor)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["cursor"]) from error
        return cursor


class MetricsParamsSerializer(MonthParamsSerializer, HistoryParamsSerializer):
    """The comprehensive endpoint accepts the parameters of the monthly and history endpoints."""


# --- responses ----------------------------------------------------------------------------------


def two_decimals(**kwargs: Any) -> serializers.DecimalField:
    """Two decimals, sent as a JSON number."""
    return serializers.DecimalField(max_digits=20, decimal_places=2, coerce_to_string=False, **kwargs)


class CurrentStateSerializer(serializers.Serializer):
    tenant_id = serializers.IntegerField()
    current_state = serializers.ChoiceField(choices=State.choices)
    duration_seconds = serializers.IntegerField(help_text="Whole seconds since `state_since`.")
    duration_formatted = serializers.CharField(help_text='e.g. "5d 12h".')
    state_since = UtcDateTimeField(
        allow_null=True, help_text="When the current state began; replica-only changes do not reset it."
    )
    changed_by = serializers.CharField(help_text="Who brought the tenant into its current state.")
    replicas = serializers.IntegerField()


class MonthlyMetricsSerializer(serializers.Serializer):
    tenant_id = serializers.IntegerField()
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    timezone = serializers.CharField()
    period_start = UtcDateTimeField(allow_null=True, help_text="The clipped window's start; null when empty.")
    period_end = UtcDateTimeField(allow_null=True, help_text="The clipped window's end; null when empty.")
    uptime_seconds = serializers.IntegerField()
    downtime_seconds = serializers.IntegerField()
    scaling_seconds = serializers.IntegerField()
    unknown_seconds = serializers.IntegerField()
    total_seconds = serializers.IntegerField()
    uptime_percentage = serializers.FloatField(allow_null=True)
    downtime_percentage = serializers.FloatField(allow_null=True)
    scaling_percentage = serializers.FloatField(allow_null=True)
    unknown_percentage = serializers.FloatField(allow_null=True)
    uptime_formatted = serializers.CharField()
    downtime_formatted = serializers.CharField()
    scaling_formatted = serializers.CharField()
    unknown_formatted = serializers.CharField()
    # Beyond the SPEC (README "Beyond uptime"): added fields, the SPEC's are unchanged.
    planned_downtime_seconds = serializers.IntegerField(
        help_text="Stopped by a schedule's stop, until the next state change."
    )
    unplanned_downtime_seconds = serializers.IntegerField(
        help_text="Every other second not running: stopped otherwise, scaling, unknown."
    )
    planned_downtime_formatted = serializers.CharField()
    unplanned_downtime_formatted = serializers.CharField()
    availability_percentage = serializers.FloatField(
        allow_null=True, help_text="Uptime / (window - planned downtime) * 100; null when nothing is left."
    )
    replica_hours = two_decimals(help_text="Spec replicas x hours while running or scaling.")
    baseline_replica_hours = two_decimals(help_text="Always on at the tenant's desired_replicas for the same window.")
    replica_hours_saved = two_decimals(help_text="Baseline minus actual; negative when it ran above desired_replicas.")
    cost_saved = two_decimals(
        allow_null=True, help_text="replica_hours_saved x COST_PER_REPLICA_HOUR; null when unset."
    )
    schedule_adherence_percentage = serializers.FloatField(
        allow_null=True,
        help_text="Share of the scheduled time spent in the state the schedules intended; null without.",
    )
    wake_count = serializers.IntegerField(help_text="Scheduled starts at which the tenant was not running.")
    wake_delay_p50_seconds = serializers.IntegerField(
        allow_null=True, help_text="Median (lower) time from a scheduled start to running; null without wakes."
    )
    wake_delay_max_seconds = serializers.IntegerField(
        allow_null=True, help_text="Longest wake; a start that never came up counts to the end of the window."
    )
    wake_delay_p50_formatted = serializers.CharField(allow_null=True)
    wake_delay_max_formatted = serializers.CharField(allow_null=True)


class HistoryRecordSerializer(serializers.ModelSerializer):
    previous_state = serializers.ChoiceField(choices=State.choices, allow_null=True)
    new_state = serializers.ChoiceField(choices=State.choices)
    changed_at = UtcDateTimeField()
    source = serializers.ChoiceField(choices=Source.choices)

    class Meta:
        model = TenantStateHistory
        fields = [
            "id",
            "previous_state",
            "new_state",
            "previous_replicas",
            "new_replicas",
            "changed_at",
            "changed_by",
            "reason",
            "source",
        ]
        read_only_fields = fields


class HistoryPageSerializer(serializers.Serializer):
    tenant_id = serializers.IntegerField()
    results = HistoryRecordSerializer(many=True, help_text="Newest first.")
    next = serializers.URLField(allow_null=True, help_text="The following page, or null on the last one.")


class TenantMetricsSerializer(serializers.Serializer):
    tenant_id = serializers.IntegerField()
    tenant_name = serializers.CharField()
    current_state = CurrentStateSerializer()
    monthly = MonthlyMetricsSerializer()
    history = HistoryRecordSerializer(many=True, help_text="The newest `limit` records (after `cursor`).")
