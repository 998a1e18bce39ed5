"""The back office answers hostile input without a 500 (kvote.common.admin, issue 13): ids that
are no id in an action's selection or in a relation field, and lookups the database cannot hold,
on one of our admins and on a third-party one (axes, auth), on SQLite and PostgreSQL alike."""

from datetime import date

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.utils.translation import gettext, override

from kvote.approvals.models import Substitute
from kvote.catalog.models import Category
from kvote.common.admin import HardenedAdmin, KvoteAdminSite
from kvote.people.models import User
from tests.factories import CategoryFactory, UserFactory

# Ids no pk column can hold: no number, a NUL, beyond a 64-bit integer (OverflowError on SQLite).
BAD_IDS = ["abc", "a\x00b", "99999999999999999999999", "-99999999999999999999999", "1.5"]
NONE_SELECTED = (
    "Items must be selected in order to perform actions on them. No items have been changed."
)


@pytest.fixture
def staff(client: Client, db: None) -> Client:
    client.force_login(UserFactory(company=None, is_staff=True, is_superuser=True))
    return client


def _attempt() -> AccessAttempt:
    return AccessAttempt.objects.create(
        username="x",
        ip_address="127.0.0.1",
        user_agent="test",
        http_accept="*/*",
        path_info="/login/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )


def test_every_registered_admin_is_hardened() -> None:
    assert isinstance(admin.site._wrapped, KvoteAdminSite)
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, HardenedAdmin), model._meta.label
    assert {"axes.accessattempt", "auth.group", "ordering.order"} <= {
        m._meta.label_lower for m in admin.site._registry
    }


# --- (a) `_selected_action` ----------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/admin/catalog/category/", lambda: CategoryFactory()),
        ("/admin/axes/accessattempt/", _attempt),
    ],
    ids=["ours", "axes"],
)
def test_a_selected_id_that_is_no_id_selects_nothing(staff, url, make, bad) -> None:
    row = make()
    model = type(row)
    data = {"action": "delete_selected", "index": "0", "_selected_action": [bad]}
    response = staff.post(url, data, follow=True)
    assert response.status_code == 200
    with override(response.wsgi_request.LANGUAGE_CODE):
        said = [str(m) for m in response.context["messages"]]
        assert said == [gettext(NONE_SELECTED)]
    assert model.objects.filter(pk=row.pk).exists()


def test_the_ids_that_are_ids_are_still_acted_on(staff) -> None:
    keep, gone = CategoryFactory(slug="a", name="A"), CategoryFactory(slug="b", name="B")
    data = {"action": "delete_selected", "post": "yes", "_selected_action": ["abc", gone.pk]}
    response = staff.post("/admin/catalog/category/", data)
    assert response.status_code == 302
    assert set(Category.objects.values_list("pk", flat=True)) == {keep.pk}


# --- (b) a relation field -------------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_foreign_key_that_is_no_id_is_a_form_error(staff, company, leader, holder, bad) -> None:
    data = {
        "company": company.pk,
        "approver": bad,
        "substitute": holder.pk,
        "starts_on": "2026-01-01",
        "ends_on": "2026-01-31",
    }
    users = User.objects.count()
    response = staff.post("/admin/approvals/substitute/add/", data)
    assert response.status_code == 200
    assert "approver" in response.context["adminform"].form.errors
    assert not Substitute.objects.exists()
    assert User.objects.count() == users


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_third_party_relation_that_is_no_id_is_a_form_error(staff, bad) -> None:
    response = staff.post("/admin/auth/group/add/", {"name": "Lager", "permissions": [bad]})
    assert response.status_code == 200
    assert "permissions" in response.context["adminform"].form.errors
    assert not Group.objects.exists()


# --- (c) lookups the database cannot hold ---------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "placed_at__gte=0001-01-01",
        "placed_at__lt=0001-01-01",
        "placed_at__year=99999999999999999999999",
        "number__exact=a%00b",  # PostgreSQL text cannot hold NUL (refused as the query runs)
    ],
)
@pytest.mark.parametrize("url", ["/admin/ordering/order/", "/admin/axes/accessattempt/"])
def test_a_filter_the_database_cannot_hold_is_refused(staff, url, query) -> None:
    _attempt()
    field = "placed_at" if "order" in url else "attempt_time"
    text = "number" if "order" in url else "path_info"
    response = staff.get(f"{url}?{query.replace('placed_at', field).replace('number', text)}")
    if response.status_code == 200:
        # PostgreSQL holds year 1 (SQLite's conversion to UTC overflows): a filter that fits
        assert "0001-01-01" in query and connection.vendor == "postgresql"
        return
    assert response.status_code == 302
    assert response["Location"] == f"{url}?e=1"
    page = staff.get(response["Location"])
    assert page.status_code == 200
    with override(page.wsgi_request.LANGUAGE_CODE):
        said = [str(m) for m in page.context["messages"]]
        assert said == [gettext("The filter could not be used: the list is shown without it.")]


def test_a_filter_that_fits_still_filters(staff) -> None:
    _attempt()
    today = date.today().isoformat()
    response = staff.get(f"/admin/axes/accessattempt/?attempt_time__gte={today}")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
