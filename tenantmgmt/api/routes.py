"""URL helpers: each API path answers with and without its trailing slash."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import URLPattern, path


def with_and_without_slash(route: str, view: type, name: str) -> list[URLPattern]:
    """``route`` (the documented form) plus its twin with the trailing slash toggled.

    The twin is hidden from the OpenAPI schema so each endpoint is documented once. It is not a
    redirect: a redirected POST would lose its body.
    """
    twin_route = route[:-1] if route.endswith("/") else route + "/"
    hidden: type = type(f"{view.__name__}SlashTwin", (view,), {"schema": None})
    as_view: Callable = hidden.as_view
    return [path(route, view.as_view(), name=name), path(twin_route, as_view())]
