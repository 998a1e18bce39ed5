"""The mixed load of issue 8: real user journeys over HTTP, run by locust (headless) from
bench/load/run.py, which writes the configuration this file reads (KVOTE_LOAD_CONFIG, JSON).

Users, each logged in once through the login form (with its CSRF token):
- BuyerUser (a budget holder, one login per simulated user: the cart is per login): catalogue,
  search, product page, add to cart (from the product page, sometimes by item number too), cart,
  checkout, review, place the order (some within budget, some over so they wait), confirmation,
  Min side.
- ApproverUser: «Til godkjenning», decide one of the waiting orders (a random one: approve, or
  now and then reject with a comment, which gives the budget back), the queue again.
- SupervisorUser: «Ansattliste» and «Alle ansatte» (last 12 months), Min side.
- ApiUser: a bearer token once (POST /api/v1/auth/token), then /api/v1/me and
  /api/v1/products?q=.

Every request is followed by a think time (CONFIG think_min–think_max seconds).

A failure is a status outside 2xx/3xx, an unexpected redirect (to the login page, or back from the
review to the cart), or a page with an alert (`role="alert"`: an error message or a form error).
An approval refused because another approver decided that order first is correct behaviour, not
an error: it is counted apart ("decision_conflicts").

The step shape (StepShape) raises the number of users step by step; this file records every
request's time per step itself (the `request` event), leaving out each step's first seconds, and
writes the per-step figures to KVOTE_LOAD_OUT when locust stops. It stops after the step whose
p95 passed the limit.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from collections import Counter, defaultdict
from typing import Any

from locust import LoadTestShape, between, events, task
from locust.contrib.fasthttp import FastHttpUser

CONFIG: dict[str, Any] = json.loads(
    open(os.environ["KVOTE_LOAD_CONFIG"], encoding="utf-8").read()  # noqa: SIM115
)
HOSTS: list[str] = CONFIG["hosts"]
PASSWORD: str = CONFIG["password"]

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VARIANT_INPUT = re.compile(r'name="variant_id" value="(\d+)"')
PRODUCT_LINK = re.compile(r'href="/catalog/(\d+)/"')
IDEMPOTENCY_INPUT = re.compile(r'name="idempotency_key" value="([0-9a-f]+)"')
RADIO = re.compile(r"<input[^>]*>")
DECIDE_ACTION = re.compile(r'action="/approvals/(\d+)/decide/"')
ORDER_URL = re.compile(r"/orders/(\d+)/confirmation/")
ALERT = 'role="alert"'
ALREADY_DECIDED = ("allerede behandlet", "already decided")


# --- Per-step recording ---------------------------------------------------------------------


class Recorder:
    """Every request's end time, name, duration and outcome, by step, in memory (a few hundred
    thousand floats at most); the per-step summary is written when locust quits."""

    def __init__(self) -> None:
        self.step = -1
        self.step_started = 0.0
        self.records: dict[int, list[tuple[float, str, float, bool]]] = defaultdict(list)
        self.counters: dict[int, Counter[str]] = defaultdict(Counter)
        self.failures: dict[int, Counter[str]] = defaultdict(Counter)
        self.steps: list[dict[str, Any]] = []
        self.ready = 0  # users that finished logging in (users are only added, never stopped)

    def on_request(
        self, name: str, response_time: float, exception: BaseException | None, **_: Any
    ) -> None:
        if self.step < 0:
            return
        self.records[self.step].append((time.time(), name, response_time, exception is not None))
        if exception is not None:
            self.failures[self.step][f"{name}: {str(exception)[:160]}"] += 1

    def count(self, what: str) -> None:
        if self.step >= 0:
            self.counters[self.step][what] += 1

    def start_step(self, index: int, users: int) -> None:
        self.step = index
        self.step_started = time.time()
        self.steps.append({"users": users, "started": self.step_started})

    def summary(self, index: int, warmup: float) -> dict[str, Any]:
        info = self.steps[index]
        begin = info.get("measured_from", info["started"] + warmup)
        end = info.get("ended", time.time())
        rows = [r for r in self.records[index] if r[0] >= begin]
        window = max(end - begin, 1e-9)
        times = sorted(r[2] for r in rows)
        by_name: dict[str, list[float]] = defaultdict(list)
        failed_by_name: Counter[str] = Counter()
        for _t, name, ms, failed in rows:
            by_name[name].append(ms)
            failed_by_name[name] += failed
        return {
            "users": info["users"],
            "seconds_ramp": round(begin - info["started"], 1),
            "seconds_measured": round(window, 1),
            "requests": len(rows),
            "throughput_rps": round(len(rows) / window, 1),
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "p99_ms": percentile(times, 99),
            "max_ms": round(times[-1], 1) if times else None,
            "errors": sum(1 for r in rows if r[3]),
            "errors_whole_step": sum(1 for r in self.records[index] if r[3]),
            "failure_samples": dict(self.failures[index].most_common(10)),
            "journeys": dict(self.counters[index]),
            "by_request": {
                name: {
                    "count": len(values),
                    "p50_ms": percentile(sorted(values), 50),
                    "p95_ms": percentile(sorted(values), 95),
                    "errors": failed_by_name[name],
                }
                for name, values in sorted(by_name.items())
            },
        }


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of sorted values."""
    if not values:
        return None
    rank = max(1, -(-len(values) * pct // 100))
    return round(values[int(rank) - 1], 1)


RECORDER = Recorder()


@events.request.add_listener
def _record(**kwargs: Any) -> None:
    RECORDER.on_request(**kwargs)


@events.quitting.add_listener
def _write(environment: Any, **_: Any) -> None:
    if RECORDER.steps and "ended" not in RECORDER.steps[-1]:
        RECORDER.steps[-1]["ended"] = time.time()
    steps = [RECORDER.summary(i, CONFIG["warmup_seconds"]) for i in range(len(RECORDER.steps))]
    with open(os.environ["KVOTE_LOAD_OUT"], "w", encoding="utf-8") as out:
        json.dump({"steps": steps, "step_times": RECORDER.steps}, out, indent=1)


class StepShape(LoadTestShape):
    """CONFIG["steps"] users in turn. A step first adds its users and waits until they have all
    logged in (a login hashes the password: about half a second of CPU), then
    CONFIG["warmup_seconds"] more, then measures CONFIG["step_seconds"]. Stops after the step
    whose p95 passed CONFIG["p95_limit_ms"], or after the last."""

    def __init__(self) -> None:
        super().__init__()
        self.index = -1
        self.step_end = 0.0

    def tick(self) -> tuple[int, float] | None:
        now = time.time()
        steps: list[int] = CONFIG["steps"]
        if self.index >= 0 and "measured_from" not in RECORDER.steps[self.index]:
            info = RECORDER.steps[self.index]
            if RECORDER.ready >= steps[self.index] or now - info["started"] > CONFIG["ramp_max"]:
                info["measured_from"] = now + CONFIG["warmup_seconds"]
                info["logged_in"] = RECORDER.ready
                self.step_end = info["measured_from"] + CONFIG["step_seconds"]
        elif self.index < 0 or now >= self.step_end:
            if self.index >= 0:
                RECORDER.steps[self.index]["ended"] = now
                p95 = RECORDER.summary(self.index, CONFIG["warmup_seconds"])["p95_ms"]
                if p95 is not None and p95 > CONFIG["p95_limit_ms"] and CONFIG["stop_at_limit"]:
                    return None
                if self.index + 1 >= len(steps):
                    return None
            self.index += 1
            RECORDER.start_step(self.index, steps[self.index])
        users = steps[self.index]
        return users, float(CONFIG["spawn_rate"])


# --- Users ----------------------------------------------------------------------------------

_numbers = itertools.count()


class PortalUser(FastHttpUser):
    """Logs in once through the form; `self.email` is chosen by the subclass. Requests go to one
    of HOSTS (round robin over the users: the load balancer of the scale-out run)."""

    abstract = True
    wait_time = between(CONFIG["think_min"], CONFIG["think_max"])
    logins: list[str] = []
    _next: itertools.count[int]

    def __init__(self, environment: Any) -> None:
        self.number = next(_numbers)
        self.host = HOSTS[self.number % len(HOSTS)]
        super().__init__(environment)
        index = next(type(self)._next)
        self.email = self.logins[index % len(self.logins)]

    def on_start(self) -> None:
        self.login()
        RECORDER.ready += 1

    # helpers

    def page(self, path: str, name: str, *, expect: str | None = None) -> str:
        """GET a page; a failure unless 200, without an alert (and with `expect` when given)."""
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as r:
            text = r.text or ""
            if r.status_code != 200:
                r.failure(f"status {r.status_code} {r.headers.get('Location', '')}")
            elif ALERT in text:
                r.failure(f"alert: {alert_text(text)}")
            elif expect is not None and expect not in text:
                r.failure(f"missing {expect!r}")
        self.wait()  # the user reads the page
        return text

    def post(self, path: str, data: dict[str, Any], name: str, *, to: str | None = None) -> str:
        """POST a form; a failure unless it redirects (to a path starting with `to`)."""
        headers = {"Referer": f"{self.host}{path}"}
        with self.client.post(
            path, data=data, name=name, catch_response=True, allow_redirects=False, headers=headers
        ) as r:
            location = r.headers.get("Location", "") or ""
            if r.status_code != 302:
                detail = alert_text(r.text or "") if ALERT in (r.text or "") else ""
                r.failure(f"status {r.status_code} {detail}")
            elif to is not None and not location.startswith(to):
                r.failure(f"redirected to {location}")
        self.wait()
        return location

    def csrf(self, text: str) -> str:
        match = CSRF_INPUT.search(text)
        return match.group(1) if match else ""

    def login(self) -> None:
        text = self.page("/login/", "login form")
        self.post(
            "/login/",
            {"csrfmiddlewaretoken": self.csrf(text), "username": self.email, "password": PASSWORD},
            "login",
            to="/",
        )
        self.token = self.csrf(self.page("/min-side/", "min side"))


def alert_text(text: str) -> str:
    at = text.find(ALERT)
    snippet = re.sub(r"<[^>]+>", " ", text[at : at + 600])
    return " ".join(snippet.split())[:200]


class BuyerUser(PortalUser):
    """A budget holder ordering for themselves."""

    weight = CONFIG["weights"]["buyer"]
    logins = CONFIG["buyers"]
    _next = itertools.count()

    @task
    def journey(self) -> None:
        term = CONFIG["search_term"]
        self.page("/catalog/", "catalogue")
        found = self.page(f"/catalog/?q={term}", "search")
        ids = PRODUCT_LINK.findall(found) or [str(random.choice(CONFIG["product_ids"]))]
        product = self.page(f"/catalog/{random.choice(ids)}/", "product page")
        variant = VARIANT_INPUT.search(product)
        over = random.random() < CONFIG["over_budget_share"]
        if variant is None:
            return
        quantity = CONFIG["over_quantity"] if over else 1
        self.post(
            "/cart/add/",
            {
                "csrfmiddlewaretoken": self.csrf(product),
                "variant_id": variant.group(1),
                "quantity": quantity,
                "next": "/cart/",
            },
            "cart add",
            to="/cart/",
        )
        if random.random() < 0.3:
            self.post(
                "/cart/quick-order/",
                {
                    "csrfmiddlewaretoken": self.csrf(product),
                    "lines": f"{random.choice(CONFIG['item_numbers'])}\t1",
                },
                "cart quick order",
                to="/cart/",
            )
        self.page("/cart/", "cart")
        checkout = self.page("/checkout/", "checkout")
        self.post(
            "/checkout/",
            {
                "csrfmiddlewaretoken": self.csrf(checkout),
                "delivery": chosen_radio(checkout, "delivery") or "",
                "customer_reference": f"load {uuid.uuid4().hex[:8]}",
            },
            "checkout save",
            to="/checkout/review/",
        )
        review = self.page("/checkout/review/", "review", expect="idempotency_key")
        key = IDEMPOTENCY_INPUT.search(review)
        if key is None:
            return
        location = self.post(
            "/checkout/submit/",
            {"csrfmiddlewaretoken": self.csrf(review), "idempotency_key": key.group(1)},
            "submit",
            to="/orders/",
        )
        if ORDER_URL.search(location):
            confirmation = self.page(location, "confirmation")
            waits = 'data-color="warning"' in confirmation
            RECORDER.count("orders_awaiting_approval" if waits else "orders_released")
            RECORDER.count("orders_meant_over" if over else "orders_meant_within")
        self.page("/min-side/", "min side")


def chosen_radio(text: str, name: str) -> str | None:
    first = None
    for tag in RADIO.findall(text):
        if f'name="{name}"' not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if value is None:
            continue
        first = first or value.group(1)
        if " checked" in tag:
            return value.group(1)
    return first


class ApproverUser(PortalUser):
    weight = CONFIG["weights"]["approver"]
    logins = CONFIG["approvers"]
    _next = itertools.count()

    @task
    def decide(self) -> None:
        text = self.page("/approvals/", "til godkjenning")
        orders = DECIDE_ACTION.findall(text)
        if not orders:
            RECORDER.count("approver_queue_empty")
            return
        order_id = random.choice(orders)
        reject = random.random() < CONFIG["reject_share"]
        self.post(
            f"/approvals/{order_id}/decide/",
            {
                "csrfmiddlewaretoken": self.csrf(text),
                "decision": "reject" if reject else "approve",
                "comment": "Load test: not this time." if reject else "",
            },
            "reject" if reject else "approve",
            to="/approvals/",
        )
        with self.client.get(
            "/approvals/", name="til godkjenning", catch_response=True, allow_redirects=False
        ) as r:
            after = r.text or ""
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
            elif ALERT in after and any(words in after for words in ALREADY_DECIDED):
                RECORDER.count("decision_conflicts")
            elif ALERT in after:
                r.failure(f"alert: {alert_text(after)}")
            else:
                RECORDER.count("rejected" if reject else "approved")


class SupervisorUser(PortalUser):
    weight = CONFIG["weights"]["supervisor"]
    logins = CONFIG["supervisors"]
    _next = itertools.count()

    @task
    def lists(self) -> None:
        self.page("/min-side/ansatte/?period=12m", "ansattliste 12m")
        self.page("/min-side/ansatte/alle/?period=12m", "alle ansatte 12m")
        self.page("/min-side/", "min side")


class ApiUser(FastHttpUser):
    weight = CONFIG["weights"]["api"]
    wait_time = between(CONFIG["think_min"], CONFIG["think_max"])
    logins: list[str] = CONFIG["api_users"]
    _next = itertools.count()

    def __init__(self, environment: Any) -> None:
        self.host = HOSTS[next(_numbers) % len(HOSTS)]
        super().__init__(environment)
        self.email = self.logins[next(ApiUser._next) % len(self.logins)]
        self.headers: dict[str, str] = {}

    def on_start(self) -> None:
        with self.client.post(
            "/api/v1/auth/token",
            json={"email": self.email, "password": PASSWORD, "label": "load"},
            name="api token",
            catch_response=True,
        ) as r:
            if r.status_code == 200:
                self.headers = {"Authorization": f"Bearer {r.json()['token']}"}
            else:
                r.failure(f"status {r.status_code}")
        RECORDER.ready += 1

    def get(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, headers=self.headers, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
        self.wait()

    @task
    def reads(self) -> None:
        self.get("/api/v1/me", "api me")
        self.get(f"/api/v1/products?q={CONFIG['search_term']}", "api products")
