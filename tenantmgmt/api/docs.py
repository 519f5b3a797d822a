"""Swagger UI at ``/api/docs/`` under the Content-Security-Policy.

The split view loads its start-up script from a URL of its own (no inline script). Swagger UI
still styles itself inline (a ``<style>`` block and style attributes set by React), so this one
page, and only it, allows inline styles; scripts stay limited to our own origin.
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView


@method_decorator(csp_update({"style-src": ["'unsafe-inline'"]}), name="dispatch")
class SwaggerUIView(SpectacularSwaggerSplitView):
    """Swagger UI from our own static files (drf-spectacular-sidecar)."""
