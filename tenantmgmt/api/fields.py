"""Serializer fields shared by the API: timestamps in UTC with ``+00:00``, strict integers."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from rest_framework import serializers

_INTEGER = re.compile(r"-?[0-9]{1,18}")


class UtcDateTimeField(serializers.DateTimeField):
    """ISO 8601 in UTC with an explicit offset (``2026-01-14T15:48:10.687835+00:00``), never ``Z``."""

    def to_representation(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        return value.astimezone(UTC).isoformat()


class StrictIntegerField(serializers.IntegerField):
    """An integer written as digits: ``"1.0"``, ``"1e3"`` and ``" 2"`` are not accepted as integers."""

    def to_internal_value(self, data: object) -> int:
        if isinstance(data, bool) or not (
            isinstance(data, int) or (isinstance(data, str) and _INTEGER.fullmatch(data))
        ):
            self.fail("invalid")
        return super().to_internal_value(data)


def integer_field(*, minimum: int, maximum: int, **kwargs: object) -> StrictIntegerField:
    """A strict integer in ``[minimum, maximum]`` whose errors all say the range."""
    message = f"Must be an integer from {minimum} to {maximum}."
    return StrictIntegerField(
        min_value=minimum,
        max_value=maximum,
        error_messages={"invalid": message, "min_value": message, "max_value": message, "max_string_length": message},
        **kwargs,
    )
