"""Timing helpers: percentiles, the SQL one request runs, and that SQL again without Django.

The statements are captured with `connection.execute_wrapper` (CaptureQueriesContext is emptied
by `request_started` inside a test-client request). The bare replay sends the same statements
with the same parameters through a plain psycopg connection with the same session settings
(client-side binding, as Django's backend does), fetching every row: what PostgreSQL and the
driver cost, so framework ÷ bare is what Django, the portal's Python and the templates add."""

import math
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

SKIP = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def percentile(sorted_ms: list[float], share: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    return sorted_ms[max(0, math.ceil(share * len(sorted_ms)) - 1)]


def summary(samples_ms: list[float]) -> dict[str, float]:
    found = sorted(samples_ms)
    return {
        "runs": len(found),
        "median": round(statistics.median(found), 2),
        "p95": round(percentile(found, 0.95), 2),
        "p99": round(percentile(found, 0.99), 2),
        "mean": round(statistics.fmean(found), 2),
        "min": round(found[0], 2),
        "max": round(found[-1], 2),
    }


@dataclass
class Captured:
    statements: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def reads(self) -> list[tuple[str, Any]]:
        return [(sql, params) for sql, params in self.statements if not sql.startswith(SKIP)]


@contextmanager
def captured() -> Iterator[Captured]:
    """Every statement Django sends while the block runs (with its parameters)."""
    from django.db import connection

    found = Captured()

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        found.statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield found


def timed(
    call: Callable[[], object], runs: int, before: Callable[[], object] | None = None
) -> list[float]:
    """Milliseconds of `call`, `runs` times; `before` runs outside the timed part."""
    samples = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


class Bare:
    """A plain psycopg connection to the same database with the same session settings."""

    def __init__(self) -> None:
        import psycopg
        from django.db import connection

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("server_side_binding", None)
        self.conn = psycopg.connect(**params, autocommit=True)
        self.conn.execute("SET TIME ZONE 'UTC'")
        self.cursor = psycopg.ClientCursor(self.conn)

    def run(self, statements: list[tuple[str, Any]]) -> list[float]:
        """Run the statements once; milliseconds of each."""
        cursor = self.cursor
        each = []
        for sql, params in statements:
            start = time.perf_counter()
            cursor.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()
            each.append((time.perf_counter() - start) * 1000)
        return each

    def measure(self, statements: list[tuple[str, Any]], runs: int) -> dict[str, Any]:
        for _ in range(5):
            self.run(statements)
        totals: list[float] = []
        per_statement: list[list[float]] = [[] for _ in statements]
        for _ in range(runs):
            each = self.run(statements)
            totals.append(sum(each))
            for i, ms in enumerate(each):
                per_statement[i].append(ms)
        medians = [statistics.median(ms) for ms in per_statement]
        slowest = max(range(len(statements)), key=medians.__getitem__) if statements else -1
        return {
            **summary(totals),
            "statements": len(statements),
            "slowest_statement_ms": round(medians[slowest], 2) if statements else 0,
            "slowest_statement": statements[slowest][0][:2000] if statements else "",
            "_slowest": statements[slowest] if statements else None,
        }

    def explain(self, sql: str, params: Any) -> str:
        rows = self.cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params).fetchall()
        return "\n".join(row[0] for row in rows)

    def close(self) -> None:
        self.conn.close()
