"""The form and query fuzzer (issue 13), the web pages' counterpart of the API's schemathesis
run (kvote/api/tests/test_schema_fuzz.py): it walks every URL of the portal (the API aside) as
each demo role, fills every form field and query parameter with hostile values, and asserts:

- no 5xx, ever;
- nothing written where the answer was a refusal (every table's rows hashed before and after);
- every refusal answered with a message (an error element on the page, an error message with a
  redirect, or a 4xx page with text).

The demo's seed (`seed_demo`) is the world, once per module; every request runs in a savepoint
that is rolled back. Deterministic: the values come from fixed lists and a seeded sampler. The
counts go to var/fuzz-report.json and to the terminal summary (tests/fuzz/conftest.py).
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.db.models import Model, QuerySet
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from kvote.api.models import ApiToken
from kvote.approvals.models import Substitute
from kvote.catalog.models import Product
from kvote.checkout.models import CartLine
from kvote.companies.models import Company, DeliveryAddress
from kvote.demo.tests.conftest import seeded_demo  # noqa: F401 (the module's world)
from kvote.ordering.models import Order
from kvote.people.models import Employee, User
from tests.fuzz.walker import Role, Stats, Walker, digest, endpoints, report, writes
from tests.world import World

ROLES = [
    Role("staff", "admin@kvote.example", None),
    Role("company_admin", "admin@nordlys.example", "nordlys"),
    Role("supervisor", "leder@nordlys.example", "nordlys"),
    Role("budget_holder", "ansatt2@nordlys.example", "nordlys"),
    Role("buyer", "innkjop@nordlys.example", "nordlys"),
    Role("other_company", "leder@fjord.example", "fjord"),
    Role("anonymous", None, None),
]

# The least a walk must reach per role (URLs requested, forms fuzzed): a walk that reaches less
# has lost its way (a login that failed, a resolver it cannot read) and fails loudly.
MINIMUM = {
    "staff": (100, 10),
    "company_admin": (40, 15),
    "supervisor": (40, 10),
    "budget_holder": (40, 8),
    "buyer": (40, 8),
    "other_company": (40, 8),
    "anonymous": (40, 2),
}

RESULTS: dict[str, Walker] = {}


def _first(qs: QuerySet[Any]) -> list[str]:
    pk = qs.order_by("pk").values_list("pk", flat=True).first()
    return [] if pk is None else [str(pk)]


def _ids(user: User | None) -> tuple[dict[str, list[str]], list[str]]:
    """Path parameter values (own company's first, then another company's) and another
    company's ids for hidden fields and selects."""
    own = user.company if user is not None and user.company_id else None
    other = Company.objects.exclude(pk=own.pk) if own else Company.objects.all()
    other_company = other.order_by("-pk").first()

    def both(model: type[Model]) -> list[str]:
        mine = _first(model.objects.filter(company=own)) if own else []
        theirs = _first(model.objects.filter(company=other_company))
        return mine + theirs

    reset_user = user or User.objects.filter(company__isnull=False).order_by("pk").first()
    assert reset_user is not None
    ids = {
        "order_id": both(Order),
        "employee_id": both(Employee),
        "line_id": both(CartLine),
        "token_id": both(ApiToken),
        "substitute_id": both(Substitute),
        "product_id": _first(Product.objects.filter(is_active=True))
        + _first(Product.objects.filter(is_active=False)),
        "uidb64": [urlsafe_base64_encode(force_bytes(reset_user.pk)), "MQ", "%00"],
        "token": [default_token_generator.make_token(reset_user), "set-password", "x-y"],
        "order_number": _first(Order.objects.filter(company=other_company)),
        "app_label": sorted({m._meta.app_label for m in admin.site._registry}),
    }
    for model in admin.site._registry:
        ids[model._meta.label_lower] = _first(model.objects.all())
    other_ids = [
        v
        for model in (Order, Employee, DeliveryAddress, CartLine)
        for v in _first(model.objects.filter(company=other_company))
    ]
    return ids, other_ids


def _walk(role: Role) -> Walker:
    if role.key in RESULTS:
        return RESULTS[role.key]
    client = Client()
    user = None
    if role.email:
        user = User.objects.select_related("company").get(email=role.email)
        client.force_login(user)
    ids, other_ids = _ids(user)
    walker = Walker(client, ids, other_ids, staff=role.key == "staff")
    walker.run(endpoints())
    RESULTS[role.key] = walker
    return walker


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    if not RESULTS:
        return
    out = Path(settings.BASE_DIR) / "var" / "fuzz-report.json"
    out.parent.mkdir(exist_ok=True)
    per_role: dict[str, Stats] = {k: w.stats for k, w in RESULTS.items()}
    findings = {k: [str(f) for f in w.findings] for k, w in RESULTS.items()}
    SUMMARY.append(report(str(out), per_role, findings))
    SUMMARY.extend(f"  {k}: {s.as_dict()}" for k, s in per_role.items())
    RESULTS.clear()


SUMMARY: list[str] = []


@pytest.mark.parametrize("role", ROLES, ids=[r.key for r in ROLES])
def test_no_input_breaks_a_page(role: Role, seeded_demo: str, db: None) -> None:  # noqa: F811
    walker = _walk(role)
    least_urls, least_forms = MINIMUM[role.key]
    assert walker.stats.urls >= least_urls, walker.stats.as_dict()
    assert walker.stats.forms >= least_forms, walker.stats.as_dict()
    assert not walker.findings, "\n".join(str(f) for f in walker.findings)


def test_the_fuzzers_own_checks_see_what_they_look_for(world: World) -> None:
    """The checks the walk relies on: a write is seen by the row hashes and by the statement
    filter (which leaves the session table aside)."""
    before = digest()
    Employee.objects.filter(pk=world.team[0].pk).update(name="Endret")
    assert digest() != before
    assert writes({"sql": 'UPDATE "people_employee" SET "name" = %s'})
    assert not writes({"sql": 'UPDATE "django_session" SET "session_data" = %s'})
    assert not writes({"sql": 'SELECT * FROM "people_employee"'})
