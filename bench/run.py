"""`make bench`: the whole benchmark of issue 8, one step after the other (never two at once).

    .venv/bin/python -m bench.run --scale S [--runs 200] [--growth XS,S,M] [--skip load]

1. the chosen scale's data (generated when missing, else reused: bench/data.py);
2. server-side latency and the bare-SQL ratio at that scale (bench/latency.py);
3. cost growth: the same reads at XS, S and M (generating what is missing), growth.json and
   growth.png (bench/growth.py);
4. the load and scale-out run of bench/load/run.py, when present, at the chosen scale;
5. the supplier's catalogue (issue 15, bench/catalogue_import.py, its own database): preview
   and apply of 50 000 item numbers, a stock update of 5 000, the customer pages during an apply;
6. the storefront with and without pictures (issue 16, bench/storefront.py): the catalogue,
   a search, a product page and the cart, p95 with pictures against p95 without;
7. bench/results/summary-<scale>.json: the goals of the issues, met or missed, by how much.
DATABASE_URL names the main database (default postgres://…/kvote_bench); each scale uses its
own (kvote_bench_xs, _s, _m)."""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.data import RESULTS, ROOT, ensure, scale_url

HEAVY = (
    "catalogue search",
    "Min side",
    "order review",
    "Til godkjenning",
    "Ansattliste (200)",
    "Alle ansatte (5 000)",
    "drill-down",
    "API products?q=",
    "API orders/preview",
    "API approvals",
    "API employees mine",
    "API employees all",
    "API purchases",
)
P95_GOALS = (  # case, p95 limit in ms (the goals at scale M)
    ("Min side", 30),
    ("order review", 30),
    ("drill-down", 30),
    ("Alle ansatte (5 000)", 100),
    ("Ansattliste (200)", 100),
    ("order submit, within budget", 80),
    ("order submit, over budget", 80),
)


def step(title: str, command: list[str], env: dict[str, str] | None = None) -> None:
    print(f"\n== {title}: {' '.join(command[1:])}  (load {os.getloadavg()[0]:.2f})", flush=True)
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, **(env or {})}, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{title} failed (exit {done.returncode})")


PROFILED = "Min side,order review,Til godkjenning,Ansattliste,Alle ansatte,drill-down,submit"


def latency(scale: str, runs: int, explain: bool) -> None:
    """The latency run of one scale; the main scale's also explains and profiles."""
    command = [sys.executable, "-m", "bench.latency", "--scale", scale, "--runs", str(runs)]
    if explain:
        command += ["--explain", "--profile", PROFILED]
    step(f"latency at {scale}", command)


def goals(
    report: dict[str, Any], growth: dict[str, Any], load: dict[str, Any] | None
) -> list[dict[str, Any]]:
    cases = {c["name"]: c for c in report["cases"]}
    found: list[dict[str, Any]] = []
    for name, limit in P95_GOALS:
        case = cases.get(name)
        if case:
            found.append(
                {
                    "goal": f"{name} p95 < {limit} ms",
                    "value": f"{case['p95']} ms",
                    "met": case["p95"] < limit,
                    "by": f"×{case['p95'] / limit:.2f} of the goal",
                }
            )
    for name in HEAVY:
        case = cases.get(name)
        if case and "ratio" in case:
            found.append(
                {
                    "goal": f"{name}: framework ≤ 2× bare SQL",
                    "value": f"{case['median']} ms vs bare {case['bare']['median']} ms",
                    "met": case["ratio"] <= 2,
                    "by": f"×{case['ratio']}",
                }
            )
    for check in growth.get("check_per_employee_within_1_5x", []):
        found.append(
            {
                "goal": f"{check['case']}: p95 at M ≤ 1.5× XS",
                "value": f"×{check['p95_m_over_xs']} (median ×{check['median_m_over_xs']})",
                "met": check["met"],
                "by": f"×{check['p95_m_over_xs']}",
            }
        )
    held = (load or {}).get("single", {}).get("held") if load else None
    if load is not None:
        rps = held.get("throughput_rps") if held else None
        found.append(
            {
                "goal": "mixed load ≥ 300 requests/s at p95 < 250 ms",
                "value": f"{rps} req/s at p95 {held.get('p95_ms')} ms" if held else "no step held",
                "met": bool(rps and rps >= 300),
                "by": f"×{rps / 300:.2f} of the goal" if rps else "",
            }
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default=os.environ.get("SCALE", "S"))
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--growth", default="XS,S,M", help="scales for cost growth ('' = none)")
    parser.add_argument(
        "--skip", default="", help="comma list of: latency,growth,load,catalogue,storefront"
    )
    options = parser.parse_args()
    scale = options.scale.upper()
    skip = set(filter(None, options.skip.split(",")))
    started = time.monotonic()
    print(f"Kvote benchmark, scale {scale}, database {scale_url(scale)}", flush=True)
    ensure(scale)
    if "latency" not in skip:
        latency(scale, options.runs, explain=True)
    growth: dict[str, Any] = {}
    if "growth" not in skip and options.growth:
        for other in [s.strip().upper() for s in options.growth.split(",") if s.strip()]:
            if other != scale or "latency" in skip:
                ensure(other)
                latency(other, options.runs, explain=other == "M")
        from bench import growth as growth_module

        growth = growth_module.main()
    elif (RESULTS / "growth.json").exists():  # skipped: the last one made
        growth = json.loads((RESULTS / "growth.json").read_text())
    if "load" not in skip and (ROOT / "bench" / "load" / "run.py").exists():
        step(f"load at {scale}", [sys.executable, "-m", "bench.load.run", "--scale", scale])
    if "catalogue" not in skip:
        step("the supplier's catalogue", [sys.executable, "-m", "bench.catalogue_import"])
    if "storefront" not in skip:
        step(
            "the storefront with pictures",
            [sys.executable, "-m", "bench.storefront", "--scale", scale],
        )
    storefront_path = RESULTS / f"storefront-{scale}.json"
    storefront = json.loads(storefront_path.read_text()) if storefront_path.exists() else None
    catalogue_path = RESULTS / "catalogue.json"  # this run's, or (skipped) the last one made
    catalogue = json.loads(catalogue_path.read_text()) if catalogue_path.exists() else None
    path = RESULTS / f"load-{scale}.json"  # this run's, or (skipped) the last one made
    load = json.loads(path.read_text()) if path.exists() else None
    report = json.loads((RESULTS / f"latency-{scale}.json").read_text())
    summary = {
        "scale": scale,
        "minutes": round((time.monotonic() - started) / 60, 1),
        "machine": report["machine"],
        "goals": goals(report, growth, load)
        + [{"by": "", **goal} for goal in (catalogue or {}).get("goals", [])]
        + [{"by": "", **goal} for goal in (storefront or {}).get("goals", [])],
        "latency": {
            c["name"]: {k: c.get(k) for k in ("median", "p95", "p99", "queries", "ratio")}
            for c in report["cases"]
        },
        "growth": growth.get("check_per_employee_within_1_5x"),
        "load": load,
    }
    out = RESULTS / f"summary-{scale}.json"
    out.write_text(json.dumps(summary, indent=1, ensure_ascii=False, default=str) + "\n")
    print(f"\nGoals at scale {scale} (the issue sets them at M):")
    for goal in summary["goals"]:
        verdict = "met   " if goal["met"] else "MISSED"
        print(f"  {verdict} {goal['goal']:<52} {goal['value']}  ({goal['by']})")
    print(f"\nwrote {Path(out).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
