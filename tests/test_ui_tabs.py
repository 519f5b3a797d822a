"""A tab's URL gives the whole page with that tab open; with HX-Request only the tab's partial."""

import pytest

pytestmark = pytest.mark.django_db

TABS = [("", "Overview"), ("uptime/", "Uptime Metrics"), ("history/", "History"), ("schedules/", "Schedules")]


@pytest.fixture
def tenant(make_tenant):
    return make_tenant("acme")


@pytest.mark.parametrize(("path", "label"), TABS)
def test_a_direct_url_renders_the_full_page_with_that_tab_open(client, viewer, tenant, path, label):
    client.force_login(viewer)
    response = client.get(f"/tenants/{tenant.pk}/{path}")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith("<!doctype html>")
    assert 'id="tenant-header"' in html
    assert f'aria-current="page">{label}</a>' in html
    assert f'<h2 id="tab-title">{label}</h2>' in html
    assert response["Vary"].lower().count("hx-request") == 1


@pytest.mark.parametrize(("path", "label"), TABS)
def test_with_hx_request_it_returns_only_the_tab_partial(client, viewer, tenant, path, label):
    client.force_login(viewer)
    response = client.get(f"/tenants/{tenant.pk}/{path}", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="tenant-header"' not in html
    assert html.lstrip().startswith('<section id="tab-panel"')
    assert f'<h2 id="tab-title">{label}</h2>' in html
    # The nav and the header's state come along out of band, so the open tab is marked.
    assert 'id="tab-nav" class="tabs" aria-label="Tenant sections" hx-swap-oob="true"' in html
    assert f'aria-current="page">{label}</a>' in html


def test_a_history_restore_request_gets_the_full_page(client, viewer, tenant):
    client.force_login(viewer)
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = client.get(f"/tenants/{tenant.pk}/uptime/", headers=headers)
    assert response.content.decode().startswith("<!doctype html>")


@pytest.mark.parametrize("path", ["", "uptime/", "history/", "schedules/"])
def test_it_returns_404_for_an_unknown_tenant(client, viewer, path):
    client.force_login(viewer)
    assert client.get(f"/tenants/999999/{path}").status_code == 404


def test_the_uptime_tab_of_a_deleted_tenant_stops_polling_with_286(client, viewer):
    client.force_login(viewer)
    response = client.get("/tenants/999999/uptime/", headers={"HX-Request": "true"})
    assert response.status_code == 286
    assert b"no longer exists" in response.content


def test_the_schedules_tab_says_there_are_no_schedules_yet(client, viewer, tenant):
    client.force_login(viewer)
    response = client.get(f"/tenants/{tenant.pk}/schedules/", headers={"HX-Request": "true"})
    assert b"No schedules yet." in response.content


def test_htmx_is_served_from_our_own_static_files(client, viewer, tenant):
    client.force_login(viewer)
    html = client.get(f"/tenants/{tenant.pk}/").content.decode()
    assert '<script src="/static/django_htmx/htmx-2.min.js"' in html or "/static/django_htmx/htmx-2" in html
    assert "https://" not in html.split("<body")[0]
