"""Benchmark of «Mine ansatte» on PostgreSQL: the employee list with a one-year filter and the
drill-down of one employee, on 2 000 employees and 500 000 order lines. See bench/README.md.

    .venv/bin/python bench/employee_lists.py [--reuse] [--runs 30] [--explain]
        [--set random_page_cost=1.1 --set jit=off]

DATABASE_URL names the database (default postgres://postgres@127.0.0.1:5432/kvote_bench); it is
created and migrated when missing. The script refuses SQLite, and refuses a database that already
holds data unless --reuse is given (then it measures the data already there).
"""

import argparse
import functools
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kvote_bench"
WARMUPS = 3
PAGE = 50


def _setup() -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvote.settings")
    os.environ.setdefault("AXES_ENABLED", "0")
    import django

    django.setup()


def _ensure_database() -> None:
    """Create the named PostgreSQL database when it does not exist yet."""
    import psycopg
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor != "postgresql":
        sys.exit(f"Refusing to run on {connection.vendor}: the benchmark is for PostgreSQL.")
    params = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{settings["NAME"]}"')


def _apply_settings(pairs: list[str]) -> None:
    """PostgreSQL session settings (--set name=value) on every connection Django opens."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    statements = []
    for pair in pairs:
        name, _, value = pair.partition("=")
        if not name.replace("_", "").isalnum() or not value.replace(".", "").isalnum():
            sys.exit(f"Bad --set {pair!r}: expected name=value")
        statements.append(f"SET {name} = {value}")

    def apply(sender: object, connection: Any, **kwargs: Any) -> None:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    if statements:
        connection_created.connect(apply, weak=False)
        connection.close()


def _count_queries(run: Callable[[], Any]) -> int:
    """Queries of one run (execute_wrapper: also inside a test-client request, where
    CaptureQueriesContext is emptied by the request_started signal)."""
    from django.db import connection

    count = 0

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        run()
    return count


def _timed(label: str, run: Callable[[], Any], runs: int) -> dict[str, Any]:
    for _ in range(WARMUPS):
        run()
    queries = _count_queries(run)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    result = {
        "label": label,
        "median": statistics.median(samples),
        "p90": samples[max(0, round(0.9 * len(samples)) - 1)],
        "min": samples[0],
        "queries": queries,
    }
    print(
        f"{label:<48} median {result['median']:7.1f} ms  p90 {result['p90']:7.1f} ms  "
        f"min {result['min']:7.1f} ms  queries {result['queries']}"
    )
    return result


def _get_ok(client: Any, url: str, query: dict[str, str]) -> None:
    response = client.get(url, query)
    assert response.status_code == 200, (url, response.status_code)


def _page_url(names: tuple[str, ...], *args: int) -> str | None:
    from django.urls import NoReverseMatch, reverse

    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="measure the data already there")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a PostgreSQL session setting for the measurements, e.g. random_page_cost=1.1",
    )
    options = parser.parse_args()
    _setup()
    _ensure_database()

    import generate
    from alternatives import employee_list_by_subquery
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from kvote.budgets.selectors import figures_for_employees
    from kvote.ordering.models import Order, OrderLine
    from kvote.people.models import Employee, User
    from kvote.people.selectors import DateRange, employee_list, employee_purchases

    call_command("migrate", verbosity=0)
    if User.objects.exists() or Order.objects.exists():
        if not options.reuse:
            sys.exit("Refusing: the database is not empty (pass --reuse to measure its data).")
        if not User.objects.filter(email=generate.SUPERVISOR_EMAIL).exists():
            sys.exit("Refusing: --reuse needs a database this script filled.")
    else:
        start = time.perf_counter()
        generate.generate()
        print(f"generated in {time.perf_counter() - start:.0f} s")
    setup_test_environment()  # DEBUG off, 'testserver' allowed
    _apply_settings(options.set)

    supervisor = User.objects.get(email=generate.SUPERVISOR_EMAIL)
    admin = User.objects.get(email=generate.ADMIN_EMAIL)
    company_id = supervisor.company_id
    assert company_id is not None
    today = timezone.localdate()
    year = DateRange(today - timedelta(days=365), today)
    heavy = Employee.objects.filter(company_id=company_id).order_by("number").first()
    assert heavy is not None
    print(
        f"PostgreSQL {getattr(connection, 'pg_version', '?')}; employees "
        f"{Employee.objects.filter(company_id=company_id).count()}, orders "
        f"{Order.objects.filter(company_id=company_id).count()}, order lines "
        f"{OrderLine.objects.filter(company_id=company_id).count()}"
    )

    def list_page(actor: User, mine: bool, sort: str = "name", select: Any = employee_list) -> None:
        rows = list(select(actor=actor, mine=mine, period=year, sort=sort)[:PAGE])
        figures_for_employees(company_id=company_id, employee_ids=[e.pk for e in rows])

    for sort in ("name", "total"):  # the proposed shape gives the same rows and totals
        ours = employee_list(actor=admin, mine=False, period=year, sort=sort)[:PAGE]
        theirs = employee_list_by_subquery(actor=admin, mine=False, period=year, sort=sort)
        same = [(e.pk, getattr(e, "total")) for e in ours]  # noqa: B009 (annotation)
        assert same == [(e.pk, getattr(e, "total")) for e in theirs[:PAGE]]  # noqa: B009

    def drill_down() -> None:
        _, lines = employee_purchases(actor=supervisor, employee_id=heavy.pk, period=year)
        list(lines)

    _, heavy_lines = employee_purchases(actor=supervisor, employee_id=heavy.pk, period=year)
    print(f"drill-down employee {heavy.number}: {heavy_lines.count()} lines in the year")
    runs = options.runs
    _timed("Alle ansatte, selectors, 1 year, by name", lambda: list_page(admin, False), runs)
    _timed(
        "Alle ansatte, selectors, 1 year, by total", lambda: list_page(admin, False, "total"), runs
    )
    _timed("Ansattliste (40), selectors, 1 year", lambda: list_page(supervisor, True), runs)
    _timed("Drill-down, selector, 1 year", drill_down, runs)
    alt = employee_list_by_subquery
    _timed(
        "Proposed: Alle ansatte, 1 year, by name", lambda: list_page(admin, False, select=alt), runs
    )
    _timed(
        "Proposed: Alle ansatte, 1 year, by total",
        lambda: list_page(admin, False, "total", select=alt),
        runs,
    )
    _timed(
        "Proposed: Ansattliste (40), 1 year", lambda: list_page(supervisor, True, select=alt), runs
    )

    client = Client()
    query = {"from": year.first.isoformat(), "to": year.last.isoformat()}  # type: ignore[union-attr]
    all_url = _page_url(("employees_all", "people:employees_all"))
    mine_url = _page_url(("employees_mine", "people:employees_mine"))
    drill_url = _page_url(("employee_purchases", "people:employee_purchases"), heavy.pk)
    for label, user, url in (
        ("Alle ansatte page (admin), 1 year", admin, all_url),
        ("Alle ansatte page (supervisor), 1 year", supervisor, all_url),
        ("Ansattliste page, 1 year", supervisor, mine_url),
        ("Drill-down page, 1 year", supervisor, drill_url),
    ):
        if url is None:
            print(f"{label:<48} (page not there yet)")
            continue
        client.force_login(user)

        def get(url: str = url) -> None:  # type: ignore[assignment]
            response = client.get(url, query)
            assert response.status_code == 200, (url, response.status_code)

        _timed(label, get, runs)

    # The pages again with the proposed selector shape in place of employee_list (the views
    # call it as selectors.employee_list, so the module attribute is swapped for these runs).
    from kvote.people import selectors

    selectors.employee_list = employee_list_by_subquery
    try:
        for label, user, url in (
            ("Proposed: Alle ansatte page (admin), 1 year", admin, all_url),
            ("Proposed: Ansattliste page, 1 year", supervisor, mine_url),
        ):
            if url is not None:
                client.force_login(user)
                _timed(label, functools.partial(_get_ok, client, url, query), runs)
    finally:
        selectors.employee_list = employee_list

    if options.explain:
        for qs in (
            employee_list(actor=admin, mine=False, period=year)[:PAGE],
            employee_list_by_subquery(actor=admin, mine=False, period=year)[:PAGE],
            employee_purchases(actor=supervisor, employee_id=heavy.pk, period=year)[1],
        ):
            print(qs.explain(analyze=True, buffers=True))


if __name__ == "__main__":
    main()
