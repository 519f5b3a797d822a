"""Content negotiation where an unknown ``?format=`` is a 400 naming ``format``, not DRF's bare 404.

Found by the schema fuzzing (issue 9): ``/api/metrics/monthly?format=AAA`` answered 404, which reads
as "no such report" and which the schema does not declare.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer


class StrictFormatNegotiation(DefaultContentNegotiation):
    def filter_renderers(self, renderers: list[BaseRenderer], format: str) -> list[BaseRenderer]:
        matching = [renderer for renderer in renderers if renderer.format == format]
        if not matching:
            known = ", ".join(sorted({renderer.format for renderer in renderers}))
            raise exceptions.ValidationError({"format": [f"Unknown format {format!r}; use one of: {known}."]})
        return matching
