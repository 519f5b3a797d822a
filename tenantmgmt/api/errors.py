"""One error shape for every 4xx and 503 of the API.

    {"detail": "month: Must be an integer from 1 to 12.", "code": "invalid",
     "errors": {"month": ["Must be an integer from 1 to 12."]}}

``detail`` is a sentence for people, ``code`` a stable word for programs, ``errors`` maps each bad
parameter or field to its messages (empty when the error is not about a parameter).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from tenants.cluster import ClusterError
from tenants.services import TenantArchivedError


class ClusterUnavailableError(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "cluster_error"
    default_detail = "The cluster could not be reached. Nothing was changed."


class TenantArchivedConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "archived"
    default_detail = "The tenant is archived: it can be read but no longer changed."


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with Django's errors and cluster failures mapped, and one body shape."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, TenantArchivedError):
        exc = TenantArchivedConflict(str(exc))
    elif isinstance(exc, ClusterError):
        exc = ClusterUnavailableError(f"Cluster error: {exc}. Nothing was changed.")
    response = exception_handler(exc, context)
    if response is None:
        return None
    response.data = error_body(exc, response.data)
    return response


def error_body(exc: Exception, data: Any) -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(data)
        detail = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
        return {"detail": detail or "Invalid request.", "code": "invalid", "errors": errors}
    detail = data.get("detail", data) if isinstance(data, dict) else data
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    if isinstance(code, dict):
        code = code.get("detail", "error")
    return {"detail": str(detail), "code": str(code), "errors": {}}


def _field_errors(data: Any) -> dict[str, list[str]]:
    if isinstance(data, dict):
        errors: dict[str, list[str]] = {}
        for field, messages in data.items():
            name = "body" if field == "non_field_errors" else str(field)
            if isinstance(messages, dict):  # nested serializer: flatten as parent.child
                for child, child_messages in _field_errors(messages).items():
                    errors[f"{name}.{child}"] = child_messages
            else:
                items = messages if isinstance(messages, list) else [messages]
                errors[name] = [str(message) for message in items]
        return errors
    items = data if isinstance(data, list) else [data]
    return {"body": [str(item) for item in items]}


def _api_error(request: HttpRequest, status_code: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code, "errors": {}}, status=status_code)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: under ``/api/`` the one error shape (a path such as ``/api/tenants/abc/`` matches no
    route, so no API view runs to shape it); elsewhere Django's HTML page."""
    if request.path.startswith("/api/"):
        return _api_error(request, 404, f"No API endpoint at {request.path}.", "not_found")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the one error shape under ``/api/``, Django's HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return _api_error(request, 500, "Server error. It has been logged.", "server_error")
    return defaults.server_error(request)
