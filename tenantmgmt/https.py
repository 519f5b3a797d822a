"""Redirect plain-http requests to https, except for loopback hosts and probe paths.

Django's own ``SECURE_SSL_REDIRECT`` redirects every request, including one made on the machine
itself (``curl http://127.0.0.1:8000/``, a test harness, a sidecar). Loopback origins are
"potentially trustworthy" in the Secure Contexts sense: the traffic never leaves the host. So
this middleware takes over that one job, and a deploy check of our own warns when it is off,
in place of Django's ``security.W008`` (silenced in settings for that reason).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.http.request import split_domain_port

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


def is_loopback_host(host: str) -> bool:
    domain, _port = split_domain_port(host)
    return domain in LOOPBACK_HOSTS or domain.endswith(".localhost") or domain.startswith("127.")


class HttpsRedirectMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.exempt = [re.compile(pattern) for pattern in settings.SECURE_REDIRECT_EXEMPT]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.HTTPS_REDIRECT and not request.is_secure() and not self._exempt(request):
            return HttpResponsePermanentRedirect(f"https://{request.get_host()}{request.get_full_path()}")
        return self.get_response(request)

    def _exempt(self, request: HttpRequest) -> bool:
        path = request.path.lstrip("/")
        return is_loopback_host(request.get_host()) or any(pattern.search(path) for pattern in self.exempt)


@register(Tags.security, deploy=True)
def check_https_redirect(app_configs: object, **kwargs: object) -> list[Warning]:
    if settings.HTTPS_REDIRECT:
        return []
    return [
        Warning(
            "SECURE_SSL_REDIRECT is off: plain-http requests to public host names are served, not redirected to https.",
            hint="Unset SECURE_SSL_REDIRECT (on by default with DEBUG off) unless TLS is handled elsewhere.",
            id="tenantmgmt.W008",
        )
    ]
