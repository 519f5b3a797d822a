"""API throttling per user (anonymous: per address), counted in the shared cache (Redis when set).

Rates come from ``settings.API_THROTTLE_RATES`` at each request, not from DRF's class attribute
frozen at import, so they can be configured (``API_THROTTLE_USER_RATE``) and changed in tests.
``None`` turns a scope off. A throttled request is a 429 with ``Retry-After`` in the one error shape.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import throttling


class _SettingsRate:
    scope: str

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATES.get(self.scope)


class UserRateThrottle(_SettingsRate, throttling.UserRateThrottle):
    """Signed-in users by user id; anonymous requests fall back to their address."""


class AnonRateThrottle(_SettingsRate, throttling.AnonRateThrottle):
    """Anonymous requests by address (they are refused with 401 anyway; this bounds the cost)."""
