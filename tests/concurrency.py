"""Run work at the same moment in real threads, against the real database.

Locking is proven the way django-oscar proves its stock-record locking: n threads, each with
its own database connection, released together by a barrier. Row locks only mean something on
PostgreSQL: such a test is marked `@postgresql_only()` and
`@pytest.mark.django_db(transaction=True)` (each thread must see the rows the test committed).
"""

import threading
from collections.abc import Callable
from time import monotonic
from typing import TypeVar, cast

import pytest
from django.db import connection, connections

T = TypeVar("T")

# Long enough for a loaded machine, short enough that a deadlock fails the test instead of
# hanging the suite.
TIMEOUT_SECONDS = 60.0


def postgresql_only(
    why: str = "row-level concurrency is proven on PostgreSQL",
) -> pytest.MarkDecorator:
    """Mark a test that runs only against PostgreSQL (skipped, saying why, on SQLite)."""
    return pytest.mark.skipif(connection.vendor != "postgresql", reason=why)


def run_at_once(
    n: int, work: Callable[[int], T], *, timeout: float = TIMEOUT_SECONDS
) -> list[T | BaseException]:
    """Run `work(0)` … `work(n - 1)` in n threads released together; return, in that order,
    what each returned or the exception it raised.

    Every thread closes its own database connections when it is done. A thread still running
    after `timeout` seconds (a deadlock, a lock never released) fails the calling test.
    """
    barrier = threading.Barrier(n, timeout=timeout)
    results: list[T | BaseException | None] = [None] * n

    def target(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as exc:  # handed back to the test to judge, with the others
            results[i] = exc
        finally:
            connections.close_all()  # this thread's connections only: they are thread-local

    threads = [
        threading.Thread(target=target, args=(i,), name=f"at-once-{i}", daemon=True)
        for i in range(n)
    ]
    for thread in threads:
        thread.start()
    deadline = monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - monotonic()))
    stuck = [thread.name for thread in threads if thread.is_alive()]
    if stuck:
        pytest.fail(f"{len(stuck)} of {n} threads still running after {timeout:g} s: {stuck}")
    return cast(list[T | BaseException], results)  # every thread has filled its slot
