"""The benchmark's data: scales, where each lives, and what a run needs to know about it.

    ensure(scale, database_url) -> BenchMeta   generate the scale's database when missing, else
                                                reuse it; writes bench/results/meta-<scale>.json
    meta(scale) -> BenchMeta                    read bench/results/meta-<scale>.json

Each scale lives in its own PostgreSQL database, named after the one DATABASE_URL names (default
kvote_bench) with the scale appended: kvote_bench_t, kvote_bench_xs, kvote_bench_s, kvote_bench_m.
Generation runs in a child process (`python -m bench.generate`), so the caller needs no Django
set up for that database; two callers at once take turns (an advisory lock), and the second
reuses what the first made. A database the generator did not make is never touched.
"""

import dataclasses
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# Where results and meta files go; KVOTE_BENCH_RESULTS puts them elsewhere (e.g. to measure
# first and publish meta-<scale>.json afterwards).
RESULTS = Path(os.environ.get("KVOTE_BENCH_RESULTS") or ROOT / "bench" / "results")
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kvote_bench"
PASSWORD = "bench-Passord-2026"  # every bench login's password


@dataclass(frozen=True)
class Scale:
    name: str
    companies: int
    employees: int
    order_lines: int
    variants: int
    big_company: int  # employees of the largest company (exactly one this size)
    years: int = 3  # of order history


SCALES: dict[str, Scale] = {
    "T": Scale(
        "T", companies=8, employees=1_500, order_lines=20_000, variants=300, big_company=600
    ),
    "XS": Scale("XS", 200, 20_000, 50_000, 5_000, 5_000),
    "S": Scale("S", 200, 20_000, 500_000, 5_000, 5_000),
    "M": Scale("M", 2_000, 200_000, 5_000_000, 5_000, 5_000),
}


@dataclass
class BenchMeta:
    scale: str
    database_url: str
    companies: int
    employees: int
    order_lines: int
    variants: int
    password: str
    big_company_id: int
    admin_email: str
    supervisor_email: str
    buyer_email: str
    approver_email: str
    drilldown_employee_id: int
    search_term: str
    product_id: int
    item_numbers: list[str]
    load_buyers: list[str]
    load_approvers: list[str]
    # Beyond the contract: facts the latency run uses and the README reports.
    orders: int = 0
    users: int = 0
    supervised_by_supervisor: int = 0
    big_company_employees: int = 0
    big_company_lines: int = 0
    kits: int = 0  # issue 17 (bench/kits.py); 0 in a meta from before kits
    kit_items: int = 0
    kit_assignments: int = 0
    employee_sizes: int = 0
    generated_seconds: float = 0.0
    generated_at: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> "BenchMeta":
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})  # type: ignore[arg-type]

    def to_json(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def scale_of(name: str) -> Scale:
    try:
        return SCALES[name.upper()]
    except KeyError:
        raise ValueError(f"Unknown scale {name!r}: one of {', '.join(SCALES)}") from None


def main_url(database_url: str | None = None) -> str:
    """The main database URL: the argument, else DATABASE_URL, else kvote_bench on localhost."""
    url = database_url or os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        raise ValueError(f"The benchmark needs PostgreSQL, not {url.split(':', 1)[0]}")
    return url


def scale_url(scale: str, database_url: str | None = None) -> str:
    """The URL of the scale's own database (the main name with `_<scale>` appended; a URL that
    already names the scale's database is kept)."""
    parts = urlsplit(main_url(database_url))
    name = parts.path.lstrip("/") or "kvote_bench"
    suffix = f"_{scale_of(scale).name.lower()}"
    if not name.endswith(suffix):
        name += suffix
    return urlunsplit(parts._replace(path=f"/{name}"))


def meta_path(scale: str) -> Path:
    return RESULTS / f"meta-{scale_of(scale).name}.json"


def meta(scale: str) -> BenchMeta:
    """What ensure() recorded about the scale's data (bench/results/meta-<scale>.json)."""
    path = meta_path(scale)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run ensure({scale!r}) (make bench) first")
    return BenchMeta.from_json(json.loads(path.read_text()))


def ensure(scale: str, database_url: str | None = None) -> BenchMeta:
    """Generate the scale's database when it is missing (or half-made by a run that died), else
    reuse it; refuses (RuntimeError) a database the generator did not make."""
    name = scale_of(scale).name
    url = scale_url(name, database_url)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "AXES_ENABLED": "0"}
    command = [sys.executable, "-m", "bench.generate", "--scale", name]
    done = subprocess.run(command, cwd=ROOT, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench.generate --scale {name} failed (exit {done.returncode})")
    return meta(name)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Make sure a scale's data exists.")
    parser.add_argument("--scale", default="T", choices=list(SCALES))
    found = ensure(parser.parse_args().scale)
    print(json.dumps({k: v for k, v in found.to_json().items() if not isinstance(v, list)}))
