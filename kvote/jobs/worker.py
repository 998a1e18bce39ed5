"""The loop every worker command runs: do a step, sleep when there was nothing to do, stop
cleanly on SIGTERM or Ctrl-C after the step in hand."""

import signal
import time
from collections.abc import Callable
from types import FrameType


def run_until_stopped(step: Callable[[], int], *, once: bool, sleep: float) -> None:
    """`step` does what is due and says how much; `once` stops when nothing was."""
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stopping:
            if step() == 0:
                if once:
                    return
                time.sleep(sleep)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
