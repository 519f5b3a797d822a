"""Every page of the web UI needs a login; a login without the view permission is refused."""

import pytest

pytestmark = pytest.mark.django_db

PAGES = ["/", "/tenants/{pk}/", "/tenants/{pk}/uptime/", "/tenants/{pk}/history/", "/tenants/{pk}/schedules/"]


@pytest.mark.parametrize("page", PAGES)
def test_it_redirects_anonymous_users_to_the_login_page(client, make_tenant, page):
    url = page.format(pk=make_tenant().pk)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize("page", PAGES)
def test_it_returns_403_for_users_without_the_view_permission(client, make_tenant, stranger, page):
    client.force_login(stranger)
    assert client.get(page.format(pk=make_tenant().pk)).status_code == 403


def test_a_user_logs_in_and_lands_on_the_tenant_list(client, viewer, make_tenant):
    make_tenant("acme")
    response = client.post("/login/", {"username": "viewer", "password": "pw-viewer"}, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert b"acme" in response.content


def test_a_wrong_password_shows_the_form_again_with_an_error(client, viewer):
    response = client.post("/login/", {"username": "viewer", "password": "wrong"})
    assert response.status_code == 200
    assert b"didn't match" in response.content


def test_logging_out_ends_the_session(client, viewer):
    client.force_login(viewer)
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302
