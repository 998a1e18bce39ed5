"""The back office (Django admin) on the demo data: every page a superuser can reach opens,
orders are read-only, and the changelists read a fixed number of queries."""

import html
from datetime import date

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from kvote.approvals.models import Substitute
from kvote.catalog.models import (
    AgreedPrice,
    CatalogueImport,
    ImportKind,
    ImportStatus,
    Product,
)
from kvote.companies.models import Company
from kvote.ordering.models import Order
from kvote.people.models import Employee, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_demo")]

MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.fixture
def staff_client(client: Client) -> Client:
    client.force_login(User.objects.get(email="admin@kvote.example"))
    return client


def admin_url(model: type[models.Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_the_back_office_covers_the_domain() -> None:
    labels = {m._meta.label for m in MODELS}
    expected = {
        "companies.Company",
        "people.User",
        "people.Employee",
        "catalog.Category",
        "catalog.Product",
        "catalog.AgreedPrice",
        "ordering.Order",
    }
    assert expected <= labels


def one_of(model: type[models.Model]) -> models.Model:
    """An object of the model: the demo's, or for Django's and django-axes' own models (groups,
    login attempts), a minimal one made here."""
    obj = model._default_manager.order_by("pk").first()
    if obj is None and model is Substitute:  # the demo names no substitute
        leder = User.objects.get(email="leder@nordlys.example")
        obj = Substitute.objects.create(
            company_id=leder.company_id,
            approver=leder,
            substitute=User.objects.get(email="admin@nordlys.example"),
            starts_on=date(2030, 7, 1),
            ends_on=date(2030, 7, 21),
        )
    if obj is None and model is CatalogueImport:  # the demo has imported no file
        obj = CatalogueImport.objects.create(
            kind=ImportKind.CATALOGUE,
            filename="katalog.csv",
            status=ImportStatus.PREVIEWED,
            created_by=User.objects.get(email="admin@kvote.example"),
        )
    if obj is None and not model._meta.app_label.startswith(("companies", "people", "catalog")):
        required = [
            f
            for f in model._meta.concrete_fields
            if not (f.primary_key or f.null or f.blank or f.has_default())
        ]
        obj = model._default_manager.create(
            **{f.name: 0 if isinstance(f, models.IntegerField) else "x" for f in required}
        )
    assert obj is not None, f"the demo has no {model._meta.label}"
    return obj


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_page_opens(model: type[models.Model], staff_client: Client) -> None:
    obj = one_of(model)
    model_admin = admin.site._registry[model]

    assert staff_client.get(admin_url(model, "changelist")).status_code == 200
    assert staff_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    response = staff_client.get(admin_url(model, "add"))
    request = response.wsgi_request
    expected = 200 if model_admin.has_add_permission(request) else 403
    assert response.status_code == expected
    if model_admin.search_fields:
        found = staff_client.get(admin_url(model, "changelist"), {"q": "AAPW-1001"})
        assert found.status_code == 200


def test_orders_are_read_only(staff_client: Client) -> None:
    order = Order.objects.prefetch_related("lines").first()
    assert order is not None
    assert staff_client.get(admin_url(Order, "add")).status_code == 403
    page = staff_client.get(admin_url(Order, "change", order.pk))
    html = page.content.decode()
    assert order.number in html
    assert order.lines.all()[0].item_number in html
    assert 'name="total_excl_vat"' not in html  # shown, not editable
    assert 'name="lines-0-quantity"' not in html
    assert 'name="_save"' not in html

    total = order.total_excl_vat
    response = staff_client.post(
        admin_url(Order, "change", order.pk), {"total_excl_vat": "1.00", "state": "shipped"}
    )
    assert response.status_code == 403
    assert staff_client.post(admin_url(Order, "delete", order.pk)).status_code == 403
    order.refresh_from_db()
    assert order.total_excl_vat == total


def test_order_search_by_item_number_and_filters(staff_client: Client) -> None:
    order = Order.objects.prefetch_related("lines").filter(company__name="Fjord Elektro AS")[0]
    item_number = order.lines.all()[0].item_number
    response = staff_client.get(admin_url(Order, "changelist"), {"q": item_number})
    assert order.number in response.content.decode()
    response = staff_client.get(
        admin_url(Order, "changelist"), {"state__exact": "shipped", "company__id__exact": 1}
    )
    assert response.status_code == 200


def test_user_password_page_and_add_form(staff_client: Client) -> None:
    user = User.objects.get(email="ansatt1@nordlys.example")
    change = staff_client.get(admin_url(User, "change", user.pk)).content.decode()
    assert 'href="../password/"' in change  # the change form links to the password form
    password_url = reverse("admin:auth_user_password_change", args=[user.pk])
    assert password_url == admin_url(User, "change", user.pk).replace("change/", "password/")
    page = staff_client.get(password_url)
    assert page.status_code == 200

    company = Company.objects.get(name="Nordlys Bygg AS")
    response = staff_client.post(
        admin_url(User, "add"),
        {
            "email": "Ny.Ansatt@Nordlys.example",
            "full_name": "Ny Ansatt",
            "company": company.pk,
            "password1": "en-lang-og-god-setning",
            "password2": "en-lang-og-god-setning",
        },
    )
    assert response.status_code == 302
    created = User.objects.get(email="ny.ansatt@nordlys.example")
    assert created.company == company and created.check_password("en-lang-og-god-setning")

    twice = staff_client.post(
        admin_url(User, "add"),
        {
            "email": "NY.ANSATT@nordlys.example",
            "full_name": "Ny Ansatt",
            "password1": "en-lang-og-god-setning",
            "password2": "en-lang-og-god-setning",
        },
    )
    assert twice.status_code == 200  # the form again, with the error
    assert User.objects.filter(email__iexact="ny.ansatt@nordlys.example").count() == 1


def test_an_employees_supervisor_must_be_of_the_same_company(staff_client: Client) -> None:
    employee = Employee.objects.get(number="1004", company__name="Nordlys Bygg AS")
    outsider = User.objects.get(email="leder@fjord.example")
    response = staff_client.post(
        admin_url(Employee, "change", employee.pk),
        {
            "company": employee.company_id,
            "number": employee.number,
            "name": employee.name,
            "supervisor": outsider.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    with translation.override("nb"):  # the back office speaks Norwegian by default
        expected = html.escape(gettext("Choose a user of the employee's own company."))
    assert expected in response.content.decode()
    employee.refresh_from_db()
    assert employee.supervisor is not None and employee.supervisor.company == employee.company


@pytest.mark.parametrize(
    ("model", "max_queries"),
    [(Order, 8), (Product, 6), (User, 6), (Employee, 6), (Company, 5), (AgreedPrice, 6)],
    ids=lambda v: v._meta.label if isinstance(v, type) else str(v),
)
def test_changelists_read_a_fixed_number_of_queries(
    model: type[models.Model],
    max_queries: int,
    staff_client: Client,
    django_assert_num_queries: pytest.FixtureRequest,
) -> None:
    with django_assert_num_queries(max_queries):  # type: ignore[operator]
        response = staff_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
