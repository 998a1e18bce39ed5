"""Every URL of the portal, read from the URL map itself, with real ids of one company: for
tests that must hold on every page or every export, including the ones added after them.

`portal_urls(ids)` yields (name, URL) for every pattern, each `<param>` filled from `ids`
(`company_ids` makes them for a user's own company); a pattern with a parameter the map does not
know fails, so a new kind of URL cannot slip past such a test unseen.
"""

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from kvote.people.models import User

if TYPE_CHECKING:
    from kvote.catalog.models import CatalogueImport

# The supplier's back office has its own staff-only login, and the supplier's status replies
# are authenticated by signature (kvote/supplier/tests): not pages of a portal user. Nor are the
# files under /media/ (kvote/common/tests/test_media.py).
NOT_PORTAL = frozenset({"admin", "supplier", "media"})
# The password-reset link carries a user and a token, not a row (checked in test_auth).
NOT_IDS = frozenset({"uidb64", "token"})
# The API's catalogue routes (imports, price lists, stock) are the supplier's staff's alone
# (kvote.catalog.access): every login of a customer company gets 403 there, whatever the id
# (kvote/api/tests/test_catalog_admin.py, test_catalog_imports.py).
SUPPLIER_STAFF_API = "catalog/"


def supplier_staff_only(name: str, pattern: URLPattern) -> bool:
    """A route only the supplier's staff may use (no company user is ever let in)."""
    return name.startswith("api-v1:") and str(pattern.pattern).startswith(SUPPLIER_STAFF_API)


def url_patterns(
    resolver: URLResolver | None = None, namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    """(name, pattern) of every URL of the portal (NOT_PORTAL left out)."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns not in NOT_PORTAL:
                yield from url_patterns(entry, ns)
        elif entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def portal_urls(ids: Mapping[str, int]) -> Iterator[tuple[str, str]]:
    """(name, URL) of every pattern, its parameters filled from `ids` (a pattern that takes a
    fixed argument, such as an export's format, once per argument)."""
    for name, pattern in url_patterns():
        params = set(pattern.pattern.converters)
        if params & NOT_IDS:
            continue
        unknown = params - ids.keys()
        assert not unknown, f"{name}: teach tests/urlmap.py which row {unknown} should name"
        kwargs = {**{p: ids[p] for p in params}, **pattern.default_args}
        yield name, reverse(name, kwargs=kwargs)


def company_ids(owner: User) -> dict[str, int]:
    """A row of every kind a URL names, in `owner`'s company, reachable by `owner` (a company
    admin who supervises and approves): an order, a cart line, a product, an employee, a
    delivery address, a substitute, an API token."""
    from decimal import Decimal

    from kvote.api.services import api_token_create
    from kvote.approvals.models import Substitute
    from kvote.checkout.models import CartLine
    from kvote.checkout.services import cart_add, order_submit
    from kvote.kits.models import Kit
    from kvote.people.models import Employee
    from tests.factories import DeliveryAddressFactory, VariantFactory, fill_cart, member

    company = owner.company
    assert company is not None
    employee = Employee.objects.filter(company=company, supervisor=owner).first()
    if employee is None:
        employee = member(company).employee
        Employee.objects.filter(pk=employee.pk).update(supervisor=owner)
    variant = VariantFactory(product__list_price=Decimal("10.00"))
    fill_cart(owner, variant, recipient=employee)
    order = order_submit(actor=owner, idempotency_key="urlmap-order")
    cart_add(actor=owner, variant_id=variant.pk, quantity=1)
    today = timezone.localdate()
    substitute = Substitute.objects.create(
        company=company,
        approver=owner,
        substitute=member(company),
        starts_on=today,
        ends_on=today + timedelta(days=7),
    )
    return {
        "import_id": supplier_import().pk,
        "order_id": order.pk,
        "line_id": CartLine.objects.get(cart__user=owner).pk,
        "product_id": variant.product_id,
        "employee_id": employee.pk,
        "address_id": DeliveryAddressFactory(company=company).pk,
        "substitute_id": substitute.pk,
        "token_id": api_token_create(actor=owner, label="urlmap").token.pk,
        "kit_id": Kit.objects.create(company=company, name="Urlmap").pk,
    }


def supplier_import() -> "CatalogueImport":
    """A catalogue import of the supplier's staff: the row the catalogue routes name."""
    from kvote.catalog.models import CatalogueImport, ImportKind

    return CatalogueImport.objects.create(
        kind=ImportKind.CATALOGUE, filename="katalog.csv", source="imports/katalog.csv"
    )
