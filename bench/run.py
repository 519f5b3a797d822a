"""``make bench``: seed 1M history rows, serve the app with gunicorn, time every metrics endpoint.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tenantmgmt_bench python -m bench.run

Two databases: ``<name>`` (1,000 tenants x 1,000 records) and ``<name>_10k`` (1,000 x 10), created
when missing. For each endpoint: p50/p95 over HTTP after a warm-up, SQL queries per request (the
``X-Query-Count`` header of ``BENCH_COUNT_QUERIES=1``), and two floors measured in the same run:
the tenant-retrieve endpoint, and hand-written SQL giving the same answer (``bench/floors.py``).
The fleet report is timed twice: as served (with ``REDIS_URL`` set, the month that is over comes
from the month cache after the first request: ``metrics/month_cache.py``) and by a third server
with ``METRICS_MONTH_CACHE=0``, computing it on every request.
Writes ``bench/results/latest.json``, ``latest.md`` (the table, also printed) and ``explain.md``
(``bench/explain.py``: the plans of the queries behind monthly, history and the fleet report).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import psycopg
from psycopg import sql

from bench import floors
from bench.client import ROOT, Client, gunicorn
from bench.timing import measure_interleaved

RESULTS = ROOT / "bench" / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tenantmgmt_bench"
HISTORY_LIMIT = 50
DEEP_OFFSET = 950  # the oldest full page of a 1,000-record history: 950 records deep

TARGETS = {
    "monthly_queries_max": 4,
    "current_state_queries_max": 4,
    "monthly_vs_retrieve_max": 1.5,
    "current_state_vs_retrieve_max": 1.5,
    "monthly_1m_vs_10k_max": 1.5,
    "history_deep_vs_first_max": 1.5,
    "fleet_p50_ms_max": 500,
}


@dataclass(frozen=True)
class Dataset:
    database_url: str
    token: str
    tenant_ids: list[int]
    history_rows: int
    history_end: datetime
    seeded_seconds: float
    seeded: bool


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The 1M-row benchmark (docs/performance.md).")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--requests", type=int, default=200, help="timed rounds: one request per endpoint each")
    parser.add_argument("--warmup", type=int, default=10, help="untimed rounds first")
    parser.add_argument("--sample-tenants", type=int, default=50, help="tenants the per-tenant requests cycle over")
    parser.add_argument("--force-seed", action="store_true")
    args = parser.parse_args(argv)

    began = time.monotonic()
    big = prepare(args.database_url, records=1000, force=args.force_seed)
    small = prepare(f"{args.database_url}_10k", records=10, force=args.force_seed)
    rng = random.Random(8)
    tenants = rng.sample(big.tenant_ids, args.sample_tenants)
    year, month = middle_month(big.history_end)
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)

    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        # Other work on the machine inflates every figure: the 1-minute load average, before and after.
        "load_average": {"before": os.getloadavg()[0]},
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "postgres": server_version(big)},
        "dataset": {"tenants": len(big.tenant_ids), "history_rows": big.history_rows, "month": f"{year}-{month:02d}"},
        "requests": args.requests,
        "warmup": args.warmup,
        "endpoints": {},
    }
    log(f"measuring over HTTP, month {year}-{month:02d}: {args.warmup} warm-up rounds, then {args.requests} timed")
    # A third server with the month cache off times the fleet report as computed (metrics/month_cache.py).
    with (
        gunicorn(big.database_url) as big_address,
        gunicorn(small.database_url) as small_address,
        gunicorn(big.database_url, extra_env={"METRICS_MONTH_CACHE": "0"}) as uncached_address,
    ):
        floor = floors.Floor(big.database_url)
        try:
            results["endpoints"] = measure_all(
                Client(big_address, big.token),
                Client(small_address, small.token),
                Client(uncached_address, big.token),
                floor,
                tenants,
                rng.sample(small.tenant_ids, args.sample_tenants),
                year,
                month,
                start,
                end,
                args=args,
            )
        finally:
            floor.close()

    explain(big.database_url)
    results["ratios"] = ratios(results["endpoints"])
    results["targets"] = check_targets(results["endpoints"], results["ratios"])
    results["seconds"] = round(time.monotonic() - began, 1)
    results["load_average"]["after"] = os.getloadavg()[0]
    results["seeding"] = {"1m": big.seeded_seconds if big.seeded else "reused", "10k": small.seeded_seconds}
    write(results)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare(database_url: str, *, records: int, force: bool) -> Dataset:
    """Create the database if needed, migrate it and seed it (``bench.seed``)."""
    create_database(database_url)
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0", "SECRET_KEY": "bench-only-secret-key"}
    env.pop("REDIS_URL", None)
    log(f"migrating {urlsplit(database_url).path[1:]}")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    command = [sys.executable, "-m", "bench.seed", "--tenants", "1000", "--records", str(records)]
    output = subprocess.run(
        command + (["--force"] if force else []), cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    sys.stderr.write(output.stderr)
    info = json.loads(output.stdout.strip().splitlines()[-1])
    how = f"seeded in {info['seconds']} s" if info["seeded"] else "already there"
    log(f"  {info['history_rows']} history rows ({how})")
    return Dataset(
        database_url=database_url,
        token=info["token"],
        tenant_ids=info["tenant_ids"],
        history_rows=info["history_rows"],
        history_end=datetime.fromisoformat(info["history_end"]),
        seeded_seconds=info["seconds"],
        seeded=info["seeded"],
    )


def explain(database_url: str) -> None:
    """The query plans behind monthly, history and the fleet report: ``bench/results/explain.md``."""
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0", "SECRET_KEY": "bench-only-secret-key"}
    env.pop("REDIS_URL", None)
    plans = subprocess.run(
        [sys.executable, "-m", "bench.explain"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    (RESULTS / "explain.md").write_text(plans.stdout)
    log("  query plans: bench/results/explain.md")


def create_database(database_url: str) -> None:
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def server_version(dataset: Dataset) -> str:
    with psycopg.connect(dataset.database_url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]


def middle_month(history_end: datetime) -> tuple[int, int]:
    """The month in the middle of the two-year history."""
    middle = history_end - timedelta(days=365)
    return middle.year, middle.month


def monthly_path(tenant: int, year: int, month: int) -> str:
    return f"/api/tenants/{tenant}/metrics/monthly?year={year}&month={month}"


def history_path(tenant: int, cursor: str | None = None) -> str:
    query = {"limit": HISTORY_LIMIT} | ({"cursor": cursor} if cursor else {})
    return f"/api/tenants/{tenant}/metrics/history?{urlencode(query)}"


def deep_page(client: Client, tenant: int) -> tuple[str, dict[str, Any]]:
    """The path of the page ``DEEP_OFFSET`` records deep (the cursor ``next`` gives after that many),
    and the position of the record it starts after."""
    response = client.get(f"/api/tenants/{tenant}/metrics/history?limit={DEEP_OFFSET}").json()
    cursor = parse_qs(urlsplit(response["next"]).query)["cursor"][0]
    last = response["results"][-1]
    return history_path(tenant, cursor), {"changed_at": datetime.fromisoformat(last["changed_at"]), "id": last["id"]}


def measure_all(
    client: Client,
    small_client: Client,
    uncached_client: Client,
    floor: floors.Floor,
    tenants: list[int],
    small_tenants: list[int],
    year: int,
    month: int,
    start: datetime,
    end: datetime,
    *,
    args: argparse.Namespace,
) -> dict[str, dict]:
    """Every endpoint over HTTP, then every SQL floor, each set interleaved round by round."""
    deep = {tenant: deep_page(client, tenant) for tenant in tenants}
    deep_positions = {tenant: position for tenant, (_, position) in deep.items()}
    verify_floors(client, floor, tenants[:10], year, month, start, end, deep)

    http = {
        "tenant_retrieve": client.probe([f"/api/tenants/{t}/" for t in tenants]),
        "current_state": client.probe([f"/api/tenants/{t}/metrics/current-state" for t in tenants]),
        "monthly": client.probe([monthly_path(t, year, month) for t in tenants]),
        "history_first_page": client.probe([history_path(t) for t in tenants]),
        "history_deep_page": client.probe([deep[t][0] for t in tenants]),
        "comprehensive": client.probe([f"/api/tenants/{t}/metrics?year={year}&month={month}" for t in tenants]),
        "fleet": client.probe([f"/api/metrics/monthly?year={year}&month={month}"]),
        # Computed on every request: the current month, or the first request after history changed.
        "fleet_uncached": uncached_client.probe([f"/api/metrics/monthly?year={year}&month={month}"]),
        # The same month over 10 records per tenant instead of 1,000, served by a second gunicorn.
        "tenant_retrieve_10k": small_client.probe([f"/api/tenants/{t}/" for t in small_tenants]),
        "monthly_10k": small_client.probe([monthly_path(t, year, month) for t in small_tenants]),
    }
    month_params = {"start": start, "end": end}
    sql = {
        "tenant_retrieve": lambda t: [(floors.TENANT, {"tenant": t})],
        "current_state": lambda t: [(floors.CURRENT_STATE, {"tenant": t})],
        "monthly": lambda t: [(floors.MONTHLY, month_params | {"tenant": t})],
        "history_first_page": lambda t: [(floors.HISTORY_FIRST_PAGE, {"tenant": t, "limit": HISTORY_LIMIT + 1})],
        "history_deep_page": lambda t: [
            (floors.HISTORY_AFTER, {"tenant": t, "limit": HISTORY_LIMIT + 1} | deep_positions[t])
        ],
        "comprehensive": lambda t: [
            (floors.TENANT, {"tenant": t}),
            (floors.CURRENT_STATE, {"tenant": t}),
            (floors.MONTHLY, month_params | {"tenant": t}),
            (floors.HISTORY_FIRST_PAGE, {"tenant": t, "limit": HISTORY_LIMIT + 1}),
        ],
        "fleet": lambda t: [(floors.FLEET, month_params)],
    }
    log("  endpoints")
    samples = measure_interleaved(
        {name: (probe, 1) for name, probe in http.items()}, rounds=args.requests, warmup=args.warmup, log=log
    )
    log("  SQL floors")
    # The fleet's floor takes a fifth of a second or more: every fifth round tells its p50 well enough.
    floor_samples = measure_interleaved(
        {name: (floor.probe(make, tenants), 5 if name == "fleet" else 1) for name, make in sql.items()},
        rounds=args.requests,
        warmup=args.warmup,
        log=log,
    )
    results = {name: samples[name].summary() for name in http}
    for name, floor_sample in floor_samples.items():
        results[name]["sql_floor_p50_ms"] = round(floor_sample.p50_ms, 3)
    results["fleet_uncached"]["sql_floor_p50_ms"] = results["fleet"]["sql_floor_p50_ms"]  # the same answer
    return results


def verify_floors(
    client: Client,
    floor: floors.Floor,
    tenants: list[int],
    year: int,
    month: int,
    start: datetime,
    end: datetime,
    deep: dict[int, tuple[str, dict[str, Any]]],
) -> None:
    """The hand-written SQL must give the API's answers, or it is no floor."""
    state_fields = {
        "running": "uptime_seconds",
        "stopped": "downtime_seconds",
        "scaling": "scaling_seconds",
        "unknown": "unknown_seconds",
    }
    fleet = client.get(f"/api/metrics/monthly?year={year}&month={month}").json()
    fleet_rows = {row["tenant_id"]: row for row in fleet["results"]}
    (fleet_sql,) = floor.fetch((floors.FLEET, {"start": start, "end": end}))
    fleet_seconds = floors.seconds_by_state(fleet_sql)
    for tenant_id, row in fleet_rows.items():
        for state, field in state_fields.items():
            expected = int(fleet_seconds.get(tenant_id, {}).get(state, 0))
            assert row[field] == expected, f"fleet: tenant {tenant_id} {field} {row[field]} != SQL {expected}"
    for tenant in tenants:
        monthly = client.get(monthly_path(tenant, year, month)).json()
        (rows,) = floor.fetch((floors.MONTHLY, {"start": start, "end": end, "tenant": tenant}))
        seconds = floors.seconds_by_state(rows).get(tenant, {})
        for state, field in state_fields.items():
            assert monthly[field] == int(seconds.get(state, 0)), f"monthly {tenant} {field}"
            assert fleet_rows[tenant][field] == monthly[field], f"fleet vs monthly {tenant} {field}"
        current = client.get(f"/api/tenants/{tenant}/metrics/current-state").json()
        ((state, replicas, since, changed_by, _),) = floor.fetch((floors.CURRENT_STATE, {"tenant": tenant}))[0]
        assert (current["current_state"], current["replicas"], current["changed_by"]) == (state, replicas, changed_by)
        assert datetime.fromisoformat(current["state_since"]) == since, f"current-state {tenant} state_since"
        for path, statement in (
            (history_path(tenant), (floors.HISTORY_FIRST_PAGE, {"tenant": tenant, "limit": HISTORY_LIMIT})),
            (deep[tenant][0], (floors.HISTORY_AFTER, {"tenant": tenant, "limit": HISTORY_LIMIT} | deep[tenant][1])),
        ):
            api_ids = [record["id"] for record in client.get(path).json()["results"]]
            (rows,) = floor.fetch(statement)
            assert api_ids == [row[0] for row in rows], f"history {path}"


def ratios(endpoints: dict[str, dict]) -> dict[str, float]:
    retrieve = endpoints["tenant_retrieve"]["p50_ms"]
    out: dict[str, float] = {}
    for name, row in endpoints.items():
        if name.endswith("_10k"):
            continue
        row["vs_retrieve"] = round(row["p50_ms"] / retrieve, 2)
        row["vs_sql"] = round(row["p50_ms"] / row["sql_floor_p50_ms"], 1)
    out["monthly_1m_vs_10k"] = round(endpoints["monthly"]["p50_ms"] / endpoints["monthly_10k"]["p50_ms"], 2)
    out["history_deep_vs_first"] = round(
        endpoints["history_deep_page"]["p50_ms"] / endpoints["history_first_page"]["p50_ms"], 2
    )
    out["retrieve_1m_vs_10k"] = round(retrieve / endpoints["tenant_retrieve_10k"]["p50_ms"], 2)
    return out


def check_targets(endpoints: dict[str, dict], ratio: dict[str, float]) -> dict[str, dict]:
    def target(value: float, limit: float) -> dict:
        return {"value": value, "limit": limit, "met": value <= limit}

    return {
        "monthly queries <= 4": target(endpoints["monthly"]["queries"], TARGETS["monthly_queries_max"]),
        "current-state queries <= 4": target(
            endpoints["current_state"]["queries"], TARGETS["current_state_queries_max"]
        ),
        "monthly p50 / retrieve p50 <= 1.5": target(endpoints["monthly"]["vs_retrieve"], 1.5),
        "current-state p50 / retrieve p50 <= 1.5": target(endpoints["current_state"]["vs_retrieve"], 1.5),
        "monthly 1M / 10k <= 1.5": target(ratio["monthly_1m_vs_10k"], TARGETS["monthly_1m_vs_10k_max"]),
        "history deep / first <= 1.5": target(ratio["history_deep_vs_first"], TARGETS["history_deep_vs_first_max"]),
        "fleet p50 <= 500 ms": target(endpoints["fleet"]["p50_ms"], TARGETS["fleet_p50_ms_max"]),
        "fleet p50 <= 500 ms, month cache off": target(
            endpoints["fleet_uncached"]["p50_ms"], TARGETS["fleet_p50_ms_max"]
        ),
        "fleet query count constant": {
            "value": endpoints["fleet"]["queries"],
            "met": endpoints["fleet"]["queries_constant"],
        },
    }


def table(results: dict[str, Any]) -> str:
    rows = [
        "| endpoint | p50 ms | p95 ms | SQL queries | p50 / tenant retrieve | SQL floor p50 ms | p50 / SQL floor |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in results["endpoints"].items():
        if name.endswith("_10k"):
            continue
        rows.append(
            f"| {name.replace('_', ' ')} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['queries']} "
            f"| {row['vs_retrieve']:.2f} | {row['sql_floor_p50_ms']:.2f} | {row['vs_sql']:.1f} |"
        )
    small = results["endpoints"]
    rows += [
        "",
        "| at 10k rows (1,000 tenants x 10) | p50 ms | p95 ms | SQL queries |",
        "|---|---:|---:|---:|",
    ]
    for name in ("tenant_retrieve_10k", "monthly_10k"):
        row = small[name]
        rows.append(
            f"| {name.removesuffix('_10k').replace('_', ' ')} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} "
            f"| {row['queries']} |"
        )
    rows += ["", "| target | measured | met |", "|---|---:|:---:|"]
    for name, target in results["targets"].items():
        rows.append(f"| {name} | {target['value']} | {'yes' if target['met'] else '**no**'} |")
    dataset = results["dataset"]
    rows += [
        "",
        f"{dataset['tenants']} tenants, {dataset['history_rows']:,} history rows, month {dataset['month']}; "
        f"{results['requests']} timed requests per endpoint, interleaved round by round, after {results['warmup']} "
        "warm-up rounds; "
        f"{results['machine']['cpus']} CPUs, PostgreSQL {results['machine']['postgres']}, "
        f"Python {results['machine']['python']}; run took {results['seconds']} s ({results['when']}); "
        f"load average {results['load_average']['before']:.1f} before, {results['load_average']['after']:.1f} after.",
    ]
    return "\n".join(rows) + "\n"


def write(results: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    text = table(results)
    (RESULTS / "latest.md").write_text(text)
    print(text)
    print(f"written: {Path('bench/results/latest.json')} and latest.md")


if __name__ == "__main__":
    main()
