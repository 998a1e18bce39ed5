"""Cost growth: the same reads at XS (50 000 lines), S (500 000) and M (5 000 000), from the
latency-<scale>.json files: bench/results/growth.json and the plot growth.png (p95 against
order lines, log x). The check the issue asks for: every per-employee page's p95 at M within
1.5× its p95 at XS."""

import json
from pathlib import Path
from typing import Any

from bench.data import RESULTS

SCALES = ("XS", "S", "M")
LIMIT = 1.5


def load(scales: tuple[str, ...] = SCALES) -> dict[str, dict[str, Any]]:
    found = {}
    for scale in scales:
        path = RESULTS / f"latency-{scale}.json"
        if path.exists():
            found[scale] = json.loads(path.read_text())
    return found


def growth(runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per case: lines, median and p95 at each scale; the M ÷ XS ratio of p95 and median."""
    table: dict[str, dict[str, Any]] = {}
    for scale, report in runs.items():
        lines = report["data"]["order_lines"]
        for case in report["cases"]:
            row = table.setdefault(
                case["name"], {"per_employee": case["per_employee"], "scales": {}}
            )
            row["scales"][scale] = {
                "order_lines": lines,
                "median": case["median"],
                "p95": case["p95"],
                "queries": case["queries"],
            }
    checks = []
    for name, row in table.items():
        first, last = row["scales"].get("XS"), row["scales"].get("M")
        if first and last:
            row["p95_m_over_xs"] = round(last["p95"] / first["p95"], 2)
            row["median_m_over_xs"] = round(last["median"] / first["median"], 2)
            if row["per_employee"]:
                checks.append(
                    {
                        "case": name,
                        "p95_m_over_xs": row["p95_m_over_xs"],
                        "median_m_over_xs": row["median_m_over_xs"],
                        "met": row["p95_m_over_xs"] <= LIMIT,
                    }
                )
    return {
        "scales": {s: r["data"]["order_lines"] for s, r in runs.items()},
        "load_average": {s: r["machine"].get("load_average_before") for s, r in runs.items()},
        "cases": table,
        "check_per_employee_within_1_5x": checks,
        "all_met": bool(checks) and all(c["met"] for c in checks),
    }


def plot(result: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(13, 5.5), sharex=True)
    for ax, per_employee, title in (
        (axes[0], True, "Per-employee pages (should stay flat)"),
        (axes[1], False, "Lists, search and queues"),
    ):
        for name, row in result["cases"].items():
            if row["per_employee"] != per_employee or name.startswith("order submit"):
                continue
            points = sorted(row["scales"].values(), key=lambda p: p["order_lines"])
            if len(points) < 2:
                continue
            style = "--" if name.startswith("API") else "-"
            ax.plot(
                [p["order_lines"] for p in points],
                [p["p95"] for p in points],
                style,
                marker="o",
                label=name,
            )
        ax.set_xscale("log")
        ax.set_ylim(bottom=0)
        ax.set_xlabel("order lines in the database (log)")
        ax.set_ylabel("p95 latency, ms (server-side)")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    figure.suptitle("Kvote: latency against data size (XS 50 000, S 500 000, M 5 000 000 lines)")
    figure.tight_layout()
    figure.savefig(out, dpi=110)
    plt.close(figure)


def main() -> dict[str, Any]:
    runs = load()
    result = growth(runs)
    (RESULTS / "growth.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    if len(runs) >= 2:
        plot(result, RESULTS / "growth.png")
    for check in result["check_per_employee_within_1_5x"]:
        verdict = "met" if check["met"] else "MISSED"
        print(f"growth {check['case']:<28} p95 M/XS ×{check['p95_m_over_xs']}  {verdict}")
    return result


if __name__ == "__main__":
    main()
