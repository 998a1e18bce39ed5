"""The phases of bench/load/run.py, in order: static files, (gunicorn worker kinds compared),
the rising load on one web process, draining its outbox with one delivery worker, the same load
on two web processes, draining with two workers, the checks, and a profile of one worker."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pyinstrument.renderers import ConsoleRenderer
from pyinstrument.session import Session

from bench.load import procs
from bench.load.procs import ROOT, WebConfig

if TYPE_CHECKING:
    from bench.load.run import Runner

RESULTS = ROOT / "bench" / "results"


def run_phases(
    runner: Runner, *, steps: list[int], skip: set[str], parse_web: Callable[[str], WebConfig]
) -> dict[str, Any]:
    from bench.load.run import SUPPLIER_SECRET, free_port, held, server_env
    from kvote.supplier.receiver import SupplierReceiver

    args, tmp = runner.args, runner.tmp
    result: dict[str, Any] = {"p95_limit_ms": args.p95_limit}
    with SupplierReceiver(secret=SUPPLIER_SECRET) as receiver:
        env = server_env(runner.meta.database_url, tmp, receiver.url)
        runner.env = env
        os.environ.update(env)
        import django

        django.setup()
        from bench.load import checks

        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        base = checks.Baseline.now()
        print(
            f"[load] baseline: {base.max_order_id} orders, outbox pending "
            f"{len(base.pending_delivery_ids)}",
            flush=True,
        )

        # Which gunicorn worker kind holds more on this machine.
        if args.web == "compare" and "compare" not in skip:
            compared = []
            for config in (WebConfig("sync", 5), WebConfig("gthread", 3, 4)):
                with procs.web_servers(
                    ports=[free_port()], config=config, env=env, logdir=tmp
                ) as urls:
                    run = runner.load(
                        label=f"compare {config.label()}", hosts=urls, steps=[args.compare_users]
                    )
                compared.append({"web": config.label(), **run["steps"][0]})
            result["worker_kinds"] = compared
            best = max(compared, key=lambda c: (c["p95_ms"] < args.p95_limit, c["throughput_rps"]))
            web = (
                WebConfig("sync", 5)
                if best["web"].startswith("sync")
                else WebConfig("gthread", 3, 4)
            )
        else:
            web = parse_web(args.web if args.web != "compare" else "sync:5")
        result["web"] = web.label()

        # One web process, rising load; then one delivery worker drains the outbox.
        if "single" not in skip:
            with procs.web_servers(ports=[free_port()], config=web, env=env, logdir=tmp) as urls:
                single = runner.load(
                    label=f"one web process ({web.label()})", hosts=urls, steps=steps
                )
            result["single"] = single
            result["single"]["held"] = held(single["steps"], args.p95_limit)
            result["single"]["orders"] = checks.orders_summary(base)
            result["drain_1"] = drain(runner, base, workers=1)

        # Two web processes (the load split between them), then two delivery workers.
        if "scaleout" not in skip:
            base2 = checks.Baseline.now()
            ports = [free_port(), free_port()]
            with procs.web_servers(ports=ports, config=web, env=env, logdir=tmp) as urls:
                double = runner.load(
                    label=f"two web processes ({web.label()} each)", hosts=urls, steps=steps
                )
            result["scaleout"] = double
            result["scaleout"]["held"] = held(double["steps"], args.p95_limit)
            result["scaleout"]["orders"] = checks.orders_summary(base2)
            result["drain_2"] = drain(runner, base2, workers=2)

        # The checks over everything the runs did.
        if "checks" not in skip:
            print("[load] checking deliveries, budgets and release decisions", flush=True)
            received = receiver.received
            result["checks"] = {
                "exactly_once": checks.exactly_once(base, list(received.orders), received.keys),
                "budgets": checks.budgets_exact(companies_of(runner.meta, base)),
                "release_decisions": checks.release_decisions(base),
            }
            for name, check in result["checks"].items():
                print(f"  {name}: {'ok' if check.get('ok') else 'FAILED'} {check}", flush=True)

    if "profile" not in skip:
        result["profile"] = profile(runner)
    return result


def companies_of(m: Any, base: Any) -> set[int]:
    """The companies the load touched: those of the orders it placed, and of the load logins."""
    from kvote.ordering.models import Order
    from kvote.people.models import User

    ids = set(Order.objects.filter(pk__gt=base.max_order_id).values_list("company_id", flat=True))
    ids |= set(
        User.objects.filter(email__in=list(m.load_buyers) + list(m.load_approvers))
        .filter(company__isnull=False)
        .values_list("company_id", flat=True)
    )
    return ids


def drain(runner: Runner, base: Any, *, workers: int) -> dict[str, Any]:
    """Start `workers` delivery workers on the outbox the load left, wait until it is empty."""
    from bench.load import checks

    pending = base.deliveries().filter(status="pending").count()
    print(f"[load] draining {pending} deliveries with {workers} worker(s)", flush=True)
    started = time.time()
    processes = [
        procs.start_delivery_worker(env=runner.env, log=runner.tmp / "deliver.log")
        for _ in range(workers)
    ]
    try:
        stats = checks.drain(base, timeout=max(120.0, pending * 0.5))
    finally:
        for process in processes:
            procs.stop(process)
    stats["workers"] = workers
    stats["cpu"] = runner.sampler.between(started, time.time())
    print(f"  {stats}", flush=True)
    return stats


def profile(runner: Runner) -> dict[str, Any]:
    """One sync gunicorn worker under the same mix at a few users, profiled with pyinstrument
    request by request; the text profile goes to bench/results/load-profile-<scale>.txt."""
    from bench.load.run import free_port

    folder = runner.tmp / "profile"
    folder.mkdir(exist_ok=True)
    env = {**runner.env, "KVOTE_PROFILE_DIR": str(folder)}
    config = str(ROOT / "bench" / "load" / "gunicorn_profile.py")
    args = runner.args
    saved = args.step_seconds
    args.step_seconds = args.profile_seconds + args.warmup
    try:
        with procs.web_servers(
            ports=[free_port()],
            config=WebConfig("sync", 1),
            env=env,
            logdir=runner.tmp,
            extra_args=["--config", config, "--graceful-timeout", "60"],
        ) as urls:
            run = runner.load(label="profile (1 sync worker, pyinstrument)", hosts=urls, steps=[4])
    finally:
        args.step_seconds = saved
    sessions = sorted(folder.glob("profile-*.pyisession"))
    if not sessions:
        return {"step": run["steps"][0], "error": "no profile was written"}
    session = Session.load(sessions[0])
    tree = ConsoleRenderer(unicode=True, time="percent_of_total").render(session)
    flat = ConsoleRenderer(unicode=True, flat=True).render(session)
    out = RESULTS / f"load-profile-{runner.meta.scale}.txt"
    out.write_text(tree + "\n" + flat)
    return {
        "step": run["steps"][0],
        "file": str(out.relative_to(ROOT)),
        "seconds_in_requests": round(session.duration, 2),
        "cpu_seconds_in_requests": round(session.cpu_time, 2),
        "time_by_layer": layers(session),
        "top_self_seconds": top(flat),
    }


LAYERS = (  # (where a frame's file is, the layer it counts for), first match wins
    ("/psycopg", "PostgreSQL: waiting for it and reading results (psycopg)"),
    ("/django/template", "templates (rendering)"),
    ("/django/db/", "ORM (building SQL, making model instances)"),
    ("/django/", "Django otherwise (middleware, sessions, auth, URLs, forms, i18n)"),
    ("/ninja/", "API framework (django-ninja, pydantic)"),
    ("/pydantic", "API framework (django-ninja, pydantic)"),
    ("/kvote/", "Kvote's own code (views, selectors, services)"),
    ("/gunicorn/", "gunicorn"),
    ("site-packages/", "other libraries (whitenoise, axes, htmx, …)"),
)


def layers(session: Session) -> dict[str, float]:
    """Seconds of the profiled requests spent in each layer: a frame's own time counts for the
    layer of its file, or (standard library, built-ins) for the layer of the code calling it."""
    totals: dict[str, float] = {}

    def walk(frame: Any, inherited: str) -> None:
        path = (frame.file_path or "").replace("\\", "/")
        layer = next((name for part, name in LAYERS if part in path), inherited)
        # total_self_time already holds the synthetic (self-time) children's time
        totals[layer] = totals.get(layer, 0.0) + max(frame.total_self_time, 0.0)
        for child in frame.children:
            if not child.is_synthetic:
                walk(child, layer)

    root = session.root_frame()
    if root is not None:
        walk(root, "other (standard library, start-up)")
    return {k: round(v, 2) for k, v in sorted(totals.items(), key=lambda kv: -kv[1])}


def top(flat: str, count: int = 30) -> list[str]:
    """The functions with the most time of their own (the flat profile's first lines)."""
    lines = [line.strip() for line in flat.splitlines() if re.match(r"\s*[\d.]+\s+\S", line)]
    return lines[:count]
