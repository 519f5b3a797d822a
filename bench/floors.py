"""Hand-written SQL that returns what each endpoint answers: the floor the endpoint is compared with.

Each query gets its answer in one statement over a warm connection, with no framework in
between. ``bench.run`` checks that the answers equal the API's before timing them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import psycopg

from bench.timing import Probe

CURRENT_STATE = """
SELECT last.new_state, last.new_replicas, since.changed_at AS state_since, since.changed_by,
       extract(epoch FROM now() - since.changed_at) AS duration_seconds
FROM (SELECT new_state, new_replicas FROM tenant_state_history WHERE tenant_id = %(tenant)s
      ORDER BY changed_at DESC, id DESC LIMIT 1) last,
     (SELECT changed_at, changed_by FROM tenant_state_history
      WHERE tenant_id = %(tenant)s AND previous_state IS DISTINCT FROM new_state
      ORDER BY changed_at DESC, id DESC LIMIT 1) since
"""

# Seconds in each state per tenant over [start, end), clipped to [created_at, now()): the state
# at the window's start (the last record at or before it; before the first record, that
# record's previous_state or unknown), then each record inside the window, each lasting until
# the next one or the window's end.
_STATE_SECONDS = """
WITH win AS (
    SELECT t.id AS tenant_id, greatest(%(start)s::timestamptz, t.created_at) AS s,
           least(%(end)s::timestamptz, now()) AS e
    FROM tenants t WHERE {tenants}
),
points AS (
    SELECT w.tenant_id, w.s AS at, 0::bigint AS id, coalesce(
        (SELECT h.new_state FROM tenant_state_history h WHERE h.tenant_id = w.tenant_id AND h.changed_at <= w.s
         ORDER BY h.changed_at DESC, h.id DESC LIMIT 1),
        (SELECT coalesce(h.previous_state, 'unknown') FROM tenant_state_history h WHERE h.tenant_id = w.tenant_id
         ORDER BY h.changed_at, h.id LIMIT 1),
        'unknown') AS state
    FROM win w WHERE w.s < w.e
    UNION ALL
    SELECT h.tenant_id, h.changed_at, h.id, h.new_state
    FROM tenant_state_history h JOIN win w ON h.tenant_id = w.tenant_id
    WHERE h.changed_at > w.s AND h.changed_at < w.e
),
spans AS (
    SELECT p.tenant_id, p.state,
           coalesce(lead(p.at) OVER (PARTITION BY p.tenant_id ORDER BY p.at, p.id), w.e) - p.at AS took
    FROM points p JOIN win w USING (tenant_id)
)
SELECT tenant_id, state, extract(epoch FROM sum(took)) AS seconds FROM spans GROUP BY tenant_id, state
"""
MONTHLY = _STATE_SECONDS.format(tenants="t.id = %(tenant)s")
FLEET = _STATE_SECONDS.format(tenants="true")

HISTORY_FIRST_PAGE = """
SELECT id, previous_state, new_state, previous_replicas, new_replicas, changed_at, changed_by, reason, source
FROM tenant_state_history WHERE tenant_id = %(tenant)s
ORDER BY changed_at DESC, id DESC LIMIT %(limit)s
"""

HISTORY_AFTER = """
SELECT id, previous_state, new_state, previous_replicas, new_replicas, changed_at, changed_by, reason, source
FROM tenant_state_history WHERE tenant_id = %(tenant)s AND (changed_at, id) < (%(changed_at)s, %(id)s)
ORDER BY changed_at DESC, id DESC LIMIT %(limit)s
"""

TENANT = "SELECT * FROM tenants WHERE id = %(tenant)s"


def seconds_by_state(rows: Sequence[tuple[int, str, Any]]) -> dict[int, dict[str, int]]:
    """``{tenant_id: {state: whole seconds}}`` from the monthly/fleet query's rows (exact numeric, floored)."""
    result: dict[int, dict[str, int]] = {}
    for tenant_id, state, seconds in rows:
        result.setdefault(tenant_id, {})[state] = int(seconds)
    return result


class Floor:
    """A warm connection running hand-written queries."""

    def __init__(self, database_url: str) -> None:
        self.connection = psycopg.connect(database_url, autocommit=True)

    def close(self) -> None:
        self.connection.close()

    def fetch(self, *statements: tuple[str, dict[str, Any]]) -> list[list[tuple]]:
        with self.connection.cursor() as cursor:
            results = []
            for sql, params in statements:
                cursor.execute(sql, params)
                results.append(cursor.fetchall())
            return results

    def probe(self, make_statements: Callable[[Any], list[tuple[str, dict[str, Any]]]], keys: Sequence[Any]) -> Probe:
        """A probe running the statements for ``keys[n % len(keys)]`` in round ``n`` (no query count)."""

        def run(round_number: int) -> tuple[float, int | None]:
            statements = make_statements(keys[round_number % len(keys)])
            began = time.perf_counter()
            self.fetch(*statements)
            return time.perf_counter() - began, None

        return run
