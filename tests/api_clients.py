"""API clients for tests: authenticated the way real clients are, with a DRF token."""

from __future__ import annotations

from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def token_client(user: User | None) -> APIClient:
    """A client sending ``Authorization: Token KEY`` for ``user`` (anonymous when None)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
