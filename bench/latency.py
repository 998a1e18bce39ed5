"""Server-side latency of the portal's pages and the API, in-process (Django's test Client),
with real logged-in users, DEBUG off: `python -m bench.latency --scale S [--runs 200]`.

Each case: warm-up, the SQL of one request captured (query count), `runs` timed requests
(median, p95, p99); each read also timed as its bare SQL through psycopg in the same run
(bench/timing.py) and the ratio framework ÷ bare. Each submit places a real order; the cart is
filled again outside the timed part. Writes bench/results/latency-<scale>.json (and, with
--explain, EXPLAIN ANALYZE of each read's slowest statement in explain-<scale>.txt)."""

import argparse
import json
import os
import platform
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.data import RESULTS, meta, scale_url

WARMUPS = 20


@dataclass
class Case:
    name: str
    group: str  # "page" or "api"
    method: str
    path: str
    actor: str  # "buyer", "supervisor" or "admin"
    body: dict[str, Any] | None = None
    expect: int = 200
    per_employee: bool = False  # index-bound: should not grow with the table


def _setup(scale: str) -> None:
    os.environ["DATABASE_URL"] = scale_url(scale)
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvote.settings")
    import django

    django.setup()


def cases(m: Any, today: Any) -> list[Case]:
    from django.urls import reverse

    year = f"from={(today - timedelta(days=365)).isoformat()}&to={today.isoformat()}"
    drill = reverse("employee_purchases", args=[m.drilldown_employee_id])
    api = "/api/v1"
    buyer, boss, admin = "buyer", "supervisor", "admin"
    return [
        Case("catalogue search", "page", "GET", f"/catalog/?q={m.search_term}", buyer),
        Case("product page", "page", "GET", reverse("catalog:product", args=[m.product_id]), buyer),
        Case("Min side", "page", "GET", reverse("checkout:my_page"), buyer, per_employee=True),
        Case("order review", "page", "GET", "/checkout/review/", boss, per_employee=True),
        Case("Til godkjenning", "page", "GET", reverse("approvals:queue"), boss),
        Case("Ansattliste (200)", "page", "GET", f"{reverse('employees_mine')}?{year}", boss),
        Case("Alle ansatte (5 000)", "page", "GET", f"{reverse('employees_all')}?{year}", admin),
        Case("drill-down", "page", "GET", f"{drill}?{year}", boss, per_employee=True),
        Case("API products?q=", "api", "GET", f"{api}/products?q={m.search_term}", buyer),
        Case("API me", "api", "GET", f"{api}/me", buyer, per_employee=True),
        Case("API orders/preview", "api", "POST", f"{api}/orders/preview", boss, {}, 200, True),
        Case("API approvals", "api", "GET", f"{api}/approvals", boss),
        Case("API employees mine", "api", "GET", f"{api}/employees?scope=mine&{year}", boss),
        Case("API employees all", "api", "GET", f"{api}/employees?scope=all&{year}", admin),
        Case(
            "API purchases",
            "api",
            "GET",
            f"{api}/employees/{m.drilldown_employee_id}/purchases?{year}",
            boss,
            per_employee=True,
        ),
    ]


class Portal:
    """Logged-in clients (session for pages, bearer token for the API) and the bench carts."""

    def __init__(self, m: Any) -> None:
        from django.test import Client

        from kvote.people.models import User

        self.meta = m
        self.users = {
            "buyer": User.objects.get(email=m.buyer_email),
            "supervisor": User.objects.get(email=m.supervisor_email),
            "admin": User.objects.get(email=m.admin_email),
        }
        from django.test import Client as AnonymousClient

        self.clients: dict[str, Any] = {"anonymous": AnonymousClient()}
        self.tokens: dict[str, str] = {}
        for role, user in self.users.items():
            client = Client()
            client.force_login(user)
            self.clients[role] = client
            answer = Client().post(
                "/api/v1/auth/token",
                {"email": user.email, "password": m.password, "label": "bench"},
                content_type="application/json",
            )
            assert answer.status_code == 200, answer.content
            self.tokens[role] = answer.json()["token"]
        self.supervisor_employees = self._team()

    def _team(self) -> list[int]:
        from kvote.people.models import Employee

        return list(
            Employee.objects.filter(supervisor=self.users["supervisor"], is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    def request(self, case: Case) -> Any:
        if case.group == "api":
            headers = {"Authorization": f"Bearer {self.tokens[case.actor]}"}
            client = self.clients["anonymous"]
            if case.method == "POST":
                return client.post(
                    case.path, case.body, content_type="application/json", headers=headers
                )
            return client.get(case.path, headers=headers)
        client = self.clients[case.actor]
        if case.method == "POST":
            return client.post(case.path, case.body or {})
        return client.get(case.path)


def run_case(
    portal: Portal, case: Case, runs: int, bare: Any, explain: list[str]
) -> dict[str, Any]:
    from bench.timing import captured, summary, timed

    def call() -> None:
        response = portal.request(case)
        if response.status_code != case.expect:
            raise AssertionError(f"{case.name}: {response.status_code} {response.content[:300]!r}")

    for _ in range(WARMUPS):
        call()
    with captured() as found:
        call()
    result: dict[str, Any] = {
        "name": case.name,
        "group": case.group,
        "path": case.path,
        "actor": case.actor,
        "per_employee": case.per_employee,
        "queries": found.count,
        **summary(timed(call, runs)),
    }
    if bare is not None:
        bare_result = bare.measure(found.reads(), runs)
        slowest = bare_result.pop("_slowest")
        result["bare"] = bare_result
        result["ratio"] = round(result["median"] / max(bare_result["median"], 0.001), 2)
        if slowest is not None and explain is not None:
            explain.append(
                f"### {case.name} ({case.path})\n{slowest[0]}\n\n{bare.explain(*slowest)}\n"
            )
    print(_line(result), flush=True)
    return result


def _line(r: dict[str, Any]) -> str:
    text = (
        f"{r['name']:<28} median {r['median']:7.1f}  p95 {r['p95']:7.1f}  "
        f"p99 {r['p99']:7.1f} ms  q {r['queries']:>2}"
    )
    if "bare" in r:
        text += f"  bare {r['bare']['median']:6.1f} ms  ×{r['ratio']}"
    return text


def submits(portal: Portal, runs: int, profile_scale: str = "") -> list[dict[str, Any]]:
    """Order submit within budget (released) and over budget (awaiting approval), each timed
    request placing a real order; the cart is filled outside the timed part."""
    from bench.cart import Refill

    refill = Refill(portal.users["supervisor"], portal.supervisor_employees)
    found = []
    for name, over, state in (
        ("order submit, within budget", False, "released"),
        ("order submit, over budget", True, "awaiting_approval"),
    ):

        def call(client: Any = portal.clients["supervisor"], name: str = name) -> None:
            response = client.post("/checkout/submit/", {"idempotency_key": uuid.uuid4().hex})
            if response.status_code != 302 or "/orders/" not in response["Location"]:
                raise AssertionError(f"{name}: {response.status_code} {response.get('Location')}")

        def before(over: bool = over) -> None:
            refill.fill(over=over)

        from bench.timing import captured, summary, timed

        for _ in range(WARMUPS // 2):
            before()
            call()
        before()
        with captured() as one:
            call()
        placed_from = refill.last_order_id()
        samples = timed(call, runs, before)
        states = refill.states_since(placed_from)
        result = {
            "name": name,
            "group": "page",
            "path": "/checkout/submit/",
            "actor": "supervisor",
            "per_employee": True,
            "queries": one.count,
            **summary(samples),
            "orders_placed": sum(states.values()),
            "states": states,
        }
        if set(states) != {state}:
            raise AssertionError(f"{name}: expected every order {state}, got {states}")
        print(_line(result), flush=True)
        found.append(result)
        if profile_scale:
            _profile_calls(call, before, f"{profile_scale}-{name}")
    return found


def machine() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
        settings = {}
        for name in (
            "shared_buffers",
            "work_mem",
            "jit",
            "random_page_cost",
            "effective_cache_size",
        ):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    memory = ""
    if Path("/proc/meminfo").exists():
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split(":")[1].strip()
    return {
        "cpus": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "postgresql": version.split(" on ")[0],
        "pg_settings": settings,
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="T")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument(
        "--only", default="", help="cases whose name contains this (comma-separated)"
    )
    parser.add_argument("--no-submit", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--out", default="")
    parser.add_argument(
        "--profile", default="", help="pyinstrument the cases whose name contains this (commas)"
    )
    options = parser.parse_args()
    scale = options.scale.upper()
    _setup(scale)
    from django.utils import timezone

    from bench.timing import Bare

    m = meta(scale)
    portal = Portal(m)
    bare = Bare()
    explain: list[str] = []
    started = time.monotonic()
    load_before = os.getloadavg()
    wanted = [w.strip().lower() for w in options.only.split(",") if w.strip()]
    all_cases = cases(m, timezone.localdate())
    _preview_body(portal, all_cases)
    from bench.cart import Refill

    Refill(portal.users["supervisor"], portal.supervisor_employees).fill(
        over=False
    )  # the review's cart
    results = []
    for case in all_cases:
        if wanted and not any(w in case.name.lower() for w in wanted):
            continue
        results.append(run_case(portal, case, options.runs, bare, explain))
    for needle in filter(None, (w.strip().lower() for w in options.profile.split(","))):
        for case in all_cases:
            if needle in case.name.lower():
                profile(portal, case, scale)
    if not options.no_submit and (not wanted or any("submit" in w for w in wanted)):
        wants_profile = any("submit" in w for w in options.profile.lower().split(","))
        results += submits(portal, options.runs, scale if wants_profile else "")
    bare.close()
    report = {
        "scale": scale,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - started, 1),
        "machine": {**machine(), "load_average_before": load_before},
        "data": {k: v for k, v in m.to_json().items() if not isinstance(v, list | dict)},
        "settings": {
            "DEBUG": False,
            "client": "django.test.Client, in-process",
            "warmups": WARMUPS,
        },
        "cases": results,
    }
    out = Path(options.out) if options.out else RESULTS / f"latency-{scale}.json"
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    if options.explain:
        (RESULTS / f"explain-{scale}.txt").write_text("\n".join(explain))
    print(f"wrote {out}", file=sys.stderr)


def profile(portal: Portal, case: Case, scale: str) -> None:
    _profile_calls(lambda: portal.request(case), None, f"{scale}-{case.name}")


def _profile_calls(call: Any, before: Any, label: str, requests: int = 100) -> None:
    """A pyinstrument profile of `requests` calls (`before` each, outside the profile) in
    bench/results/profile-<scale>-<case>.txt."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    for _ in range(requests):
        if before is not None:
            before()
        profiler.start()
        call()
        profiler.stop()
    slug = "-".join("".join(c if c.isalnum() else " " for c in label.lower()).split())
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    lines = text.splitlines()[:250]
    (RESULTS / f"profile-{slug}.txt").write_text("\n".join(lines) + "\n")
    print(f"profiled {label}: bench/results/profile-{slug}.txt", flush=True)


def _preview_body(portal: Portal, all_cases: list[Case]) -> None:
    """The API preview: two lines for two of the supervisor's employees (like the review), each
    an item their kit names (so the preview computes kit effects); the first two bench items
    when they have no kit (data from before kits)."""
    team = portal.supervisor_employees[:2]
    items = portal.meta.item_numbers
    picked = _kit_items(portal, team, items) or items[:2]
    for case in all_cases:
        if case.path.endswith("/orders/preview"):
            case.body = {
                "lines": [
                    {"sku": picked[0], "quantity": 1, "recipient_id": team[0]},
                    {"sku": picked[1], "quantity": 2, "recipient_id": team[1]},
                ]
            }


def _kit_items(portal: Portal, team: list[int], items: list[str]) -> list[str]:
    """For the two employees of `team`, the first of `items` their kit names with room for the
    preview's quantity (1, then 2; another item than the one before), so the preview computes
    kit effects within the kit; empty when one has no kit or no such item."""
    from kvote.catalog.models import Variant
    from kvote.kits.selectors import item_for, kits_for_employees

    company = portal.users["supervisor"].company
    assert company is not None
    kits = kits_for_employees(company=company, employee_ids=team)
    variants = {
        v.item_number: v
        for v in Variant.objects.filter(item_number__in=items).select_related("product")
    }
    picked: list[str] = []
    for quantity, employee in enumerate(team, start=1):
        kit = kits.get(employee)
        for number in items:
            if kit is None or number not in variants or number in picked:
                continue
            variant = variants[number]
            item = item_for(
                kit.items, product_id=variant.product_id, category_id=variant.product.category_id
            )
            if item is not None and item.remaining >= quantity:
                picked.append(number)
                break
        else:
            return []
    return picked


if __name__ == "__main__":
    main()
