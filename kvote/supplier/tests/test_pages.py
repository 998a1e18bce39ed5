"""What people see of the delivery: the orderer's order page says when it was sent to the
supplier; the supplier's staff see failed deliveries with their error and can retry them."""

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from kvote.jobs.lease import LeaseStatus
from kvote.ordering.models import Order
from kvote.supplier.models import Delivery
from kvote.supplier.services import deliveries_run_due
from kvote.supplier.transports import FolderTransport
from tests.factories import CompanyFactory, UserFactory, member, place_order

pytestmark = pytest.mark.django_db
DELIVERIES = reverse("admin:supplier_delivery_changelist")


def _page(client: Client, order: Order) -> str:
    client.force_login(order.placed_by)
    return client.get(reverse("ordering:order_detail", args=[order.pk])).content.decode()


def test_the_order_page_says_when_the_order_was_sent_to_the_supplier(
    client: Client, tmp_path: Path
) -> None:
    order = place_order(member(CompanyFactory()), "120.00")
    page = _page(client, order)
    assert "Sendt til leverandør" in page and "Ikke ennå: den er på vei" in page

    deliveries_run_due(worker="w", transport=FolderTransport(folder=tmp_path))
    sent_at = timezone.localtime(Delivery.objects.get(order=order).done_at)
    page = _page(client, order)
    assert f"{sent_at:%d.%m.%Y %H:%M}</time>" in page
    assert "på vei" not in page


def test_an_order_awaiting_approval_says_nothing_about_the_supplier(client: Client) -> None:
    from kvote.companies.models import ApprovalPolicy

    company = CompanyFactory(approval_policy=ApprovalPolicy.ALWAYS)
    order = place_order(member(company, budget="1000"), "120.00")
    assert "Sendt til leverandør" not in _page(client, order)


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(UserFactory(company=None, is_staff=True, is_superuser=True, language="en"))
    return client


def test_staff_see_failed_deliveries_with_their_error_and_retry_them(
    staff_client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    orders = [place_order(member(CompanyFactory()), "50.00", key=f"k{i}") for i in range(4)]
    Delivery.objects.filter(order=orders[0]).update(
        status=LeaseStatus.FAILED, attempts=12, last_error="example.test answered HTTP 503: down"
    )
    with django_assert_num_queries(6):  # session, user, the counts, the page of deliveries
        page = staff_client.get(DELIVERIES, {"status__exact": "failed"}).content.decode()
    assert orders[0].number in page and "answered HTTP 503: down" in page
    assert orders[1].number not in page
    with django_assert_num_queries(6):  # session, user, the counts, the page of deliveries
        assert staff_client.get(DELIVERIES).status_code == 200

    answer = staff_client.post(
        DELIVERIES,
        {"action": "retry", "_selected_action": [d.pk for d in Delivery.objects.all()]},
        follow=True,
    )
    assert "1 deliveries will be tried again." in answer.content.decode()
    delivery = Delivery.objects.get(order=orders[0])
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 0, "")
    detail = staff_client.get(reverse("admin:supplier_delivery_change", args=[delivery.pk]))
    assert detail.status_code == 200


def test_customers_cannot_reach_the_back_office(client: Client) -> None:
    client.force_login(member(CompanyFactory(), is_company_admin=True))
    assert client.get(DELIVERIES).status_code == 302
