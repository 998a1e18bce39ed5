"""Generate one scale's database: `python -m bench.generate --scale S` (DATABASE_URL names the
scale's own database; bench.data.ensure() runs this). Creates and migrates the database when it
is missing, reuses it when this generator finished it, starts again when a run of this
generator died half-way, and refuses any other non-empty database. See bench/README.md."""

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

MARKER = "bench_meta"  # the generator's own table: scale, finished or not, the meta


def _admin_connect(url: str) -> Any:
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )


def _state(url: str) -> str:
    """'missing', 'empty', 'finished', 'unfinished' (ours, died half-way) or 'foreign'."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with _admin_connect(url) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return "missing"
    with psycopg.connect(url, autocommit=True) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables").fetchall()}
        if MARKER in tables:
            row = conn.execute(f"SELECT finished FROM {MARKER}").fetchone()
            return "finished" if row and row[0] else "unfinished"
        for table in ("people_user", "companies_company", "ordering_order"):
            if table in tables and conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
                return "foreign"
        return "empty"


def _create(url: str, drop: bool) -> None:
    name = urlsplit(url).path.lstrip("/")
    with _admin_connect(url) as admin:
        if drop:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    from bench.data import SCALES, scale_of

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="T", choices=list(SCALES))
    parser.add_argument("--seed", type=int, default=8)
    options = parser.parse_args()
    scale = scale_of(options.scale)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench.generate needs DATABASE_URL naming a PostgreSQL database")
    name = urlsplit(url).path.lstrip("/")
    # One generator per database at a time: a second caller waits, then finds it finished.
    with _admin_connect(url) as lock:
        lock.execute("SELECT pg_advisory_lock(hashtext(%s))", [f"kvote-bench:{name}"])
        state = _state(url)
        if state == "foreign":
            sys.exit(f"Refusing: database {name} holds data this generator did not make.")
        if state in ("missing", "unfinished"):
            if state == "unfinished":
                print(f"{name}: an earlier run did not finish; starting again", file=sys.stderr)
            _create(url, drop=state == "unfinished")
        _django_setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # also brings a reused database up to date
        if state == "finished":
            found = _read_marker()
            print(f"{name}: reusing scale {found['scale']} data", file=sys.stderr)
            _kits_on_reuse(found, options.seed)
        else:
            found = _generate(scale, url, options.seed)
        from bench.data import BenchMeta, meta_path

        path = meta_path(scale.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        found["database_url"] = url
        ordered = BenchMeta.from_json(found).to_json()  # the fields' order, not the marker's
        path.write_text(json.dumps(ordered, indent=1, ensure_ascii=False) + "\n")


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvote.settings")
    import django

    django.setup()


def _kits_on_reuse(found: dict[str, Any], seed: int) -> None:
    """A database finished before kits existed gets them (bench/kits.py), in one transaction,
    with the same seed it was made with; its meta then counts them."""
    from django.db import connection, transaction

    from bench import kits

    if kits.present():
        return
    started = time.monotonic()
    with transaction.atomic():
        added = kits.add(
            int(found.get("extra", {}).get("seed", seed)),
            supervisor_email=found["supervisor_email"],
            load_buyers=found["load_buyers"],
        )
        found.update(added.as_meta())
        found.setdefault("extra", {})["over_entitlement"] = added.over_entitlement
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {MARKER} SET meta = %s", [json.dumps(found, default=str)])
    print(
        f"Kits added to the reused data in {time.monotonic() - started:.1f} s: "
        f"{added.kits} kits, {added.kit_assignments} assignments, "
        f"{added.employee_sizes} sizes",
        file=sys.stderr,
    )


def _read_marker() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT meta FROM {MARKER}")
        value = cursor.fetchone()[0]
    return value if isinstance(value, dict) else json.loads(value)


def _generate(scale: Any, url: str, seed: int) -> dict[str, Any]:
    from django.db import connection

    from bench import history, kits, people
    from bench.bulk import Progress
    from bench.data import PASSWORD, BenchMeta

    start = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {MARKER} (scale text PRIMARY KEY, finished boolean NOT NULL, "
            "meta jsonb NOT NULL DEFAULT '{}')"
        )
        cursor.execute(f"INSERT INTO {MARKER} (scale, finished) VALUES (%s, false)", [scale.name])
    print(f"Generating scale {scale.name} into {urlsplit(url).path[1:]}", file=sys.stderr)
    world = people.generate(scale, seed)
    counts = history.generate(scale, world, seed)
    kit_counts = kits.add(
        seed, supervisor_email=world.supervisor_email, load_buyers=world.load_buyers
    )
    analyse = Progress("ANALYZE", 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    analyse.step()
    analyse.done()
    result = BenchMeta(
        scale=scale.name,
        database_url=url,
        companies=len(world.companies),
        employees=len(world.employees),
        order_lines=counts.lines,
        variants=len(world.variants),
        password=PASSWORD,
        big_company_id=world.companies[0].pk,
        admin_email=world.admin_email,
        supervisor_email=world.supervisor_email,
        buyer_email=world.buyer_email,
        approver_email=world.supervisor_email,
        drilldown_employee_id=world.drilldown_employee_id,
        search_term=world.search_term,
        product_id=world.product_id,
        item_numbers=world.item_numbers,
        load_buyers=world.load_buyers,
        load_approvers=world.load_approvers,
        orders=counts.orders,
        users=world.users,
        supervised_by_supervisor=world.supervised,
        big_company_employees=scale.big_company,
        big_company_lines=counts.big_company_lines,
        generated_seconds=round(time.monotonic() - start, 1),
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        extra={
            "seed": seed,
            "lines_same_at_every_scale": counts.special_lines,
            "over_entitlement": kit_counts.over_entitlement,
        },
        kits=kit_counts.kits,
        kit_items=kit_counts.kit_items,
        kit_assignments=kit_counts.kit_assignments,
        employee_sizes=kit_counts.employee_sizes,
    ).to_json()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {MARKER} SET finished = true, meta = %s", [json.dumps(result, default=str)]
        )
    print(f"Scale {scale.name} generated in {result['generated_seconds']} s", file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
