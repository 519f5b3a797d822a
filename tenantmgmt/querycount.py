"""Count the SQL queries of each request, for the benchmark (``BENCH_COUNT_QUERIES=1``).

Installed only when that setting is on: ``bench/run.py`` reads the ``X-Query-Count`` header to
report queries per request over real HTTP, against the real server, without ``DEBUG``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse

QUERY_COUNT_HEADER = "X-Query-Count"


class QueryCountHeaderMiddleware:
    """Adds ``X-Query-Count``: the number of SQL statements the request sent to the database."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counting(execute, sql, params, many, context):  # Django's execute_wrapper protocol
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counting):
            response = self.get_response(request)
        response[QUERY_COUNT_HEADER] = str(count)
        return response
