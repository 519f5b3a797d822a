"""The History tab: newest records first with actor, reason and source, paged by the API's keyset cursor."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from metrics.selectors import tenant_history_page
from tenants.services import tenant_append_history
from tenants.views import HISTORY_PAGE_SIZE

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def busy_tenant(make_tenant):
    tenant = make_tenant("busy", registered_at=datetime(2026, 1, 1, tzinfo=UTC))
    for number in range(1, 31):
        state = "running" if number % 2 else "stopped"
        tenant = tenant_append_history(
            tenant=tenant,
            new_state=state,
            new_replicas=1 if state == "running" else 0,
            changed_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=number),
            actor=f"user-{number}",
            source="api",
            reason=f"change {number}",
        ).tenant
    return tenant


def _record_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-record-id="(\d+)"', html)]


def test_it_shows_the_newest_records_first_with_actor_reason_and_source(client, viewer, busy_tenant):
    client.force_login(viewer)
    html = client.get(f"/tenants/{busy_tenant.pk}/history/", headers=HTMX).content.decode()
    expected = tenant_history_page(busy_tenant, limit=HISTORY_PAGE_SIZE)
    assert _record_ids(html) == [record.pk for record in expected.records]
    newest = html[html.index("data-record-id") :]
    newest = newest[: newest.index("</tr>")]
    assert "user-30" in newest and "change 30" in newest and "API" in newest
    assert "Running" in newest and "Stopped" in newest


def test_older_records_load_through_the_same_cursor_as_the_api(client, viewer, busy_tenant):
    client.force_login(viewer)
    first = client.get(f"/tenants/{busy_tenant.pk}/history/", headers=HTMX).content.decode()
    cursor = tenant_history_page(busy_tenant, limit=HISTORY_PAGE_SIZE).next_cursor
    assert f'hx-get="/tenants/{busy_tenant.pk}/history/?cursor={cursor}"' in first
    rest = client.get(f"/tenants/{busy_tenant.pk}/history/?cursor={cursor}", headers=HTMX).content.decode()
    assert "<section" not in rest  # only the following rows, appended in place of the button
    expected = tenant_history_page(busy_tenant, limit=HISTORY_PAGE_SIZE, cursor=cursor)
    assert _record_ids(rest) == [record.pk for record in expected.records]
    assert len(_record_ids(first) + _record_ids(rest)) == 31
    assert "Older records" not in rest


def test_a_malformed_cursor_is_a_400_naming_it(client, viewer, busy_tenant):
    client.force_login(viewer)
    response = client.get(f"/tenants/{busy_tenant.pk}/history/?cursor=not-a-cursor", headers=HTMX)
    assert response.status_code == 400
    assert "cursor: Invalid cursor" in response.content.decode()


def test_the_overview_shows_the_latest_five_changes(client, viewer, busy_tenant):
    client.force_login(viewer)
    html = client.get(f"/tenants/{busy_tenant.pk}/").content.decode()
    assert _record_ids(html) == [record.pk for record in tenant_history_page(busy_tenant, limit=5).records]
