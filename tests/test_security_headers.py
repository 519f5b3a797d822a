"""Security headers and a Content-Security-Policy without inline scripts or styles on every page."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/login/", "/tenants/{id}/", "/tenants/{id}/uptime/", "/api/tenants/"])
def test_pages_and_the_api_send_the_strict_policy_and_headers(client, viewer, make_tenant, path):
    tenant = make_tenant()
    client.force_login(viewer)
    response = client.get(path.format(id=tenant.pk))
    csp = _directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_only_the_swagger_page_allows_inline_styles_and_it_has_no_inline_script(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    csp = _directives(response)
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["script-src"] == ["'self'"]
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> on /api/docs/"
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_no_template_of_ours_has_an_inline_script_style_or_event_handler():
    offending = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\sstyle=", r"<style", r"\son[a-z]+=", r"javascript:"):
            if re.search(pattern, text, re.IGNORECASE):
                offending.append(f"{template.relative_to(TEMPLATES)}: {pattern}")
    assert not offending


def test_htmx_is_configured_not_to_inject_its_indicator_styles(client, viewer):
    client.force_login(viewer)
    html = client.get("/").content.decode()
    assert '"includeIndicatorStyles": false' in html
    assert re.search(r'<script src="[^"]*/js/geometry\.js" defer>', html)


def test_bars_carry_their_width_as_data_for_the_static_script(client, viewer, make_tenant):
    tenant = make_tenant()
    client.force_login(viewer)
    html = client.get(f"/tenants/{tenant.pk}/uptime/").content.decode()
    assert 'class="share__fill" data-width="' in html
    assert "style=" not in html


def test_session_and_csrf_cookies_are_http_only_or_same_site_and_secure_in_production():
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == settings.CSRF_COOKIE_SAMESITE == "Lax"
    # The secure flags follow DEBUG (tenantmgmt/settings.py), checked through a fresh process.
    import subprocess
    import sys

    code = "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    env = {"DJANGO_SETTINGS_MODULE": "tenantmgmt.settings", "SECRET_KEY": "x" * 50, "DEBUG": "0", "PATH": "/usr/bin"}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.split() == ["True", "True"]
