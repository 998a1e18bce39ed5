"""The form and query fuzzer's machinery (tests/fuzz/test_fuzz_forms.py runs it): the portal's
URLs from its resolver, path parameters filled with ids, pages parsed for their forms and
links, hostile values per kind of field, and the checks on every answer.

Every request runs in a savepoint that is rolled back and with the client's cookies restored
after it, so each one meets the same data and the same login, whatever the one before did.
"""

import copy
import hashlib
import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import lxml.html
from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import NoReverseMatch, Resolver404

SEED = 13  # issue 13: the same values on every run
PER_FIELD = 5  # hostile values per field of a form, beside NUL

# --- Hostile values, by the kind of field they are aimed at --------------------------------

NUL = "a\x00b"
CONTROL = "\x01\x02\x1b[2J\x7f\x85\x9f"
CONTROL_ONLY = "\x00\x01\x1b\u202e"
LONG = "x" * 10_000
RTL = "\u202eevil\u202c"
ARABIC_DIGITS = "٠١٥٠"
FULLWIDTH_DIGITS = "０１５０"
TEXT = [NUL, CONTROL, CONTROL_ONLY, LONG, RTL, ARABIC_DIGITS, FULLWIDTH_DIGITS, "", " \t "]
DATES = [
    "0001-01-01",
    "9999-12-31",
    "99999-01-01",
    "2026-02-30",
    "31.12.9999",
    "01.01.0001",
    "2025-13-01",
    "٢٠٢٥-٠١-٠١",
    "2025-01-01\x00",
]
NUMBERS = [
    "-1",
    "0",
    "99999999999999999999999",
    "1.5",
    "0,5",
    "1e309",
    "NaN",
    "Infinity",
    "-Infinity",
    "١٢",
]
HOSTILE_CSV = [
    b"name,number\n\x00,\x00\n",
    b"name,number,email\nA\x00B,1\x002,a\x00@b.no\n",
    b"name;number\n" + "\u202e".encode() + b"Eve;\xd9\xa1\xd9\xa2\n",
    b"name,number\n" + b"x" * 10_000 + b",1\n",
    b"\xff\xfe\x00n\x00a",
    b"",
]


@dataclass
class Role:
    key: str
    email: str | None  # None: anonymous
    company: str | None  # org-less for staff and anonymous


@dataclass
class Stats:
    urls: int = 0
    pages: int = 0
    forms: int = 0
    fields: int = 0
    values: int = 0
    requests: int = 0
    digests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "urls": self.urls,
            "pages": self.pages,
            "forms": self.forms,
            "fields": self.fields,
            "values": self.values,
            "requests": self.requests,
            "digests": self.digests,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


@dataclass(frozen=True)
class Finding:
    kind: str  # "5xx", "written", "no message"
    route: str  # the URL pattern's name
    method: str
    where: str  # field or parameter, "" for the path
    value: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.method} {self.route} {self.where}={self.value!r}: {self.detail}"


# --- The URLs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str  # namespaced name, for reverse()
    params: tuple[str, ...]  # path parameters (names)
    defaults: tuple[tuple[str, Any], ...]
    admin_model: str  # "app_label.model" for the back office's model pages


def endpoints() -> list[Endpoint]:
    """Every named URL of the portal but the API (schemathesis covers it:
    kvote/api/tests/test_schema_fuzz.py)."""
    found: list[Endpoint] = []

    def walk(patterns: list[Any], namespace: str, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                route = prefix + str(p.pattern)
                if route.startswith("api/v1/"):
                    continue
                ns = f"{namespace}:{p.namespace}" if p.namespace else namespace
                walk(p.url_patterns, ns, route)
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}:{p.name}".lstrip(":")
                regex = p.pattern.regex
                params = tuple(regex.groupindex)
                model = ""
                match = re.match(r"admin:(\w+?)_(\w+?)_(change|delete|history)$", name)
                if match:
                    model = f"{match[1]}.{match[2]}"
                found.append(Endpoint(name, params, tuple(sorted(p.default_args.items())), model))

    walk(get_resolver().url_patterns, "", "")
    unique = {(e.name, e.defaults): e for e in found}
    return list(unique.values())


# --- Answers --------------------------------------------------------------------------------


def page_text(response: HttpResponse) -> str:
    if response.get("Content-Type", "").startswith("text/html"):
        html = response.content.decode("utf-8", "replace")
        if not html.strip():
            return ""
        try:
            return " ".join(lxml.html.fromstring(html).text_content().split())
        except Exception:
            return html
    return response.content.decode("utf-8", "replace").strip()


ERROR_MARKUP = re.compile(rb'data-color="danger"|role="alert"|class="errorlist|errornote')


def has_error_markup(response: HttpResponse) -> bool:
    return bool(ERROR_MARKUP.search(response.content))


def queued_messages(response: HttpResponse) -> list[tuple[int, str]]:
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return [(m.level, str(m.message)) for m in queued]


# --- What the database holds ----------------------------------------------------------------

IGNORED_TABLES = {"django_session"}
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def writes(query: dict[str, str]) -> bool:
    sql = query["sql"]
    return bool(WRITE.match(sql)) and not any(t in sql for t in IGNORED_TABLES)


def digest() -> dict[str, str]:
    """Every table's rows, as a hash per table (the world is small)."""
    out: dict[str, str] = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in IGNORED_TABLES or model._meta.proxy or not model._meta.managed:
                continue
            cursor.execute(f'SELECT * FROM "{table}"')
            rows = sorted(repr(row) for row in cursor.fetchall())
            out[table] = hashlib.sha1("\n".join(rows).encode(), usedforsecurity=False).hexdigest()
    return out


# --- The walk -------------------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    fields: list[tuple[str, str, str]]  # name, kind, valid value
    files: list[str]


def parse_forms(html: bytes, page_url: str) -> tuple[list[Form], set[str]]:
    """The page's forms (what a browser would send, as the valid values), and the query
    parameter names its same-site links carry."""
    try:
        doc = lxml.html.fromstring(html)
    except Exception:
        return [], set()
    params: set[str] = set()
    for a in doc.iter("a"):
        href = a.get("href") or ""
        parts = urlsplit(href)
        if not parts.netloc:
            params.update(k for k, _v in parse_qsl(parts.query, keep_blank_values=True))
    forms: list[Form] = []
    for f in doc.forms:
        action = f.get("action") or page_url
        method = (f.get("method") or "get").lower()
        hx = f.get("hx-post") or f.get("hx-get")
        if hx:
            action, method = hx, "post" if f.get("hx-post") else "get"
        fields: list[tuple[str, str, str]] = []
        files: list[str] = []
        seen: set[str] = set()
        defaults = dict(f.form_values())
        for el in f.inputs:
            name = el.get("name")
            if not name or name in seen:
                continue
            tag = el.tag
            kind = (el.get("type") or "text").lower() if tag == "input" else tag
            if kind in ("submit", "button", "image", "reset"):
                continue
            if kind == "file":
                files.append(name)
                seen.add(name)
                continue
            if name == "csrfmiddlewaretoken":
                continue
            value = defaults.get(name, "")
            if tag == "select" and not value:
                options = [o.get("value", o.text or "") for o in el.iter("option")]
                value = next((o for o in options if o), "")
            if kind in ("checkbox", "radio") and name not in defaults:
                value = el.get("value") or "on"
            fields.append((name, kind, value))
            seen.add(name)
        forms.append(Form(method, action, fields, files))
    return forms, params


def values_for(name: str, kind: str, ids: list[str], rng: random.Random) -> list[str]:
    """The hostile values a field gets: by its kind, every one of them for the short lists."""
    lowered = name.lower()
    if kind == "date" or re.search(r"(^|_)(from|to|date|on|start|day)$|year_start", lowered):
        return [*DATES, NUL]
    if kind == "number" or re.search(r"quantity|amount|limit|qty|page", lowered):
        return [*NUMBERS, NUL]
    if kind in ("hidden", "select", "checkbox", "radio") or lowered.endswith(("id", "ids")):
        return [*ids, *rng.sample(NUMBERS, 3), NUL, CONTROL, LONG, ""]
    return TEXT


class Walker:
    """One role's walk over the portal."""

    def __init__(
        self,
        client: Client,
        ids: dict[str, list[str]],
        other_ids: list[str],
        *,
        staff: bool,
    ) -> None:
        self.client = client
        self.staff = staff
        self.ids = ids  # path parameter name -> values to try
        self.other_ids = other_ids  # another company's ids, for hidden fields and selects
        self.rng = random.Random(SEED)
        self.stats = Stats()
        self.findings: list[Finding] = []
        self.baseline = digest()
        self.forms_done: set[tuple[str, str, tuple[str, ...]]] = set()

    # one request, rolled back, cookies restored
    def send(self, method: str, url: str, data: Any = None) -> HttpResponse | Exception:
        cookies = copy.deepcopy(self.client.cookies)
        self.stats.requests += 1
        try:
            with transaction.atomic():
                try:
                    with CaptureQueriesContext(connection) as queries:
                        if method == "post":
                            response = self.client.post(url, data or {})
                        else:
                            response = self.client.get(url, data or {})
                    written = None
                    # Rows hashed only when a statement could have written: certain and cheap.
                    if self.refused(response) and any(map(writes, queries.captured_queries)):
                        self.stats.digests += 1
                        written = self.changed()
                    response.fuzz_written = written
                    return response
                finally:
                    transaction.set_rollback(True)
        except Exception as exc:
            return exc
        finally:
            self.client.cookies = cookies

    def refused(self, response: HttpResponse) -> bool:
        if response.status_code >= 400:
            return True
        if response.status_code == 200 and has_error_markup(response):
            return True
        return any(level >= message_levels.ERROR for level, _m in queued_messages(response))

    def changed(self) -> list[str]:
        now = digest()
        return sorted(t for t, h in now.items() if self.baseline.get(t) != h)

    def check(
        self, answer: HttpResponse | Exception, route: str, method: str, where: str, value: str
    ) -> HttpResponse | None:
        shown = value if len(value) <= 40 else value[:20] + f"…({len(value)})"

        def found(kind: str, detail: str) -> None:
            self.findings.append(Finding(kind, route, method, where, shown, detail[:300]))

        if isinstance(answer, Exception):
            self.stats.statuses[500] += 1
            found("5xx", f"{type(answer).__name__}: {answer}".splitlines()[0])
            return None
        status = answer.status_code
        self.stats.statuses[status] += 1
        if status >= 500:
            found("5xx", f"status {status}")
            return None
        written = getattr(answer, "fuzz_written", None)
        if written:
            found("written", f"status {status}, refused, but changed {', '.join(written)}")
        # 405: a GET to a form's URL, the method refused rather than the input (Django's empty
        # answer; no page links there)
        if 400 <= status < 500 and status != 405 and not page_text(answer):
            found("no message", f"status {status} with an empty page")
        return answer

    # the walk
    def run(self, endpoints_: list[Endpoint]) -> None:
        for endpoint in endpoints_:
            for url in self.urls_of(endpoint):
                self.stats.urls += 1
                answer = self.check(self.send("get", url), endpoint.name, "get", "", url)
                if answer is None or answer.status_code != 200:
                    continue
                if not answer.get("Content-Type", "").startswith("text/html"):
                    continue
                self.stats.pages += 1
                forms, params = parse_forms(answer.content, url)
                self.fuzz_query(endpoint.name, url, params)
                for form in forms:
                    self.fuzz_form(form, url)

    def urls_of(self, endpoint: Endpoint) -> Iterator[str]:
        defaults = dict(endpoint.defaults)
        if not endpoint.params:
            try:
                yield reverse(endpoint.name, kwargs=defaults or None)
            except NoReverseMatch:
                return
            return
        choices = [self.ids_for(endpoint, name) for name in endpoint.params]
        width = max(len(c) for c in choices)
        if endpoint.name.startswith("admin:") and not self.staff:
            width = 1  # the back office sends them all to its login page
        for i in range(width):
            kwargs = {name: c[i % len(c)] for name, c in zip(endpoint.params, choices, strict=True)}
            try:
                yield reverse(endpoint.name, kwargs={**kwargs, **defaults})
            except NoReverseMatch:
                continue

    def ids_for(self, endpoint: Endpoint, name: str) -> list[str]:
        if endpoint.admin_model and name == "object_id":
            return [*self.ids.get(endpoint.admin_model, ["1"]), "x\x00"]
        return [*self.ids.get(name, ["1"]), "0", "99999999999999999999"]

    def fuzz_query(self, route: str, url: str, seen: set[str]) -> None:
        names = sorted(seen | {"page", "q", "from", "to", "period", "sort"})
        base = urlsplit(url).path
        back_office = route.startswith("admin:")
        for name in names:
            picks = [NUL, CONTROL, LONG, *self.rng.sample(DATES, 2), *self.rng.sample(NUMBERS, 2)]
            if back_office:  # Django's changelists, with many filters: a sample per parameter
                picks = [NUL, self.rng.choice(picks)] if name == "q" else [self.rng.choice(picks)]
            for value in picks:
                self.stats.values += 1
                self.check(
                    self.send("get", f"{base}?{urlencode({name: value})}"),
                    route,
                    "get",
                    name,
                    value,
                )

    def fuzz_form(self, form: Form, page_url: str) -> None:
        path = urlsplit(form.action).path or urlsplit(page_url).path
        try:
            route = resolve(path).view_name
        except Resolver404:
            return
        if route.startswith("api") or route == "logout":
            return
        key = (form.method, route, tuple(sorted(n for n, _k, _v in form.fields)))
        if key in self.forms_done:
            return
        self.forms_done.add(key)
        self.stats.forms += 1
        query = urlsplit(form.action).query
        target = path + (f"?{query}" if query else "")
        valid = {name: value for name, _kind, value in form.fields}
        back_office = route.startswith("admin:")
        for name, kind, _value in form.fields:
            self.stats.fields += 1
            values = values_for(name, kind, self.other_ids, self.rng)
            # NUL and a sample of the rest for each field (every value is tried across fields);
            # the back office's forms (Django's own, many) get their all-hostile submissions
            values = (
                [] if back_office else [NUL, *self.rng.sample(values, min(PER_FIELD, len(values)))]
            )
            for value in values:
                self.stats.values += 1
                data = {**valid, name: value}
                self.submit(form, target, data, route, name, value)
        for name in form.files:
            self.stats.fields += 1
            for content in HOSTILE_CSV:
                self.stats.values += 1
                upload = SimpleUploadedFile("hostile.csv", content, "text/csv")
                self.submit(
                    form, target, {**valid, name: upload}, route, name, content.decode("latin-1")
                )
        # a few submissions hostile in every field at once
        for value in (NUL, LONG, "-1", "9999-12-31"):
            self.stats.values += 1
            data = {name: value for name, _k, _v in form.fields}
            self.submit(form, target, data, route, "*", value)

    def submit(
        self, form: Form, target: str, data: dict[str, Any], route: str, where: str, value: str
    ) -> None:
        method = "post" if form.method == "post" else "get"
        self.check(self.send(method, target, data), route, method, where, value)


def report(path: str, per_role: dict[str, Stats], findings: dict[str, list[str]]) -> str:
    body = {
        "per_role": {k: s.as_dict() for k, s in per_role.items()},
        "findings": findings,
    }
    with open(path, "w", encoding="utf-8") as out:
        json.dump(body, out, indent=2, ensure_ascii=False)
    totals = Counter[str]()
    for s in per_role.values():
        totals.update({k: v for k, v in s.as_dict().items() if isinstance(v, int)})
    return "fuzz: " + ", ".join(f"{k} {v}" for k, v in totals.items())
