"""CSV downloads: ``?format=csv`` (DRF's format override) on the history and fleet report endpoints.

A tenant's history is streamed (``StreamingHttpResponse`` fed by a keyset iteration), so a history
of any length is sent with flat memory. Its columns are the old system's ``tenant_state_history``
columns plus ``source``: an export can be read back by ``manage.py import_history``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request

from tenantmgmt.api.fields import UtcDateTimeField

CSV_MEDIA_TYPE = "text/csv"


class CsvRenderer(BaseRenderer):
    """Lets DRF accept ``?format=csv`` and ``Accept: text/csv``; views answer with ``csv_response``.

    Errors are not rendered as CSV: views using it switch them back to JSON (``json_errors``), so
    every 4xx keeps the API's one error shape.
    """

    media_type = CSV_MEDIA_TYPE
    format = "csv"
    charset = "utf-8"

    def render(self, data: object, accepted_media_type: str | None = None, renderer_context: dict | None = None):
        raise NotImplementedError("CSV bodies are streamed by csv_response, not rendered from data.")


def wants_csv(request: Request) -> bool:
    return getattr(request, "accepted_renderer", None) is not None and request.accepted_renderer.format == "csv"


def json_errors(request: Request) -> None:
    """Render this request's error response as JSON whatever format was asked for."""
    request.accepted_renderer = JSONRenderer()
    request.accepted_media_type = JSONRenderer.media_type


class _Echo:
    """A file-like object whose ``write`` hands back what it is given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return UtcDateTimeField().to_representation(value)
    return value


def csv_rows(columns: Sequence[str], rows: Iterable[dict]) -> Iterator[str]:
    """The header line, then one line per row (``None`` as an empty cell, timestamps in UTC ISO 8601)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([_cell(row[column]) for column in columns])


def csv_response(columns: Sequence[str], rows: Iterable[dict], *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_rows(columns, rows), content_type=f"{CSV_MEDIA_TYPE}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
