"""The test kit proves itself: `run_at_once` really runs at once and fails a deadlock."""

import threading

import pytest

from tests.concurrency import run_at_once

# --- run_at_once -----------------------------------------------------------------------------


def test_run_at_once_runs_every_piece_of_work_at_the_same_time() -> None:
    together = threading.Barrier(4, timeout=10)  # passes only if all four are inside work

    def work(i: int) -> int:
        together.wait()
        if i == 2:
            raise ValueError("two")
        return i * 10

    results = run_at_once(4, work)
    assert results[:2] == [0, 10] and results[3] == 30
    assert isinstance(results[2], ValueError) and str(results[2]) == "two"


def test_run_at_once_fails_a_thread_that_never_finishes() -> None:
    never = threading.Event()
    try:
        with pytest.raises(pytest.fail.Exception, match="1 of 2 threads still running"):
            run_at_once(2, lambda i: never.wait(30) if i else None, timeout=0.5)
    finally:
        never.set()
