"""Every service that keeps text people type cleans it by the one rule (kvote.common.text): given
a NUL, a bidirectional override, runs of odd whitespace, a decomposed accent or one character
too many, each stores the cleaned text or refuses with the message naming the limit; never
anything else (on PostgreSQL a NUL that got through would be a 500). And no service strips text
by hand beside the rule."""

import ast
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.utils import translation

from kvote.api.services import api_token_create
from kvote.api.tests.core_helpers import Shop
from kvote.approvals.services import Decision, approval_decide
from kvote.checkout.drafts import LineRequest, OneOffAddress
from kvote.checkout.models import Cart
from kvote.checkout.services import checkout_details_save, order_place
from kvote.common.errors import ServiceError
from kvote.companies.models import ApprovalPolicy
from kvote.employees.exchange import parse_employee_csv
from kvote.employees.services import EmployeeImportError, employee_import
from kvote.ordering.models import Order
from kvote.people.models import Employee
from kvote.people.services import employee_create, employee_update
from kvote.supplier.services import order_status_report

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


# Each writer gives a value to one service as the text it keeps, and returns what was stored.
Writer = Callable[[Shop, str], str]

ADDRESS = {"street": "Storgata 1", "postal_code": "0155", "city": "Oslo"}


def employee_added(shop: Shop, value: str) -> str:
    return employee_create(actor=shop.leader, name=value, number="9001").name


def employee_renamed(shop: Shop, value: str) -> str:
    employee = shop.holder.employee
    employee_update(actor=shop.admin, employee_id=employee.pk, name=value)
    employee.refresh_from_db()
    return employee.name


def employee_imported(shop: Shop, value: str) -> str:
    rows = parse_employee_csv(f"name;number\n{value};9001\n".encode())
    try:
        employee_import(actor=shop.admin, rows=rows)
    except EmployeeImportError as exc:
        raise ServiceError(exc.code, " ".join(exc.rows[0].errors)) from exc
    return Employee.objects.get(company=shop.company, number="9001").name


def _cart(shop: Shop) -> Cart:
    return Cart.objects.get(user=shop.buyer)


def cart_reference(shop: Shop, value: str) -> str:
    checkout_details_save(
        actor=shop.buyer, delivery_address_id=shop.address.pk, customer_reference=value
    )
    return _cart(shop).customer_reference


def _cart_one_off(shop: Shop, **part: str) -> Cart:
    address = {f"one_off_{key}": text for key, text in {"name": "Ola", **ADDRESS, **part}.items()}
    checkout_details_save(actor=shop.buyer, delivery_address_id=None, **address)
    return _cart(shop)


def cart_one_off_name(shop: Shop, value: str) -> str:
    return _cart_one_off(shop, name=value).one_off_name


def cart_one_off_street(shop: Shop, value: str) -> str:
    return _cart_one_off(shop, street=value).one_off_street


def cart_one_off_city(shop: Shop, value: str) -> str:
    return _cart_one_off(shop, city=value).one_off_city


def _order(shop: Shop, **fields: object) -> Order:
    lines = [LineRequest(sku=shop.jacket.item_number, quantity=1)]
    return order_place(actor=shop.buyer, lines=lines, **fields)


def api_order_reference(shop: Shop, value: str) -> str:
    return _order(shop, delivery_address_id=shop.address.pk, reference=value).customer_reference


def api_order_one_off_name(shop: Shop, value: str) -> str:
    return _order(shop, one_off_address=OneOffAddress(name=value, **ADDRESS)).delivery_name


def rejection_comment(shop: Shop, value: str) -> str:
    shop.company.approval_policy = ApprovalPolicy.ALWAYS
    shop.company.save(update_fields=["approval_policy"])
    lines = [LineRequest(sku=shop.jacket.item_number, quantity=1)]
    order = order_place(actor=shop.holder, lines=lines, delivery_address_id=shop.address.pk)
    decided = approval_decide(
        actor=shop.leader, order_id=order.pk, decision=Decision.REJECT, comment=value
    )
    decided.refresh_from_db()
    assert decided.history.last().comment == decided.decision_comment
    return decided.decision_comment


def supplier_comment(shop: Shop, value: str) -> str:
    order = _order(shop, delivery_address_id=shop.address.pk)
    order_status_report(order_number=order.number, status="confirmed", comment=value)
    return order.history.last().comment


def api_token_name(shop: Shop, value: str) -> str:
    return api_token_create(actor=shop.buyer, label=value).token.label


# writer, the limit, whether the text keeps its lines
ONE_LINE, LINES = False, True
SERVICES: dict[str, tuple[Writer, int, bool]] = {
    "employee name (add)": (employee_added, 200, ONE_LINE),
    "employee name (edit)": (employee_renamed, 200, ONE_LINE),
    "employee name (import)": (employee_imported, 200, ONE_LINE),
    "reference (checkout)": (cart_reference, 100, ONE_LINE),
    "one-off name (checkout)": (cart_one_off_name, 200, ONE_LINE),
    "one-off street (checkout)": (cart_one_off_street, 200, ONE_LINE),
    "one-off city (checkout)": (cart_one_off_city, 100, ONE_LINE),
    "reference (API order)": (api_order_reference, 100, ONE_LINE),
    "one-off name (API order)": (api_order_one_off_name, 200, ONE_LINE),
    "rejection comment": (rejection_comment, 1000, LINES),
    "supplier's comment": (supplier_comment, 2000, LINES),
    "API token name": (api_token_name, 100, ONE_LINE),
}

TYPED = {
    "NUL": ("Nav\x00n", "Navn"),
    "bidi override": ("Nav\u202en\u202c", "Navn"),
    "odd whitespace": ("  Nina\u00a0 \tNy  ", "Nina Ny"),
    "decomposed accent": ("Cafe\u0301", "Café"),
}


@pytest.mark.parametrize("typed", TYPED)
@pytest.mark.parametrize("service", SERVICES)
def test_text_is_stored_cleaned(shop: Shop, service: str, typed: str) -> None:
    write, _limit, _lines = SERVICES[service]
    value, cleaned = TYPED[typed]
    assert write(shop, value) == cleaned


@pytest.mark.parametrize("service", SERVICES)
def test_one_character_too_many_is_refused_naming_the_limit(shop: Shop, service: str) -> None:
    write, limit, _lines = SERVICES[service]
    assert write(shop, " " + "é" * limit + "\u202e ") == "é" * limit  # the limit, once cleaned
    with pytest.raises(ServiceError) as caught:
        write(shop, "e\u0301" * limit + "x")
    assert f"can be at most {limit} characters." in caught.value.message


@pytest.mark.parametrize("service", [name for name, (*_, lines) in SERVICES.items() if lines])
def test_multi_line_text_keeps_its_lines(shop: Shop, service: str) -> None:
    write, _limit, _lines = SERVICES[service]
    assert write(shop, "\r\nLinje\u00a0 én \r\nlinje to\r\n") == "Linje én\nlinje to"


# No second cleaning rule ---------------------------------------------------------------------

# The modules that take free text from people (and the one rule's callers among them).
SCANNED = sorted(
    {
        *ROOT.glob("kvote/*/services.py"),
        *ROOT.glob("kvote/*/drafts.py"),
        *ROOT.glob("kvote/*/destinations.py"),
        ROOT / "kvote/employees/exchange.py",
        ROOT / "kvote/people/employee_rules.py",
    }
)
# What these modules may strip themselves: codes and keys, not text people write.
NOT_FREE_TEXT = {
    ("kvote/checkout/drafts.py", "str(value).strip()"),  # a quantity
    ("kvote/checkout/drafts.py", "line.sku.strip()"),  # an item number
    ("kvote/checkout/services.py", "ln.sku.strip()"),
    ("kvote/checkout/services.py", "idempotency_key.strip()"),  # a client's key
}


def _hand_cleaning(path: Path) -> set[tuple[str, str]]:
    """`x.strip()`, `x.lstrip()`, `x.rstrip()` and `x.split()` (the start of
    `" ".join(x.split())`) in one module."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"strip", "lstrip", "rstrip", "split"}
            and not node.args
        ):
            found.add((str(path.relative_to(ROOT)), ast.unparse(node)))
    return found


def test_no_service_cleans_free_text_by_hand() -> None:
    assert len(SCANNED) > 10
    found = set().union(*(_hand_cleaning(path) for path in SCANNED))
    assert found - NOT_FREE_TEXT == set(), (
        "free text is cleaned by kvote.common.text (clean_line, clean_text); "
        "a code or key that is not free text goes into NOT_FREE_TEXT"
    )
    assert NOT_FREE_TEXT - found == set(), "NOT_FREE_TEXT lists what is no longer there"
