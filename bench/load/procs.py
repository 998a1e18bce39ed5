"""The processes of a load run: gunicorn web servers, locust, delivery workers, and a sampler of
where the machine's CPU goes (by process kind) while they run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent.parent
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class WebConfig:
    worker_class: str = "sync"  # or "gthread"
    workers: int = 5
    threads: int = 1

    def label(self) -> str:
        if self.worker_class == "gthread":
            return f"gthread {self.workers}×{self.threads}"
        return f"sync {self.workers}"

    def args(self) -> list[str]:
        args = ["--workers", str(self.workers), "--worker-class", self.worker_class]
        if self.worker_class == "gthread":
            args += ["--threads", str(self.threads)]
        return args


def wait_http(url: str, *, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")
        time.sleep(0.3)


def stop(process: subprocess.Popen[bytes], *, timeout: float = 30.0) -> None:
    """SIGTERM the process we started (its own process group: gunicorn's workers too)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def web_servers(
    *,
    ports: list[int],
    config: WebConfig,
    env: dict[str, str],
    logdir: Path,
    extra_args: list[str] | None = None,
) -> Iterator[list[str]]:
    """One gunicorn (kvote.wsgi) per port on loopback; yields their base URLs."""
    processes = []
    try:
        for port in ports:
            log = open(logdir / f"gunicorn-{port}.log", "ab")  # noqa: SIM115
            command = [
                str(VENV_BIN / "gunicorn"),
                "kvote.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                *config.args(),
                "--timeout",
                "120",
                "--graceful-timeout",
                "10",
                *(extra_args or []),
            ]
            processes.append(
                subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
                )
            )
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url in urls:
            wait_http(url + "/login/")
        yield urls
    finally:
        for process in processes:
            stop(process)


def run_locust(*, config_path: Path, out_path: Path, csv_prefix: Path, host: str, log: Path) -> int:
    """locust headless with bench/load/locustfile.py (its StepShape decides the steps)."""
    env = {
        **os.environ,
        "KVOTE_LOAD_CONFIG": str(config_path),
        "KVOTE_LOAD_OUT": str(out_path),
    }
    command = [
        str(VENV_BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "load" / "locustfile.py"),
        "--headless",
        "--csv",
        str(csv_prefix),
        "--host",
        host,
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "5",
    ]
    with open(log, "ab") as output:
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    return done.returncode


def start_delivery_worker(*, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    output = open(log, "ab")  # noqa: SIM115
    command = [sys.executable, "manage.py", "deliver_orders", "--sleep", "0.2", "--batch", "10"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=output, stderr=output, start_new_session=True
    )


# --- Where the CPU goes -----------------------------------------------------------------------


def kind_of(process: psutil.Process) -> str:
    try:
        name = process.name()
        cmdline = " ".join(process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return "gone"
    if "gunicorn" in cmdline:
        return "gunicorn"
    if name.startswith("postgres") or "postgres:" in cmdline:
        return "postgres"
    if "locust" in cmdline:
        return "locust"
    if "deliver_orders" in cmdline:
        return "delivery"
    if process.pid == os.getpid():
        return "runner"
    return "other"


@dataclass
class CpuSampler:
    """Samples, every `interval` seconds, the CPU seconds each kind of process used (per pid
    deltas, so processes that come and go count for their own share) and the machine's idle."""

    interval: float = 1.0
    samples: list[dict[str, Any]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> CpuSampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()

    def _run(self) -> None:
        kinds: dict[int, str] = {}
        last = self._times(kinds)
        last_total = psutil.cpu_times()
        while not self._stop.wait(self.interval):
            seen = self._times(kinds)
            used: dict[str, float] = {}
            for pid, spent in seen.items():
                delta = spent - last.get(pid, 0.0)  # a new process: all its time is new
                if delta > 0:
                    used[kinds[pid]] = used.get(kinds[pid], 0.0) + delta
            total = psutil.cpu_times()
            busy = sum(total) - total.idle - total.iowait
            busy_before = sum(last_total) - last_total.idle - last_total.iowait
            wall = sum(total) - sum(last_total)
            last, last_total = seen, total
            self.samples.append(
                {
                    "t": time.time(),
                    "cores_used": used,
                    "busy_share": (busy - busy_before) / wall if wall > 0 else 0.0,
                    "load1": os.getloadavg()[0],
                }
            )

    @staticmethod
    def _times(kinds: dict[int, str]) -> dict[int, float]:
        """CPU seconds (user + system) of every process now, by pid."""
        seen: dict[int, float] = {}
        for process in psutil.process_iter():
            try:
                times = process.cpu_times()
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            if process.pid not in kinds:
                kinds[process.pid] = kind_of(process)
            seen[process.pid] = times.user + times.system
        return seen

    def between(self, start: float, end: float) -> dict[str, Any]:
        """Average cores used by each kind, machine busy share and load average in [start, end]."""
        rows = [s for s in self.samples if start <= s["t"] <= end]
        if not rows:
            return {}
        seconds = self.interval * len(rows)
        kinds: dict[str, float] = {}
        for row in rows:
            for kind, value in row["cores_used"].items():
                kinds[kind] = kinds.get(kind, 0.0) + value
        return {
            "cores_used": {k: round(v / seconds, 2) for k, v in sorted(kinds.items())},
            "machine_busy_percent": round(100 * sum(r["busy_share"] for r in rows) / len(rows), 1),
            "load1_max": round(max(r["load1"] for r in rows), 2),
        }
