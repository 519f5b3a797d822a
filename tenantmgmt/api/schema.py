"""OpenAPI helpers: the error body every 4xx/503 has, declared once for drf-spectacular."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """``{"detail", "code", "errors": {param: [messages]}}`` (see ``tenantmgmt.api.errors``)."""

    detail = serializers.CharField(help_text="A sentence for people.")
    code = serializers.CharField(help_text="A stable word for programs, e.g. 'invalid', 'not_found'.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Each bad parameter or field with its messages; empty when the error is not about one.",
    )


_DESCRIPTIONS = {
    400: "A parameter or field is invalid; `errors` names it.",
    401: "Not authenticated: send `Authorization: Token KEY` or log in.",
    403: "Authenticated, but without the permission this needs.",
    404: "No such tenant.",
    409: "The request conflicts with the tenant's current data.",
    503: "The cluster could not be reached; nothing was changed or recorded.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """OpenAPI responses for these error status codes, all with the one error body."""
    return {code: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[code]) for code in codes}
