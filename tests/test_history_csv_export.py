"""``GET /api/tenants/{id}/metrics/history?format=csv``: the whole history, streamed."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.selectors import iter_history_for_export
from tenants.models import TenantStateHistory
from tenants.services import tenant_append_history
from tests.api_clients import token_client
from tests.histories import tenant_with_changes

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def read_csv(response) -> list[dict]:
    assert response.streaming
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def shop(db):
    return tenant_with_changes(
        "shop",
        T0,
        [
            (T0 + timedelta(hours=1), "scaling", 2, "ui"),
            (T0 + timedelta(hours=1, minutes=1), "running", 2, "reconciler"),
            (T0 + timedelta(hours=9), "stopped", 0, "schedule"),
        ],
        desired_replicas=2,
    )


def test_it_streams_every_record_oldest_first_with_the_old_tables_columns_and_source(viewer, shop):
    response = token_client(viewer).get(f"/api/tenants/{shop.pk}/metrics/history", {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="tenant-{shop.pk}-history.csv"'
    rows = read_csv(response)
    assert list(rows[0]) == [
        "id",
        "tenant_id",
        "previous_state",
        "new_state",
        "previous_replicas",
        "new_replicas",
        "changed_at",
        "changed_by",
        "reason",
        "source",
    ]
    assert [(row["previous_state"], row["new_state"], row["source"]) for row in rows] == [
        ("", "stopped", "api"),
        ("stopped", "scaling", "ui"),
        ("scaling", "running", "reconciler"),
        ("running", "stopped", "schedule"),
    ]
    assert rows[0]["previous_replicas"] == ""
    assert rows[3]["changed_at"] == "2026-01-01T09:00:00+00:00"
    assert rows[3]["changed_by"] == "scheduler"


def test_accept_text_csv_asks_for_it_too(viewer, shop):
    response = token_client(viewer).get(f"/api/tenants/{shop.pk}/metrics/history", HTTP_ACCEPT="text/csv")

    assert len(read_csv(response)) == 4


def test_the_json_page_is_unchanged_without_the_format(viewer, shop):
    body = token_client(viewer).get(f"/api/tenants/{shop.pk}/metrics/history", {"limit": 2}).json()

    assert [record["new_state"] for record in body["results"]] == ["stopped", "running"]
    assert body["next"] is not None


def test_errors_keep_the_json_error_shape(viewer, stranger, shop):
    unknown = token_client(viewer).get("/api/tenants/999999/metrics/history", {"format": "csv"})
    anonymous = token_client(None).get(f"/api/tenants/{shop.pk}/metrics/history", {"format": "csv"})
    forbidden = token_client(stranger).get(f"/api/tenants/{shop.pk}/metrics/history", {"format": "csv"})

    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "permission_denied")


def test_the_keyset_iteration_returns_each_record_once_across_batches_with_ties(shop):
    # Three records at one instant, across a batch boundary: the id breaks the tie.
    same_instant = T0 + timedelta(days=1)
    for state, replicas in (("scaling", 1), ("running", 1), ("running", 3)):
        shop = tenant_append_history(
            tenant=shop, new_state=state, new_replicas=replicas, changed_at=same_instant, actor="a", source="api"
        ).tenant
    expected = list(
        TenantStateHistory.objects.filter(tenant=shop).order_by("changed_at", "id").values_list("id", flat=True)
    )

    with CaptureQueriesContext(connection) as queries:
        exported = [row["id"] for row in iter_history_for_export(shop, batch_size=2)]

    assert exported == expected
    assert len(exported) == 7
    assert len(queries) == 4  # batches of 2, 2, 2, 1


def test_an_export_read_back_by_import_history_changes_nothing(viewer, shop, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(
        b"".join(
            token_client(viewer).get(f"/api/tenants/{shop.pk}/metrics/history", {"format": "csv"}).streaming_content
        )
    )
    before = list(TenantStateHistory.objects.filter(tenant=shop).values())
    out = io.StringIO()

    call_command("import_history", str(path), stdout=out)

    assert "shop: 0 imported, 4 already there" in out.getvalue()
    assert list(TenantStateHistory.objects.filter(tenant=shop).values()) == before
