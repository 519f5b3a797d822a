"""Fill the benchmark database: tenants with bulk_create, their history with PostgreSQL COPY.

    DATABASE_URL=postgres://.../tenantmgmt_bench python -m bench.seed --tenants 1000 --records 1000

Prints one JSON line for ``bench.run``: the API token, the tenant ids and the history's end. A
database already seeded with the same shape is left as it is (its table comment records the
shape), so a second ``make bench`` skips the minute of seeding; ``--force`` seeds again.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime

import django

BENCH_USERNAME = "bench"
HISTORY_COLUMNS = (
    "tenant_id",
    "previous_state",
    "new_state",
    "previous_replicas",
    "new_replicas",
    "changed_at",
    "changed_by",
    "reason",
    "source",
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--records", type=int, default=1000, help="history records per tenant")
    parser.add_argument("--days", type=int, default=730, help="the history's span, ending now")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--force", action="store_true", help="seed again even if the shape matches")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenantmgmt.settings")
    django.setup()
    shape = f"bench:tenants={args.tenants}:records={args.records}:days={args.days}:seed={args.seed}"
    began = time.monotonic()
    seeded = False
    if args.force or _current_shape() != shape:
        _seed(args, shape)
        seeded = True
    token = _bench_token()
    from tenants.models import Tenant, TenantStateHistory

    history_end = TenantStateHistory.objects.order_by("-changed_at").values_list("changed_at", flat=True).first()
    print(
        json.dumps(
            {
                "shape": shape,
                "seeded": seeded,
                "seconds": round(time.monotonic() - began, 1),
                "token": token,
                "tenant_ids": list(Tenant.objects.order_by("id").values_list("id", flat=True)),
                "history_rows": TenantStateHistory.objects.count(),
                "history_end": history_end.isoformat(),
            }
        )
    )


def _current_shape() -> str | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description('tenant_state_history'::regclass, 'pg_class')")
        return cursor.fetchone()[0]


def _seed(args: argparse.Namespace, shape: str) -> None:
    from django.db import connection, transaction

    from bench.histories import fleet_histories
    from tenants.models import Tenant

    print(f"seeding {args.tenants} tenants x {args.records} records ...", file=sys.stderr, flush=True)
    end = datetime.now(UTC)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Everything the application may keep about tenants goes: this database is the benchmark's own.
            cursor.execute("TRUNCATE tenants, tenant_state_history RESTART IDENTITY CASCADE")
        tenants = Tenant.objects.bulk_create(
            Tenant(
                name=f"bench-{number:04d}",
                namespace="bench",
                deployment_name=f"app-{number:04d}",
                desired_replicas=2,
            )
            for number in range(1, args.tenants + 1)
        )
        rows = fleet_histories(
            tenant_ids=[tenant.id for tenant in tenants],
            end=end,
            days=args.days,
            records_per_tenant=args.records,
            seed=args.seed,
        )
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY tenant_state_history ({', '.join(HISTORY_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(tuple(getattr(row, column) for column in HISTORY_COLUMNS))
            # The tenant row mirrors its latest record, as tenants.services keeps it.
            cursor.execute(
                """
                UPDATE tenants t SET state = last.new_state, replicas = last.new_replicas,
                       state_since = since.changed_at, created_at = first.changed_at
                FROM (SELECT DISTINCT ON (tenant_id) tenant_id, new_state, new_replicas FROM tenant_state_history
                      ORDER BY tenant_id, changed_at DESC, id DESC) last,
                     (SELECT tenant_id, max(changed_at) AS changed_at FROM tenant_state_history
                      WHERE previous_state IS DISTINCT FROM new_state GROUP BY tenant_id) since,
                     (SELECT tenant_id, min(changed_at) AS changed_at FROM tenant_state_history
                      GROUP BY tenant_id) first
                WHERE last.tenant_id = t.id AND since.tenant_id = t.id AND first.tenant_id = t.id
                """
            )
            cursor.execute(f"COMMENT ON TABLE tenant_state_history IS '{shape}'")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tenants")
        cursor.execute("VACUUM ANALYZE tenant_state_history")


def _bench_token() -> str:
    """A user allowed to view tenants, and its API token (what an API client would hold)."""
    from django.contrib.auth.models import Permission, User
    from rest_framework.authtoken.models import Token

    user, _ = User.objects.get_or_create(username=BENCH_USERNAME)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="tenants", codename="view_tenant"))
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


if __name__ == "__main__":
    main()
