"""bench/load/README-section.md from a load run's JSON (bench/results/load-<scale>.json): how to
run it, the workload, the steps, scale-out, drain rates, checks, and the goal met or not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

GOAL_RPS = 300


def fmt(value: Any) -> str:
    return "–" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def step_table(steps: list[dict[str, Any]]) -> list[str]:
    rows = [
        "| users | req/s | p50 ms | p95 ms | p99 ms | errors | orders placed "
        "| cores: gunicorn / postgres / locust / other | CPU ms per request | machine busy |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for s in steps:
        cpu = s.get("cpu", {}).get("cores_used", {})
        cores = " / ".join(
            fmt(cpu.get(k, 0.0)) for k in ("gunicorn", "postgres", "locust", "other")
        )
        journeys = s.get("journeys", {})
        placed = journeys.get("orders_released", 0) + journeys.get("orders_awaiting_approval", 0)
        rows.append(
            f"| {s['users']} | {fmt(s['throughput_rps'])} | {fmt(s['p50_ms'])} | "
            f"{fmt(s['p95_ms'])} | {fmt(s['p99_ms'])} | {s['errors']} | {placed} | {cores} | "
            f"{cpu_per_request(s)} | {fmt(s.get('cpu', {}).get('machine_busy_percent'))} % |"
        )
    return rows


def cpu_per_request(step: dict[str, Any]) -> str:
    """Milliseconds of CPU each request cost the web processes and PostgreSQL together."""
    cpu = step.get("cpu", {}).get("cores_used", {})
    if not step.get("throughput_rps"):
        return "–"
    web, db = cpu.get("gunicorn", 0.0), cpu.get("postgres", 0.0)
    rps = step["throughput_rps"]
    return f"{1000 * web / rps:.0f} + {1000 * db / rps:.0f}"


def held_text(held: dict[str, Any] | None, limit: float) -> str:
    if not held:
        return f"Held at p95 < {fmt(limit)} ms: **none** (the first step was already over)."
    return (
        f"Held at p95 < {fmt(limit)} ms: **{fmt(held['throughput_rps'])} req/s** "
        f"({held['users']} users, p95 {fmt(held['p95_ms'])} ms)."
    )


def write_section(result: dict[str, Any], path: Path) -> None:
    run, limit = result["run"], result["p95_limit_ms"]
    single = result["single"]
    held = single.get("held")
    lines = [
        "## Load and scale-out (bench/load)",
        "",
        "Run: `.venv/bin/python -m bench.load.run --scale S` (PostgreSQL; `bench/run.py` runs it",
        "as part of `make bench`). The data comes from `bench.data.ensure` (generated when",
        "missing). About 25 minutes; it writes `bench/results/load-<scale>.json` (figures),",
        "`bench/results/load-profile-<scale>.txt` (pyinstrument) and this section above the",
        "analysis. `--quick` runs short steps for development; `--web sync:5` skips the",
        "comparison of gunicorn worker kinds.",
        "",
        "**Setup.** gunicorn (`kvote.wsgi`) with production settings (`KVOTE_ENV=production`:",
        "DEBUG off, static files collected into a temporary STATIC_ROOT and served by WhiteNoise;",
        "plain HTTP on loopback, so the secure-cookie and SSL-redirect settings are turned off)",
        "and a separate locust process (headless, FastHttpUser) on the same machine. Deliveries",
        "go by signed HTTP POST to `kvote.supplier.receiver.SupplierReceiver` on loopback (in",
        "the runner process), each document checked against the UBL schema and the PEPPOL rules",
        "first, as in production.",
        "",
        "**Workload.** Each simulated user logs in once through the login form with its CSRF",
        "token, then loops, thinking "
        f"{fmt(run['args']['think'] / 2)}–{fmt(run['args']['think'] * 1.5)} s after every request:",
        "- 70 % buyers (budget holders, one login each, spread over companies and their approval",
        "  policies): catalogue, search, product page, add to cart (30 % also a quick add by item",
        "  number), cart, checkout, save the address, review, place the order (15 % with 40",
        "  pieces, over any budget), confirmation, Min side. Whether an order waits is the",
        "  company's policy (none / over budget / always) applied to the budget as it stands;",
        "- 10 % approvers, the supervisors of the buyers in play: «Til godkjenning», decide a",
        "  random waiting order (70 % approve, 30 % reject with a comment), the queue again;",
        "- 10 % supervisors: «Ansattliste» (200 employees) and «Alle ansatte» (5 000) for the",
        "  last 12 months, Min side;",
        "- 10 % API clients: a bearer token once, then `GET /api/v1/me` and",
        "  `GET /api/v1/products?q=…`.",
        "",
        "A failure is a status outside 2xx/3xx, a redirect elsewhere than the journey's next page,",
        'or a page with an alert (`role="alert"`). Two approvers deciding the same order is not a',
        "failure (the loser is told it was decided): counted apart. Each step adds its users,",
        "waits until all have logged in (a login costs ~0.4 s of CPU: PBKDF2, 1 000 000 rounds),",
        f"lets {fmt(run['args']['warmup'])} s pass, then measures "
        f"{fmt(run['args']['step_seconds'])} s. Steps rise until p95 passes {fmt(limit)} ms.",
        "CPU per request = cores used by the gunicorn processes (+ PostgreSQL) ÷ requests/s.",
        "",
        f"**Machine**: {run['machine']['cores']} cores ({run['machine']['cpu']}), "
        f"{run['machine']['memory_gib']} GiB, PostgreSQL {run['machine']['postgresql']}, "
        f"Python {run['machine']['python']}. Scale {run['scale']} "
        f"({run['data']['order_lines']:,} order lines, {run['data']['employees']:,} employees), "
        f"run {run['started_utc']} UTC. Load average at the end: "
        f"{', '.join(fmt(x) for x in run['machine']['load_average_at_end'])}.",
        "",
    ]
    kinds, kinds_from = result.get("worker_kinds"), run["scale"]
    if not kinds:  # not measured in this run: the last run that did (another scale)
        for other in sorted(path.parent.parent.glob("results/load-*.json")):
            data = json.loads(other.read_text())
            if data.get("worker_kinds") and "run" in data:
                kinds, kinds_from = data["worker_kinds"], data["run"]["scale"]
    if kinds:
        lines += [f"**gunicorn worker kind** (same mix, one step, scale {kinds_from}):", ""]
        lines += step_table(kinds)
        lines += [""]
        lines += [
            f"- {k['web']}: {fmt(k['throughput_rps'])} req/s, p95 {fmt(k['p95_ms'])} ms"
            for k in kinds
        ]
        lines += [""]
    lines += [f"### One web process ({result['web']})", ""]
    lines += step_table(single["steps"])
    lines += [
        "",
        held_text(held, limit),
        "",
    ]
    if held:
        lines += [
            f"Per request at that step ({held['users']} users, one web process):",
            "",
            "| request | count | p50 ms | p95 ms | errors |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, r in held["by_request"].items():
            lines.append(
                f"| {name} | {r['count']} | {fmt(r['p50_ms'])} | {fmt(r['p95_ms'])} | "
                f"{r['errors']} |"
            )
        lines.append("")
    if "scaleout" in result:
        double = result["scaleout"]
        dheld = double.get("held")
        lines += [f"### Scale-out: two web processes ({result['web']} each)", ""]
        lines += step_table(double["steps"])
        lines += [
            "",
            held_text(dheld, limit),
            "",
        ]
    mix = [
        f"{label}: {', '.join(f'{n} {state}' for state, n in sorted(part['orders'].items()))}"
        for label, part in (("one process", single), ("two processes", result.get("scaleout")))
        if part and part.get("orders")
    ]
    if mix:
        lines += ["Orders the runs placed, by state after the run: " + "; ".join(mix) + ".", ""]
    lines += ["### Delivery workers draining the outbox", ""]
    lines += [
        "| workers | deliveries | orders/s (first to last) | orders/s (wall, incl. start) "
        "| failed |",
        "|---:|---:|---:|---:|---:|",
    ]
    for key in ("drain_1", "drain_2"):
        if key in result:
            d = result[key]
            lines.append(
                f"| {d['workers']} | {d['deliveries']} | {fmt(d['orders_per_second'])} | "
                f"{fmt(d['orders_per_second_wall'])} | {d['failed']} |"
            )
    checks = result.get("checks", {})
    if checks:
        once, budgets, release = (
            checks["exactly_once"],
            checks["budgets"],
            checks["release_decisions"],
        )
        lines += [
            "",
            "### Checks after the runs",
            "",
            f"- Delivered exactly once: **{'yes' if once['ok'] else 'NO'}**: {once['deliveries']} "
            f"deliveries, {once['received_as_new']} taken as new by the receiver, "
            f"{once['received_twice_as_new']} taken twice, {once['missing_at_receiver']} missing, "
            f"{once['deliveries_not_done']} not done, {once['released_without_delivery']} released "
            f"without a delivery row, {once['repeated_requests']} repeated requests.",
            f"- Budgets exact: **{'yes' if budgets['ok'] else 'NO'}**: "
            f"{budgets['budgets_checked']} current budgets in the {budgets['companies']} "
            "companies the load touched; spent and pending from `kvote.budgets.selectors` "
            "against the SQL sums of the order lines: "
            f"{budgets['mismatches']} differ.",
            f"- No order released that should have waited: **{'yes' if release['ok'] else 'NO'}**: "
            f"{release['orders']} orders replayed against the policy and the budgets as they "
            f"stood; {release['violations']} released that needed approval, "
            f"{release['waited_without_need']} waited without need, "
            f"{release.get('ambiguous', 0)} ambiguous (a rejection at the same moment).",
        ]
    prof = result.get("profile", {})
    if prof.get("time_by_layer"):
        total = sum(prof["time_by_layer"].values()) or 1.0
        step = prof["step"]
        lines += [
            "",
            "### Where a worker's time goes (pyinstrument)",
            "",
            f"One sync worker, {step['users']} users of the same mix for "
            f"{fmt(step['seconds_measured'])} s ({fmt(step['throughput_rps'])} req/s), every "
            "request profiled (logins left out): "
            f"{fmt(prof['seconds_in_requests'])} s in requests, of which "
            f"{fmt(prof['cpu_seconds_in_requests'])} s CPU of the worker process. "
            f"Full profile: `{prof['file']}`.",
            "",
            "| layer | seconds | share |",
            "|---|---:|---:|",
        ]
        lines += [
            f"| {layer} | {fmt(seconds)} | {100 * seconds / total:.0f} % |"
            for layer, seconds in prof["time_by_layer"].items()
        ]
    best = max(
        [h for h in (held, result.get("scaleout", {}).get("held")) if h],
        key=lambda h: h["throughput_rps"],
        default=None,
    )
    others = []
    for other in sorted(path.parent.parent.glob("results/load-*.json")):
        data = json.loads(other.read_text())
        if "run" not in data or data["run"]["scale"] == run["scale"] or "single" not in data:
            continue
        one, two = data["single"].get("held"), data.get("scaleout", {}).get("held")
        others.append(
            f"- scale {data['run']['scale']} ({data['run']['started_utc']} UTC): one process "
            f"{fmt(one['throughput_rps']) if one else '–'} req/s, two processes "
            f"{fmt(two['throughput_rps']) if two else '–'} req/s held at p95 < {fmt(limit)} ms"
        )
    if others:
        lines += ["", "Other scales (bench/results/load-*.json):", "", *others]
    lines += ["", "### Goal: mixed load ≥ 300 requests/s at p95 < 250 ms", ""]
    if best and best["throughput_rps"] >= GOAL_RPS:
        lines.append(
            f"**Met**: {fmt(best['throughput_rps'])} req/s at p95 {fmt(best['p95_ms'])} ms."
        )
    else:
        got = best["throughput_rps"] if best else 0
        lines.append(
            f"**Not met**: {fmt(got)} req/s held, {fmt(round(GOAL_RPS - got, 1))} req/s "
            f"({fmt(round(100 * (GOAL_RPS - got) / GOAL_RPS))} %) short. See the analysis below."
        )
    # What follows the marker is written by hand (the analysis) and kept from run to run.
    marker = "<!-- analysis: kept when the figures above are rewritten -->"
    kept = ""
    if path.exists() and marker in (old := path.read_text()):
        kept = old.split(marker, 1)[1].lstrip("\n")
    path.write_text("\n".join([*lines, "", marker, ""]) + "\n" + kept)
