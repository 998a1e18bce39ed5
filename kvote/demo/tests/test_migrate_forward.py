"""A database made by the code before the app re-cut (issue 12) migrates forward with nothing lost.

The base commit's tree is exported with `git archive` to a temporary folder; there, in its own
subprocess, it migrates a fresh database, seeds the demo, fills a few carts and dumps a snapshot
(migrate_forward_snapshot.py): orders and their lines and history, budgets and their changes and
figures, carts, employees, users, deliveries, jobs, rows per model. Then the current code, in a
second subprocess, migrates the same database and dumps the same snapshot, which must be equal.

The test never touches the pytest-django test database: it makes its own, a fresh PostgreSQL
database `kvote_mf_<random>` beside the one DATABASE_URL names (dropped afterwards), or, without
a PostgreSQL DATABASE_URL, a SQLite file in the temporary folder. Git and the base commit must
be there (CI clones main with its full history); without them the test fails, it never skips.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
import psycopg
import pytest
from django.conf import settings
from psycopg import sql

# The last commit before the app re-cut (issue 12): the code whose databases must migrate forward.
BASE_COMMIT = "d451d4154eb8e1455624cd11e46eec116239f1ce"

# Where the CURRENT code computes budget figures, called as f(company_id=, employee_ids=, on=)
# and returning {employee id: figures with .period.start/.end, .amount, .spent, .pending,
# .remaining}. When the re-cut moves the function, point this at its new home.
FIGURES_FUNCTION = "kvote.budgets.selectors.figures_for_employees"
# Where the base commit's code computes them (fixed, like BASE_COMMIT).
BASE_FIGURES_FUNCTION = "kvote.budgets.selectors.figures_for_employees"
# Where the CURRENT code answers whether a user is a budget holder, f(user) -> bool: derived from
# the budgets since issue 12. The base commit's snapshot reads its `User.is_budget_holder` flag,
# so equal snapshots mean the same users are budget holders before and after.
BUDGET_HOLDER_FUNCTION = "kvote.people.roles.is_budget_holder"

CURRENT_ROOT = Path(__file__).resolve().parents[3]
SNAPSHOT_SCRIPT = Path(__file__).with_name("migrate_forward_snapshot.py")
DB_PREFIX = "kvote_mf_"
TIMEOUT = 600  # seconds, per command
MAX_DIFF_LINES = 60

Snapshot = dict[str, Any]


@dataclass(frozen=True)
class Forward:
    base: Snapshot
    current: Snapshot
    migrate_check: subprocess.CompletedProcess[str]
    makemigrations_check: subprocess.CompletedProcess[str]
    folder: Path


def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=TIMEOUT)


def _export_base_tree(to: Path) -> None:
    """`git archive BASE_COMMIT | tar -x -C to`, failing (not skipping) without git or commit."""
    if shutil.which("git") is None:
        pytest.fail("git is not installed: this test exports the base commit's tree with it")
    top = _git("rev-parse", "--show-toplevel", cwd=CURRENT_ROOT)
    if top.returncode != 0:
        pytest.fail(f"{CURRENT_ROOT} is not a git checkout: {top.stderr.decode().strip()}")
    repo = Path(top.stdout.decode().strip())
    if _git("cat-file", "-e", f"{BASE_COMMIT}^{{commit}}", cwd=repo).returncode != 0:
        pytest.fail(
            f"The base commit {BASE_COMMIT} (the last before the app re-cut) is not in the clone "
            f"at {repo}. A shallow clone? Fetch the full history: git fetch --unshallow"
        )
    archive = _git("archive", "--format=tar", BASE_COMMIT, cwd=repo)
    if archive.returncode != 0:
        pytest.fail(f"git archive {BASE_COMMIT} failed: {archive.stderr.decode().strip()}")
    to.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(to)], input=archive.stdout, check=True)


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database for the subprocesses: on the PostgreSQL server DATABASE_URL names
    (dropped after), else a SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not _is_postgresql(url):
        yield f"sqlite:///{tmp_path_factory.mktemp('mf_db') / 'kvote_mf.sqlite3'}"
        return
    config = dj_database_url.parse(url)
    name = f"{DB_PREFIX}{secrets.token_hex(4)}"
    server = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**server) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(**server) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _is_postgresql(url: str) -> bool:
    return bool(url) and dj_database_url.parse(url)["ENGINE"] == "django.db.backends.postgresql"


def _env(root: Path, database_url: str, var_dir: Path) -> dict[str, str]:
    """The environment of a subprocess running `root`'s code: only `root` on the path, the
    database and var folder given, nothing of the test run's own Django or Kvote settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KVOTE_", "DJANGO_", "PYTHON")) and k != "DATABASE_URL"
    }
    env.update(
        DATABASE_URL=database_url,
        KVOTE_VAR_DIR=str(var_dir),
        # The pictures the demo has drawn before: copied, not drawn again (about 15 s).
        KVOTE_DEMO_PICTURES_DIR=str(settings.KVOTE_DEMO_PICTURES_DIR),
        DJANGO_SETTINGS_MODULE="kvote.settings",
        PYTHONPATH=str(root),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _run(
    args: list[str], *, root: Path, env: dict[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    if check and done.returncode != 0:
        pytest.fail(
            f"`{' '.join(args)}` in {root} exited with {done.returncode}\n"
            f"--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}",
            pytrace=False,
        )
    return done


@pytest.fixture(scope="module")
def forward(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Forward:
    folder = tmp_path_factory.mktemp("migrate_forward")
    base_root = folder / "base"
    _export_base_tree(base_root)
    scripts = folder / "scripts"
    scripts.mkdir()
    script = str(shutil.copy(SNAPSHOT_SCRIPT, scripts))
    var_dir = folder / "var"

    # The base commit's code: a new database, the demo, some carts, the snapshot.
    env = _env(base_root, database_url, var_dir)
    _run(["manage.py", "migrate", "--no-input"], root=base_root, env=env)
    _run(["manage.py", "seed_demo"], root=base_root, env=env)
    _run([script, str(base_root), "fill-carts"], root=base_root, env=env)
    base_json = folder / "base.json"
    _run(
        [script, str(base_root), "dump", str(base_json), "--figures", BASE_FIGURES_FUNCTION],
        root=base_root,
        env=env,
    )
    base = json.loads(base_json.read_text())

    # The current code: the same database migrated forward, the same snapshot (same day).
    env = _env(CURRENT_ROOT, database_url, var_dir)
    _run(["manage.py", "migrate", "--no-input"], root=CURRENT_ROOT, env=env)
    migrate_check = _run(
        ["manage.py", "migrate", "--check"], root=CURRENT_ROOT, env=env, check=False
    )
    makemigrations_check = _run(
        ["manage.py", "makemigrations", "--check", "--dry-run"],
        root=CURRENT_ROOT,
        env=env,
        check=False,
    )
    current_json = folder / "current.json"
    dump = [script, str(CURRENT_ROOT), "dump", str(current_json)]
    _run(
        [
            *dump,
            "--figures",
            FIGURES_FUNCTION,
            "--on",
            base["meta"]["on"],
            "--budget-holder",
            BUDGET_HOLDER_FUNCTION,
        ],
        root=CURRENT_ROOT,
        env=env,
    )
    current = json.loads(current_json.read_text())
    return Forward(base, current, migrate_check, makemigrations_check, folder)


def differences(base: Snapshot, current: Snapshot) -> list[str]:
    """One line per lost, new or changed row (and per changed field of a row)."""
    lines: list[str] = []
    for section in sorted(base.keys() | current.keys()):
        if section == "meta":
            continue
        old, new = base.get(section), current.get(section)
        if section == "row_counts" and isinstance(old, dict) and isinstance(new, dict):
            new = {name: new.get(name, "<no such model>") for name in old}  # new models are fine
        if old == new:
            continue
        if not isinstance(old, dict) or not isinstance(new, dict):
            lines.append(f"{section}: {old!r} → {new!r}")
            continue
        for key in sorted(old.keys() | new.keys()):
            if key not in new:
                lines.append(f"{section}[{key}]: lost, was {old[key]!r}")
            elif key not in old:
                lines.append(f"{section}[{key}]: new, is {new[key]!r}")
            elif isinstance(old[key], dict) and isinstance(new[key], dict):
                for name in sorted(old[key].keys() | new[key].keys()):
                    was, now = old[key].get(name, "<absent>"), new[key].get(name, "<absent>")
                    if was != now:
                        lines.append(f"{section}[{key}].{name}: {was!r} → {now!r}")
            elif old[key] != new[key]:
                lines.append(f"{section}[{key}]: {old[key]!r} → {new[key]!r}")
    return lines


def test_the_base_snapshot_is_not_trivial(forward: Forward) -> None:
    """So the comparison below cannot pass on an empty or half-made demo."""
    base = forward.base
    assert base["meta"]["cart_label"] == "ordering"
    on_postgresql = _is_postgresql(os.environ.get("DATABASE_URL", ""))
    assert base["meta"]["database"] == ("postgresql" if on_postgresql else "sqlite")
    assert forward.current["meta"]["database"] == base["meta"]["database"]
    assert len(base["orders"]) >= 40
    assert sum(o["state"] == "awaiting_approval" for o in base["orders"].values()) >= 1
    assert len(base["order_lines"]) >= len(base["orders"])
    assert len(base["order_state_changes"]) >= len(base["orders"])
    assert sum(f["spent"] != "0.00" for f in base["budget_figures"].values()) >= 3
    assert sum(f["pending"] != "0.00" for f in base["budget_figures"].values()) >= 1
    assert len(base["budgets"]) >= 3 and len(base["budget_changes"]) >= 3
    assert len(base["carts"]) >= 3 and len(base["cart_lines"]) >= 4
    assert any(c["use_one_off_address"] for c in base["carts"].values())
    assert any(c["delivery_address__label"] for c in base["carts"].values())
    assert len(base["employees"]) >= 10 and len(base["users"]) >= 8
    holders = [email for email, u in base["users"].items() if u["is_budget_holder"]]
    assert len(holders) >= 3 and len(holders) < len(base["users"])  # both answers occur
    assert base["deliveries"] and base["jobs"]


def test_the_migrated_database_holds_what_the_base_commit_made(forward: Forward) -> None:
    diff = differences(forward.base, forward.current)
    if diff:
        shown = diff[:MAX_DIFF_LINES]
        if len(diff) > MAX_DIFF_LINES:
            shown.append(f"… and {len(diff) - MAX_DIFF_LINES} more")
        pytest.fail(
            f"Migrating a database made by {BASE_COMMIT[:12]} forward lost or changed data: "
            f"{len(diff)} difference(s), as section[key].field: before → after\n  "
            + "\n  ".join(shown)
            + f"\nBoth snapshots: {forward.folder}/base.json and current.json",
            pytrace=False,
        )


def test_no_migration_is_left_to_apply_or_to_write(forward: Forward) -> None:
    check = forward.migrate_check
    assert check.returncode == 0, f"unapplied migrations:\n{check.stdout}{check.stderr}"
    made = forward.makemigrations_check
    assert made.returncode == 0, f"models without migrations:\n{made.stdout}{made.stderr}"
    assert "No changes detected" in made.stdout
