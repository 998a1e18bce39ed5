"""The kit pages: «Utstyrspakker» (list, new, edit, delete, change log), «Tildel
utstyrspakke», and the kit on an employee's edit page in «Mine ansatte»."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from kvote.kits.items import KitItemIn
from kvote.kits.models import Kit, KitAssignment, KitChange
from kvote.kits.services import kit_assign, kit_create
from tests.factories import CategoryFactory, EmployeeFactory, VariantFactory
from tests.world import World


@pytest.fixture
def catalogue(db):
    shoes = CategoryFactory(name="Sko", name_en="Shoes", slug="sko")
    jacket = VariantFactory(
        product__code="AAPW-1001", product__name="Arbeidsjakke", product__name_en="Work jacket"
    ).product
    return shoes, jacket


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(name: str, *rows: tuple[str, str, str], total: int | None = None) -> dict[str, str]:
    data = {
        "name": name,
        "items-TOTAL_FORMS": str(total or len(rows)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "100",
    }
    for index, (product, category, quantity) in enumerate(rows):
        data |= {
            f"items-{index}-product": product,
            f"items-{index}-category": category,
            f"items-{index}-quantity": quantity,
        }
    return data


def test_an_admin_creates_a_kit_from_the_form(world: World, catalogue):
    client = client_for(world.admin)
    page = client.get(reverse("kits:create"))
    assert page.status_code == 200
    html = page.content.decode()
    # Every field has its label (keyboard and screen reader): the row's fields name the row.
    for field in ("id_name", "id_items-0-product", "id_items-0-category", "id_items-0-quantity"):
        assert f'for="{field}"' in html
    assert '<option value="AAPW-1001">' in html  # the product numbers to pick from
    response = client.post(
        reverse("kits:create"),
        form_data("Elektriker", ("aapw-1001", "", "2"), ("", "sko", "3"), ("", "", "")),
    )
    assert response.status_code == 302 and response["Location"] == reverse("kits:list")
    kit = Kit.objects.get(company=world.company)
    assert [(i.product_id, i.category_id, i.quantity) for i in kit.items.order_by("id")] == [
        (catalogue[1].pk, None, 2),
        (None, catalogue[0].pk, 3),
    ]
    listing = client.get(reverse("kits:list")).content.decode()
    assert "Elektriker" in listing and "Work jacket" in listing and "Shoes" in listing


def test_a_refused_row_is_shown_at_its_field_with_what_was_typed(world: World, catalogue):
    client = client_for(world.admin)
    response = client.post(
        reverse("kits:create"),
        form_data("Elektriker", ("", "", ""), ("NOPE-9", "", "2"), ("AAPW-1001", "", "1000")),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_items-1-product-error"' in html and "NOPE-9" in html
    assert 'id="id_items-2-quantity-error"' in html and 'value="1000"' in html
    assert 'aria-invalid="true"' in html
    assert not Kit.objects.exists()


def test_a_taken_name_is_shown_at_the_name(world: World, catalogue):
    kit_create(actor=world.admin, name="Elektriker", items=[])
    response = client_for(world.admin).post(reverse("kits:create"), form_data("ELEKTRIKER"))
    assert response.status_code == 400
    assert 'id="id_name-error"' in response.content.decode()
    assert Kit.objects.count() == 1


def test_more_rows_keeps_what_was_typed(world: World, catalogue):
    data = form_data("Elektriker", ("AAPW-1001", "", "2")) | {"more_rows": "1"}
    response = client_for(world.admin).post(reverse("kits:create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_items-3-product"' in html and 'value="AAPW-1001"' in html
    assert not Kit.objects.exists()


def test_an_admin_edits_removes_a_row_and_reads_the_log(world: World, catalogue):
    kit = kit_create(
        actor=world.admin,
        name="Elektriker",
        items=[
            KitItemIn(product_number="AAPW-1001", quantity=2),
            KitItemIn(category="sko", quantity=1),
        ],
    )
    client = client_for(world.admin)
    page = client.get(reverse("kits:update", args=[kit.pk])).content.decode()
    assert 'value="AAPW-1001"' in page and 'value="Elektriker"' in page
    data = form_data("Elektriker", ("AAPW-1001", "", "4"), ("", "sko", "1")) | {
        "items-1-DELETE": "on"
    }
    assert client.post(reverse("kits:update", args=[kit.pk]), data).status_code == 302
    assert list(kit.items.values_list("quantity", flat=True)) == [4]
    log = client.get(reverse("kits:history", args=[kit.pk])).content.decode()
    assert "Elektriker: Arbeidsjakke × 2, Sko × 1" in log
    assert "Elektriker: Arbeidsjakke × 4" in log


def test_deleting_asks_first(world: World, catalogue):
    kit = kit_create(actor=world.admin, name="Elektriker", items=[])
    kit_assign(actor=world.admin, employee_id=world.team[0].pk, kit_id=kit.pk)
    client = client_for(world.admin)
    confirm = client.get(reverse("kits:delete", args=[kit.pk])).content.decode()
    assert "1 employee has this kit" in confirm
    assert Kit.objects.exists()
    assert client.post(reverse("kits:delete", args=[kit.pk])).status_code == 302
    assert not Kit.objects.exists()


@pytest.mark.parametrize("who", ["leader", "holder", "buyer"])
def test_the_kit_pages_are_for_company_admins(world: World, catalogue, who):
    kit = kit_create(actor=world.admin, name="Elektriker", items=[])
    client = client_for(getattr(world, who))
    for url in (
        reverse("kits:list"),
        reverse("kits:create"),
        reverse("kits:update", args=[kit.pk]),
        reverse("kits:delete", args=[kit.pk]),
        reverse("kits:history", args=[kit.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("kits:delete", args=[kit.pk])).status_code == 404
    assert Kit.objects.exists()


def test_a_supervisor_assigns_kits_to_their_own_employees(world: World, catalogue):
    kit = kit_create(actor=world.admin, name="Elektriker", items=[])
    client = client_for(world.leader)
    page = client.get(reverse("kits:assign")).content.decode()
    names = re.findall(r'<th scope="row">([^<]+)</th>', page)
    assert names == ["Anne Berg", "Bjørn Dahl", "Cecilie Eng", "Mats Berg"]  # not Ola Utenfor
    assert 'for="id_kit"' in page and 'for="choose-' not in page  # labels wrap the boxes
    anne = world.team[0]
    url = reverse("kits:assign") + "?q=berg"
    response = client.post(
        url, {"kit": str(kit.pk), "employee_ids": [anne.pk, world.holder.employee.pk]}
    )
    assert response.status_code == 302 and response["Location"] == url
    assert set(KitAssignment.objects.values_list("employee_id", flat=True)) == {
        anne.pk,
        world.holder.employee.pk,
    }
    response = client.post(reverse("kits:assign"), {"kit": "none", "employee_ids": [anne.pk]})
    assert response.status_code == 302
    assert not KitAssignment.objects.filter(employee=anne).exists()
    log = client.get(reverse("kits:employee_history", args=[anne.pk])).content.decode()
    assert log.count("Elektriker") >= 2


def test_assigning_refuses_without_a_kit_or_outside_the_supervisors_employees(
    world: World, catalogue
):
    kit = kit_create(actor=world.admin, name="Elektriker", items=[])
    client = client_for(world.leader)
    response = client.post(reverse("kits:assign"), {"employee_ids": [world.team[0].pk]})
    assert response.status_code == 400
    assert 'id="id_kit-error"' in response.content.decode()
    response = client.post(
        reverse("kits:assign"), {"kit": str(kit.pk), "employee_ids": [world.outsider.pk]}
    )
    assert response.status_code == 400
    assert "only to the employees you are responsible for" in response.content.decode()
    assert not KitAssignment.objects.exists()


def test_the_employee_edit_page_shows_and_changes_the_kit(world: World, catalogue):
    kit = kit_create(actor=world.admin, name="Elektriker", items=[])
    anne = world.team[0]
    client = client_for(world.leader)
    edit = reverse("employee_update", args=[anne.pk]) + "?list=mine&back="
    page = client.get(edit).content.decode()
    assert "Anne Berg has no kit." in page and f'<option value="{kit.pk}">' in page
    response = client.post(
        reverse("kits:employee_set", args=[anne.pk]), {"kit": str(kit.pk), "next": edit}
    )
    assert response.status_code == 302 and response["Location"] == edit
    assert "Anne Berg has the kit «Elektriker»." in client.get(edit).content.decode()
    assert KitChange.objects.filter(employee=anne, kind="assigned").count() == 1
    # The own record: no kit section on the admin's own edit page.
    own = client_for(world.admin).get(reverse("employee_update", args=[world.admin.employee.pk]))
    assert 'id="kit-heading"' not in own.content.decode()


# Queries per page: session, user, the roles asked, then the page's own reads (kvote.kits.
# definitions): list: kits, their items; assign: kits, count, employees, their kits; history:
# kit, changes; employee: employee, kit, changes; edit: kit, kit row with items, categories,
# the assortment and the products to pick from.
PINNED = {"list": 5, "assign": 7, "history": 5, "employee": 6, "edit": 8}


def test_query_counts_are_pinned_and_the_same_for_few_and_many(
    world: World, catalogue, django_assert_num_queries
):
    kit = kit_create(
        actor=world.admin, name="Elektriker", items=[KitItemIn(category="sko", quantity=2)]
    )
    client = client_for(world.admin)
    pages = {
        "list": reverse("kits:list"),
        "assign": reverse("kits:assign"),
        "history": reverse("kits:history", args=[kit.pk]),
        "employee": reverse("kits:employee_history", args=[world.team[0].pk]),
        "edit": reverse("kits:update", args=[kit.pk]),
    }
    for many in (False, True):
        if many:
            for n in range(15):
                other = kit_create(
                    actor=world.admin,
                    name=f"Pakke {n}",
                    items=[KitItemIn(category="sko", quantity=1)],
                )
                employee = EmployeeFactory(company=world.company)
                kit_assign(actor=world.admin, employee_id=employee.pk, kit_id=other.pk)
                kit_assign(actor=world.admin, employee_id=world.team[0].pk, kit_id=other.pk)
        for name, url in pages.items():
            with django_assert_num_queries(PINNED[name]):
                assert client.get(url).status_code == 200
