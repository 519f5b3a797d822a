"""``manage.py import_history``: the old system's rows, appended through the one history writer."""

import csv
from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from tenants.models import Tenant, TenantStateHistory
from tests.api_clients import token_client
from tests.chain import assert_unbroken_chain
from tests.histories import tenant_with_changes

pytestmark = pytest.mark.django_db

COLUMNS = [
    "id",
    "tenant_id",
    "previous_state",
    "new_state",
    "previous_replicas",
    "new_replicas",
    "changed_at",
    "changed_by",
    "reason",
]


def write_csv(tmp_path, rows, columns=COLUMNS, name="history.csv"):
    path = tmp_path / name
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def run_import(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_history", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_refused_import(path, *args):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_history", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), str(refused.value)


def bare_tenant(name: str, created_at: datetime) -> Tenant:
    """A tenant row loaded from the old system's ``tenants`` table: no history here yet."""
    return Tenant.objects.create(name=name, namespace="tenants", deployment_name=name, created_at=created_at)


def records(tenant):
    return list(
        TenantStateHistory.objects.filter(tenant=tenant)
        .order_by("changed_at", "id")
        .values(
            "previous_state", "new_state", "previous_replicas", "new_replicas", "changed_at", "changed_by", "source"
        )
    )


def test_the_seed_tenant_imports_as_its_chain_and_gives_the_specs_january(tmp_path, viewer):
    tenant = bare_tenant("seed", datetime(2025, 6, 1, tzinfo=UTC))
    path = write_csv(
        tmp_path,
        [[1, tenant.pk, "STOPPED", "RUNNING", 0, 1, "2026-01-14 15:48:10+00", "copilot", "Test data"]],
    )

    out, _ = run_import(path)

    assert "seed: 1 imported, 0 already there" in out
    (record,) = records(tenant)
    assert record["previous_state"] == "stopped"  # kept: the state before tracking began (SPEC section 2)
    assert record["source"] == "import"
    tenant.refresh_from_db()
    assert (tenant.state, tenant.replicas) == ("running", 1)
    assert tenant.state_since == datetime(2026, 1, 14, 15, 48, 10, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 2, 10, tzinfo=UTC), tick=False):
        body = token_client(viewer).get(f"/api/tenants/{tenant.pk}/metrics/monthly", {"year": 2026, "month": 1}).json()
    assert (body["downtime_seconds"], body["uptime_seconds"]) == (1_180_090, 1_498_310)


def _old_history(tenant_pk):
    return [
        [10, tenant_pk, "", "stopped", "", 0, "2026-01-01T00:00:00+00:00", "admin", "created"],
        [11, tenant_pk, "stopped", "scaling", 0, 2, "2026-01-02T08:00:00+00:00", "alice", "start"],
        [12, tenant_pk, "scaling", "running", 2, 2, "2026-01-02T08:01:00+00:00", "system", ""],
        [13, tenant_pk, "running", "running", 2, 3, "2026-01-03T08:00:00+00:00", "bob", "more traffic"],
        [14, tenant_pk, "running", "stopped", 3, 0, "2026-01-04T20:00:00+02:00", "bob", "night"],
    ]


def test_importing_the_same_file_twice_gives_the_same_data(tmp_path):
    tenant = bare_tenant("shop", datetime(2025, 12, 1, tzinfo=UTC))
    path = write_csv(tmp_path, _old_history(tenant.pk))

    run_import(path)
    first = records(tenant)
    out, _ = run_import(path)

    assert records(tenant) == first
    assert len(first) == 5
    assert "shop: 0 imported, 5 already there" in out
    assert_unbroken_chain(tenant)
    tenant.refresh_from_db()
    assert (tenant.state, tenant.replicas, tenant.state_since) == (
        "stopped",
        0,
        datetime(2026, 1, 4, 18, tzinfo=UTC),
    )


def test_a_file_that_grew_since_the_last_import_adds_only_its_new_rows(tmp_path):
    tenant = bare_tenant("shop", datetime(2025, 12, 1, tzinfo=UTC))
    rows = _old_history(tenant.pk)
    run_import(write_csv(tmp_path, rows[:3], name="first.csv"))

    out, _ = run_import(write_csv(tmp_path, rows, name="all.csv"))

    assert "shop: 2 imported, 3 already there" in out
    assert len(assert_unbroken_chain(tenant)) == 5


def test_rows_after_a_registered_tenants_first_record_continue_its_chain(tmp_path):
    tenant = tenant_with_changes("web", datetime(2026, 1, 1, tzinfo=UTC), [])  # registered stopped, 0
    path = write_csv(
        tmp_path,
        [
            [20, tenant.pk, "stopped", "scaling", 0, 1, "2026-01-05T08:00:00+00:00", "alice", ""],
            [21, tenant.pk, "scaling", "running", "", 1, "2026-01-05T08:00:30+00:00", "system", ""],
        ],
    )

    run_import(path)

    chain = assert_unbroken_chain(tenant)
    assert [r.source for r in chain] == ["api", "import", "import"]
    assert chain[2].previous_replicas == 1  # an empty previous_replicas is what the chain says it was


def test_rows_older_than_a_tenants_history_are_refused_and_other_tenants_still_import(tmp_path):
    registered = tenant_with_changes("registered", datetime(2026, 2, 1, tzinfo=UTC), [])
    fresh = bare_tenant("fresh", datetime(2025, 12, 1, tzinfo=UTC))
    path = write_csv(
        tmp_path,
        [
            [30, registered.pk, "", "running", "", 1, "2026-01-10T00:00:00+00:00", "admin", ""],
            [31, registered.pk, "running", "stopped", 1, 0, "2026-01-20T00:00:00+00:00", "admin", ""],
            *_old_history(fresh.pk),
        ],
    )

    out, err, message = run_refused_import(path)

    assert "2 row(s) refused" in message
    assert "line 2 (id 30, tenant" in err
    assert "is before the tenant's latest record (2026-02-01T00:00:00+00:00); history is append-only" in err
    assert "line 3 (id 31," in err
    assert len(records(registered)) == 1  # nothing written for the refused tenant
    assert len(assert_unbroken_chain(fresh)) == 5
    assert "fresh: 5 imported" in out


def test_a_row_that_breaks_the_chain_is_named_and_none_of_its_tenants_rows_are_written(tmp_path):
    tenant = bare_tenant("shop", datetime(2025, 12, 1, tzinfo=UTC))
    rows = _old_history(tenant.pk)
    rows[3][2] = "stopped"  # id 13 claims to follow "stopped", but id 12 left it running

    _, err, _ = run_refused_import(write_csv(tmp_path, rows))

    assert "line 5 (id 13, tenant" in err
    assert "previous_state 'stopped' does not follow 'running', the state before it" in err
    assert records(tenant) == []


def test_rows_that_cannot_be_read_or_name_no_tenant_are_reported_with_their_line(tmp_path):
    tenant = bare_tenant("shop", datetime(2025, 12, 1, tzinfo=UTC))
    path = write_csv(
        tmp_path,
        [
            [1, tenant.pk, "", "paused", "", 0, "2026-01-01T00:00:00+00:00", "a", ""],
            [2, tenant.pk, "", "running", "", 1, "2026-01-01T00:00:00", "a", ""],
            [3, tenant.pk, "", "running", "", -1, "2026-01-01T00:00:00+00:00", "a", ""],
            [4, 999_999, "", "running", "", 1, "2026-01-01T00:00:00+00:00", "a", ""],
        ],
    )

    _, err, _ = run_refused_import(path)

    assert "line 2: new_state 'paused' is not one of running, stopped, scaling, unknown" in err
    assert "line 3: changed_at '2026-01-01T00:00:00' has no UTC offset" in err
    assert "line 4: new_replicas -1 is negative" in err
    assert "line 5 (id 4, tenant 999999, 2026-01-01T00:00:00+00:00): no tenant with id '999999'" in err
    assert records(tenant) == []


def test_tenants_can_be_matched_by_name(tmp_path):
    tenant = bare_tenant("shop", datetime(2025, 12, 1, tzinfo=UTC))
    rows = [[*row[:1], 6, "shop", *row[2:]] for row in _old_history(tenant.pk)]
    path = write_csv(tmp_path, rows, columns=["id", "tenant_id", "tenant_name", *COLUMNS[2:]])

    out, _ = run_import(path, "--match", "name")

    assert "shop: 5 imported" in out
    assert len(assert_unbroken_chain(tenant)) == 5


def test_a_dry_run_reports_and_writes_nothing(tmp_path):
    tenant = bare_tenant("shop", datetime(2025, 12, 1, tzinfo=UTC))

    out, _ = run_import(write_csv(tmp_path, _old_history(tenant.pk)), "--dry-run")

    assert "5 rows would be imported" in out
    assert records(tenant) == []


def test_a_file_without_the_old_tables_columns_is_refused_naming_them(tmp_path):
    path = write_csv(tmp_path, [[1, 2]], columns=["id", "tenant_id"])

    _, _, message = run_refused_import(path)

    assert "missing column(s) previous_state, new_state, previous_replicas" in message
