"""The Uptime tab shows planned/unplanned downtime, availability and replica-hours; History offers CSV."""

from datetime import UTC, datetime

import pytest
import time_machine

from tests.histories import tenant_with_changes

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def at(day: int, hour: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def shop():
    return tenant_with_changes(
        "shop",
        at(20, month=2),
        [
            (at(25, month=2), "running", 2, "api"),
            (at(10, 20), "stopped", 0, "schedule"),  # planned until a person starts it at 22:00
            (at(10, 22), "running", 2, "ui"),
            (at(20, 12), "stopped", 0, "api"),  # a person stops it for a day
            (at(21, 12), "running", 2, "api"),
        ],
        desired_replicas=2,
    )


def test_the_uptime_tab_shows_planned_and_unplanned_downtime_availability_and_replica_hours(client, viewer, shop):
    client.force_login(viewer)

    with time_machine.travel(at(2, month=4), tick=False):
        html = client.get(f"/tenants/{shop.pk}/uptime/?year=2026&month=3&tz=UTC", headers=HTMX).content.decode()

    assert '<dd data-figure="planned-downtime">2h 0m</dd>' in html
    assert '<dd data-figure="unplanned-downtime">1d 0h</dd>' in html
    assert '<dd data-figure="availability">96.77%</dd>' in html  # (31 d - 26 h) / (31 d - 2 h)
    assert '<dd data-figure="replica-hours">1436.00 / 1488.00</dd>' in html
    assert "52.00 replica-hours" in html
    assert 'data-figure="adherence"' not in html  # no schedules
    assert "ran above" not in html


def test_a_tenant_that_ran_above_its_desired_replicas_shows_a_negative_saving_with_why(client, viewer):
    busy = tenant_with_changes(
        "busy",
        at(20, month=2),
        [(at(25, month=2), "running", 3, "api"), (at(31, 0), "running", 2, "api")],  # 3 replicas, then 2
        desired_replicas=2,
    )
    client.force_login(viewer)

    with time_machine.travel(at(2, month=4), tick=False):
        html = client.get(f"/tenants/{busy.pk}/uptime/?year=2026&month=3&tz=UTC", headers=HTMX).content.decode()

    assert '<dd data-figure="replica-hours">2208.00 / 1488.00</dd>' in html  # 30 d x 3 + 1 d x 2, vs 31 d x 2
    assert "-720.00 replica-hours" in html
    assert "below zero: it ran above 2 replicas" in html


def test_the_history_tab_links_the_csv_download(client, viewer, shop):
    client.force_login(viewer)

    html = client.get(f"/tenants/{shop.pk}/history/", headers=HTMX).content.decode()
    response = client.get(f"/api/tenants/{shop.pk}/metrics/history?format=csv")

    assert f'href="/api/tenants/{shop.pk}/metrics/history?format=csv" download' in html
    assert response.status_code == 200  # the browser's session is enough
    assert b"".join(response.streaming_content).decode().count("\n") == 1 + 6
