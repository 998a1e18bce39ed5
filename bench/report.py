"""Markdown tables from bench/results/*.json, for bench/README.md:
`python -m bench.report [--scale M]` prints the latency table of the scale, the cost-growth
table and the goals."""

import argparse
import json
from typing import Any

from bench.data import RESULTS


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def latency_table(report: dict[str, Any]) -> list[str]:
    lines = [
        "| what | median | p95 | p99 | queries | bare SQL median | framework ÷ bare |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for case in report["cases"]:
        bare = case.get("bare")
        lines.append(
            f"| {case['name']} | {_ms(case['median'])} | {_ms(case['p95'])} | "
            f"{_ms(case['p99'])} | {case['queries']} | {_ms(bare['median']) if bare else '–'} | "
            f"{'×' + str(case['ratio']) if 'ratio' in case else '–'} |"
        )
    return lines


def growth_table(growth: dict[str, Any]) -> list[str]:
    scales = list(growth["scales"])
    head = " | ".join(f"{s} p95 (median)" for s in scales)
    lines = [f"| what | {head} | p95 M ÷ XS |", "|---|" + "---:|" * (len(scales) + 1)]
    for name, row in growth["cases"].items():
        cells = []
        for scale in scales:
            point = row["scales"].get(scale)
            cells.append(f"{_ms(point['p95'])} ({_ms(point['median'])})" if point else "–")
        ratio = row.get("p95_m_over_xs")
        mark = " (per employee)" if row["per_employee"] else ""
        lines.append(
            f"| {name}{mark} | {' | '.join(cells)} | {'×' + str(ratio) if ratio else '–'} |"
        )
    return lines


def goals_table(summary: dict[str, Any]) -> list[str]:
    lines = ["| goal | measured | met? |", "|---|---|---|"]
    for goal in summary["goals"]:
        verdict = "met" if goal["met"] else f"**missed** ({goal['by']})"
        lines.append(f"| {goal['goal']} | {goal['value']} | {verdict} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="M")
    scale = parser.parse_args().scale.upper()
    out: list[str] = []
    path = RESULTS / f"latency-{scale}.json"
    if path.exists():
        report = json.loads(path.read_text())
        machine = report["machine"]
        out += [
            f"Scale {scale}: {report['data']['order_lines']:,} order lines, "
            f"{report['data']['employees']:,} employees; {report['when']}; load average before "
            f"{machine['load_average_before'][0]:.2f}, after {machine['load_average'][0]:.2f}.",
            "",
            *latency_table(report),
            "",
        ]
    path = RESULTS / "growth.json"
    if path.exists():
        out += [*growth_table(json.loads(path.read_text())), ""]
    path = RESULTS / f"summary-{scale}.json"
    if path.exists():
        out += [*goals_table(json.loads(path.read_text())), ""]
    print("\n".join(out))


if __name__ == "__main__":
    main()
