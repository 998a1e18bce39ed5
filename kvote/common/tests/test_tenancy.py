"""Every URL of the portal, visited by a user of another company with this company's ids: 404.

The walker reads the URL map itself, so a new URL with an id it does not know fails here until
the test learns which row of the other company to aim it at.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from kvote.api.services import api_token_create
from kvote.approvals.models import Substitute
from kvote.catalog.models import AssortmentItem
from kvote.checkout.models import CartLine
from kvote.checkout.services import cart_add, checkout_details_save, order_submit
from kvote.kits.models import Kit
from kvote.ordering.models import Order
from tests.factories import (
    CompanyFactory,
    DeliveryAddressFactory,
    ProductFactory,
    VariantFactory,
    member,
)
from tests.urlmap import NOT_IDS, supplier_import, supplier_staff_only, url_patterns

pytestmark = pytest.mark.django_db

# The REST API (JSON bodies): ninja's root only names the prefix (it always answers 404), and
# the API's documentation and OpenAPI schema are public.
API = "api-v1:"
NOT_PAGES = {"api-v1:api-root"}
PUBLIC_API_DOCS = {"api-v1:openapi-json", "api-v1:openapi-view"}


def _params(pattern: URLPattern) -> set[str]:
    return set(pattern.pattern.converters)


@pytest.fixture
def foreign_ids():
    """Rows of company B, and a user of company A who must never reach them."""
    company_a, company_b = CompanyFactory(restrict_assortment=True), CompanyFactory()
    intruder = member(company_a, is_company_admin=True, is_supervisor=True, is_approver=True)
    owner = member(company_b, is_company_admin=True)
    visible_to_a = VariantFactory(product__list_price=Decimal("10.00"))
    AssortmentItem.objects.create(company=company_a, product=visible_to_a.product)
    hidden_from_a = ProductFactory()
    b_variant = VariantFactory(product=hidden_from_a)
    cart_add(actor=owner, variant_id=b_variant.pk, quantity=1)
    address = DeliveryAddressFactory(company=company_b)
    checkout_details_save(actor=owner, delivery_address_id=address.pk)
    order = order_submit(actor=owner, idempotency_key="b-order")
    cart_add(actor=owner, variant_id=b_variant.pk, quantity=1)
    today = timezone.localdate()
    substitute = Substitute.objects.create(
        company=company_b,
        approver=owner,
        substitute=member(company_b),
        starts_on=today,
        ends_on=today + timedelta(days=7),
    )
    ids = {
        "order_id": order.pk,
        "line_id": CartLine.objects.get(cart__user=owner).pk,
        "product_id": hidden_from_a.pk,
        "employee_id": owner.employee.pk,
        "address_id": address.pk,
        "substitute_id": substitute.pk,
        "token_id": api_token_create(actor=owner, label="HR sync").token.pk,
        "import_id": supplier_import().pk,
        "kit_id": Kit.objects.create(company=company_b, name="Elektriker").pk,
    }
    return intruder, ids, order


def test_every_portal_url_answers_404_with_another_companys_ids(client, foreign_ids):
    intruder, ids, order = foreign_ids
    client.force_login(intruder)
    checked = []
    for name, pattern in url_patterns():
        params = _params(pattern) - NOT_IDS
        if not params or _params(pattern) & NOT_IDS:
            continue
        unknown = params - ids.keys()
        assert not unknown, f"{name}: teach this test which foreign row {unknown} should name"
        url = reverse(name, kwargs={p: ids[p] for p in params})
        get = client.get(url)
        data = {"quantity": "1", "recipient": ids["employee_id"]}
        if name.startswith(API):
            post = client.post(url, data, content_type="application/json")
        else:
            post = client.post(url, data)
        if supplier_staff_only(name, pattern):  # no company user is let in, whatever the id
            assert {get.status_code, post.status_code} <= {403, 405}, f"{url} ({name})"
            assert 403 in (get.status_code, post.status_code), f"{url} ({name}) never said 403"
            continue
        assert get.status_code in (302, 404, 405), f"GET {url} ({name}) gave {get.status_code}"
        assert post.status_code in (404, 405), f"POST {url} ({name}) gave {post.status_code}"
        assert 404 in (get.status_code, post.status_code), f"{url} ({name}) never said 404"
        checked.append(name)
    assert len(checked) >= 5, checked
    order.refresh_from_db()
    assert order.state == "released"
    assert CartLine.objects.filter(company_id=order.company_id).count() == 1


def test_every_portal_page_without_ids_works_for_a_user_and_stays_inside_the_company(
    client, foreign_ids
):
    intruder, _ids, order = foreign_ids
    client.force_login(intruder)
    for name, pattern in url_patterns():
        if _params(pattern) or name in NOT_PAGES:
            continue
        response = client.get(reverse(name))
        assert response.status_code in (200, 302, 405), f"GET {name} gave {response.status_code}"
        if response.status_code == 200:
            assert order.number not in response.content.decode(), f"{name} shows a foreign order"


def test_supplier_staff_without_a_company_get_404_on_portal_pages(client):
    from tests.factories import UserFactory

    staff = UserFactory(company=None, is_staff=True)
    client.force_login(staff)
    for name, pattern in url_patterns():
        if (
            _params(pattern)
            or name in {"home", "login", "logout", "language_set"}
            or name in NOT_PAGES | PUBLIC_API_DOCS
            or name.startswith("password_reset")
        ):
            continue
        response = client.get(reverse(name), follow=True)
        assert response.status_code in (404, 405), f"GET {name} gave {response.status_code}"


def test_orders_of_the_own_company_are_reachable(client, foreign_ids):
    """The walker would pass vacuously if every URL were broken: the owner does get 200."""
    _, ids, order = foreign_ids
    owner = order.placed_by
    client.force_login(owner)
    assert (
        client.get(
            reverse("ordering:order_detail", kwargs={"order_id": ids["order_id"]})
        ).status_code
        == 200
    )
    assert Order.objects.filter(company_id=owner.company_id).count() == 1
