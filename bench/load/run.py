"""Issue 8, Load and Scale-out: a mixed workload over real HTTP against gunicorn, at rising
concurrency, the delivery workers' rate draining the outbox it made, and the same with two web
processes and two delivery workers on one PostgreSQL. See bench/load/README-section.md.

    .venv/bin/python -m bench.load.run --scale S          # what `make bench` should run
    .venv/bin/python -m bench.load.run --scale T --quick  # a short run while developing

Writes bench/results/load-<scale>.json and bench/load/README-section.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.data import ensure, meta  # noqa: E402
from bench.load import procs  # noqa: E402
from bench.load.procs import WebConfig  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SUPPLIER_SECRET = "bench-load-supplier-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(database_url: str, tmp: Path, delivery_url: str) -> dict[str, str]:
    """Production settings (KVOTE_ENV=production: DEBUG off, manifest static files through
    WhiteNoise), over plain HTTP on loopback."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kvote.settings",
        "KVOTE_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": "bench-load-test-secret-key-not-for-production-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "BEHIND_TLS_PROXY": "0",
        "STATIC_ROOT": str(tmp / "static"),
        "KVOTE_VAR_DIR": str(tmp / "var"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "KVOTE_SUPPLIER_SECRET": SUPPLIER_SECRET,
        "KVOTE_DELIVERY_TRANSPORT": "http",
        "KVOTE_DELIVERY_URL": delivery_url,
        "LOG_LEVEL": "WARNING",
    }


def pairing(m: Any) -> tuple[list[str], list[str]]:
    """The buyers in the order the simulated users take them, and the approvers likewise, so
    that the approvers in play are the ones who decide the orders of the buyers in play: the
    buyers' supervisors in random order (fixed seed), each with up to 7 of its buyers (the mix
    has 7 buyers to an approver), spread over companies and approval policies."""
    from kvote.people.models import Employee

    supervisor_of = dict(
        Employee.objects.filter(user__email__in=m.load_buyers).values_list(
            "user__email", "supervisor__email"
        )
    )
    groups: dict[str, list[str]] = {}
    for buyer in m.load_buyers:
        groups.setdefault(supervisor_of.get(buyer) or "", []).append(buyer)
    supervisors = sorted(s for s in groups if s)
    random.Random(8).shuffle(supervisors)
    buyers: list[str] = []
    approvers: list[str] = []
    for supervisor in supervisors:
        approvers.append(supervisor)
        buyers += groups[supervisor][:7]
    buyers += [b for b in m.load_buyers if b not in set(buyers)]
    approvers += [a for a in m.load_approvers if a not in set(approvers)]
    return buyers, approvers


def locust_config(
    m: Any,
    args: argparse.Namespace,
    hosts: list[str],
    steps: list[int],
    logins: tuple[list[str], list[str]],
) -> dict[str, Any]:
    buyers, approvers = logins
    return {
        "hosts": hosts,
        "password": m.password,
        "buyers": buyers,
        "approvers": approvers or [m.approver_email],
        "supervisors": [m.supervisor_email, m.admin_email],
        "api_users": list(reversed(m.load_buyers)),
        "search_term": m.search_term,
        "product_ids": [m.product_id],
        "item_numbers": list(m.item_numbers),
        "steps": steps,
        "step_seconds": args.step_seconds,
        "warmup_seconds": args.warmup,
        "p95_limit_ms": args.p95_limit,
        "stop_at_limit": True,
        "ramp_max": 240,
        "spawn_rate": 5,
        "think_min": args.think / 2,
        "think_max": args.think * 1.5,
        "weights": {"buyer": 14, "approver": 2, "supervisor": 2, "api": 2},
        "over_budget_share": 0.15,
        "over_quantity": 40,
        "reject_share": 0.3,
    }


class Runner:
    def __init__(self, args: argparse.Namespace, m: Any, tmp: Path, sampler: procs.CpuSampler):
        self.args, self.meta, self.tmp, self.sampler = args, m, tmp, sampler
        self.env: dict[str, str] = {}
        self.runs = 0
        self.logins: tuple[list[str], list[str]] | None = None

    def load(self, *, label: str, hosts: list[str], steps: list[int]) -> dict[str, Any]:
        """One locust run over `hosts`; its steps, each with where the CPU went."""
        self.runs += 1
        config_path = self.tmp / f"locust-{self.runs}.json"
        out_path = self.tmp / f"locust-{self.runs}-out.json"
        if self.logins is None:
            self.logins = pairing(self.meta)
        config = locust_config(self.meta, self.args, hosts, steps, self.logins)
        config_path.write_text(json.dumps(config))
        print(f"[load] {label}: steps {steps} on {hosts}", flush=True)
        code = procs.run_locust(
            config_path=config_path,
            out_path=out_path,
            csv_prefix=self.tmp / f"locust-{self.runs}",
            host=hosts[0],
            log=self.tmp / "locust.log",
        )
        result = json.loads(out_path.read_text())
        for step, times in zip(result["steps"], result["step_times"], strict=True):
            begin = times.get("measured_from", times["started"] + self.args.warmup)
            step["cpu"] = self.sampler.between(begin, times.get("ended", time.time()))
            print(
                f"  {step['users']:>4} users: {step['throughput_rps']:>7} req/s  "
                f"p50 {step['p50_ms']}  p95 {step['p95_ms']}  p99 {step['p99_ms']} ms  "
                f"errors {step['errors']}  cpu {step['cpu'].get('cores_used')}",
                flush=True,
            )
        return {"label": label, "locust_exit": code, "steps": result["steps"]}


def held(steps: list[dict[str, Any]], limit: float) -> dict[str, Any] | None:
    """The step with the highest throughput whose p95 stayed under the limit."""
    ok = [s for s in steps if s["p95_ms"] is not None and s["p95_ms"] < limit]
    return max(ok, key=lambda s: s["throughput_rps"]) if ok else None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--scale", default="S")
    parser.add_argument("--steps", default="5,10,20,30,40,50,60,80,120,160,240,320")
    parser.add_argument("--step-seconds", type=float, default=50)
    parser.add_argument("--warmup", type=float, default=12, help="seconds left out of each step")
    parser.add_argument("--think", type=float, default=0.5, help="mean think time, seconds")
    parser.add_argument("--p95-limit", type=float, default=250)
    parser.add_argument(
        "--web",
        default="compare",
        help="gunicorn workers: sync:N, gthread:NxT, or compare (sync:5 against gthread:3x4 "
        "at --compare-users first, then the better one)",
    )
    parser.add_argument("--compare-users", type=int, default=40)
    parser.add_argument("--profile-seconds", type=float, default=40)
    parser.add_argument(
        "--skip", default="", help="comma list of: compare,single,scaleout,checks,profile"
    )
    parser.add_argument("--out", default="", help="results file (default load-<scale>.json)")
    parser.add_argument("--quick", action="store_true", help="short steps, for development")
    parser.add_argument("--no-ensure", action="store_true", help="use meta(); do not generate")
    args = parser.parse_args()
    if args.quick:
        args.step_seconds, args.warmup, args.steps = 20, 5, "5,10,20,40"
        args.profile_seconds = 15
    skip = set(filter(None, args.skip.split(",")))
    steps = [int(s) for s in args.steps.split(",")]

    m = meta(args.scale) if args.no_ensure else ensure(args.scale)
    tmp = Path(tempfile.mkdtemp(prefix="kvote-load-"))
    started = time.time()
    from bench.load.phases import run_phases

    with procs.CpuSampler() as sampler:
        runner = Runner(args, m, tmp, sampler)
        result = run_phases(runner, steps=steps, skip=skip, parse_web=parse_web)
    result["run"] = {
        "scale": m.scale,
        "database": m.database_url.rsplit("/", 1)[-1],
        "data": {k: getattr(m, k) for k in ("companies", "employees", "order_lines", "variants")},
        "started_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(started)),
        "minutes": round((time.time() - started) / 60, 1),
        "args": vars(args),
        "machine": machine(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = Path(args.out) if args.out else RESULTS / f"load-{m.scale}.json"
    out.write_text(json.dumps(result, indent=1, default=str) + "\n")
    print(f"[load] wrote {out}")
    if "single" in result and not args.out:
        from bench.load.report import write_section

        write_section(result, ROOT / "bench" / "load" / "README-section.md")
        print("[load] wrote bench/load/README-section.md")
    shutil.rmtree(tmp, ignore_errors=True) if not os.environ.get("KVOTE_LOAD_KEEP") else None


def parse_web(text: str) -> WebConfig:
    kind, _, size = text.partition(":")
    if kind == "gthread":
        workers, _, threads = size.partition("x")
        return WebConfig("gthread", int(workers or 3), int(threads or 4))
    return WebConfig("sync", int(size or 5))


def machine() -> dict[str, Any]:
    version = subprocess.run(
        ["psql", "-At", "-h", "127.0.0.1", "-U", "postgres", "-c", "show server_version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
        "postgresql": version,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }


if __name__ == "__main__":
    main()
