"""Defining kits and assigning them: each rule, the log, tenancy, who may, all or nothing."""

import pytest
from django.utils import translation

from kvote.common.errors import NotFound, ServiceError
from kvote.kits.items import KitInputError, KitItemIn
from kvote.kits.models import Kit, KitAssignment, KitChange, KitItem
from kvote.kits.services import (
    kit_assign,
    kit_assign_many,
    kit_create,
    kit_delete,
    kit_update,
)
from kvote.people.models import User
from tests.factories import CategoryFactory, EmployeeFactory, VariantFactory
from tests.world import Fjord, World


@pytest.fixture(autouse=True)
def english():
    """The messages are read in English, whatever an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def catalogue(db):
    jackets = CategoryFactory(name="Jakker", name_en="Jackets", slug="jakker")
    shoes = CategoryFactory(name="Sko", name_en="Shoes", slug="sko")
    jacket = VariantFactory(
        product__code="AAPW-1001", product__name="Arbeidsjakke", product__category=jackets
    ).product
    trousers = VariantFactory(
        product__code="AAPW-2001", product__name="Arbeidsbukse", product__category=jackets
    ).product
    return jackets, shoes, jacket, trousers


def items(*rows: tuple[str, str, int | str]) -> list[KitItemIn]:
    return [KitItemIn(product_number=p, category=c, quantity=q) for p, c, q in rows]


def test_an_admin_defines_a_kit_and_it_is_logged(world: World, catalogue):
    kit = kit_create(
        actor=world.admin,
        name="  Elektriker ",
        items=items(("aapw1001", "", 2), ("", "sko", "3")),
    )
    assert kit.name == "Elektriker"
    assert [(i.product_id, i.category_id, i.quantity) for i in KitItem.objects.filter(kit=kit)] == [
        (catalogue[2].pk, None, 2),
        (None, catalogue[1].pk, 3),
    ]
    change = KitChange.objects.get(kit=kit)
    assert (change.kind, change.actor, change.before, change.after) == (
        "created",
        world.admin,
        "",
        "Elektriker: Arbeidsjakke × 2, Sko × 3",
    )


@pytest.mark.parametrize(
    ("rows", "field", "message"),
    [
        ((("NOPE-1", "", 1),), "items.0.product_number", "No product in your catalogue"),
        ((("", "nope", 1),), "items.0.category", "There is no category"),
        ((("AAPW-1001", "sko", 1),), "items.0.product_number", "not both"),
        ((("", "", 1),), "items.0.product_number", "Choose a product or a category."),
        ((("AAPW-1001", "", 0),), "items.0.quantity", "from 1 to 999"),
        ((("AAPW-1001", "", 1000),), "items.0.quantity", "from 1 to 999"),
        ((("AAPW-1001", "", "two"),), "items.0.quantity", "from 1 to 999"),
        ((("AAPW-1001", "", 1), ("aapw-1001", "", 2)), "items.1.product_number", "already"),
        ((("", "sko", 1), ("", "SKO", 2)), "items.1.category", "already"),
    ],
)
def test_each_item_rule_is_refused_at_its_field(world: World, catalogue, rows, field, message):
    with pytest.raises(KitInputError) as refused:
        kit_create(actor=world.admin, name="Elektriker", items=items(*rows))
    assert refused.value.code == "invalid_kit"
    assert field in refused.value.fields
    assert message in refused.value.fields[field]
    assert not Kit.objects.exists() and not KitChange.objects.exists()


def test_every_bad_item_is_named_at_once(world: World, catalogue):
    with pytest.raises(KitInputError) as refused:
        kit_create(actor=world.admin, name="E", items=items(("X", "", 1), ("AAPW-1001", "", 0)))
    assert set(refused.value.fields) == {"items.0.product_number", "items.1.quantity"}


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("", "invalid_kit", "Give the kit a name."),
        ("\u200b", "invalid_kit", "Give the kit a name."),
        ("x" * 101, "invalid_kit", "100"),
        ("elektriker", "kit_name_taken", "Another kit is already called"),
    ],
)
def test_a_bad_or_taken_name_is_refused_at_the_name(world: World, catalogue, name, code, message):
    kit_create(actor=world.admin, name="Elektriker", items=[])
    with pytest.raises(ServiceError) as refused:
        kit_create(actor=world.admin, name=name, items=[])
    assert (refused.value.code, refused.value.field) == (code, "name")
    assert message in refused.value.message
    assert Kit.objects.count() == 1


def test_a_product_outside_the_companys_assortment_is_unknown(world: World, catalogue):
    from kvote.catalog.models import AssortmentItem
    from kvote.companies.models import Company

    Company.objects.filter(pk=world.company.pk).update(restrict_assortment=True)
    AssortmentItem.objects.create(company=world.company, product=catalogue[3])
    # The next request's actor: the company is read with the user (kvote.people.backends).
    admin = User.objects.select_related("company").get(pk=world.admin.pk)
    with pytest.raises(KitInputError):
        kit_create(actor=admin, name="E", items=items(("AAPW-1001", "", 1)))
    kit_create(actor=admin, name="E", items=items(("AAPW-2001", "", 1)))


def test_only_company_admins_define_kits(world: World, catalogue):
    kit = kit_create(actor=world.admin, name="Elektriker", items=[])
    for who in (world.leader, world.holder, world.buyer):
        with pytest.raises(ServiceError) as refused:
            kit_create(actor=who, name="Snekker", items=[])
        assert refused.value.code == "admin_only"
        with pytest.raises(ServiceError):
            kit_update(actor=who, kit_id=kit.pk, name="Snekker")
        with pytest.raises(ServiceError):
            kit_delete(actor=who, kit_id=kit.pk)
    assert list(Kit.objects.values_list("name", flat=True)) == ["Elektriker"]


def test_an_update_replaces_the_items_and_logs_before_and_after(world: World, catalogue):
    kit = kit_create(actor=world.admin, name="Elektriker", items=items(("AAPW-1001", "", 2)))
    kit_update(
        actor=world.admin,
        kit_id=kit.pk,
        name="Elektriker 2",
        items=items(("", "jakker", 3), ("AAPW-2001", "", 1)),
    )
    kit.refresh_from_db()
    assert kit.name == "Elektriker 2"
    assert KitItem.objects.filter(kit=kit).count() == 2
    change = KitChange.objects.filter(kind="changed").get()
    assert change.before == "Elektriker: Arbeidsjakke × 2"
    assert change.after == "Elektriker 2: Jakker × 3, Arbeidsbukse × 1"
    kit_update(actor=world.admin, kit_id=kit.pk, name="Elektriker 2")  # nothing changes
    assert KitChange.objects.filter(kind="changed").count() == 1


def test_a_refused_update_changes_nothing(world: World, catalogue):
    kit = kit_create(actor=world.admin, name="Elektriker", items=items(("AAPW-1001", "", 2)))
    with pytest.raises(KitInputError):
        kit_update(
            actor=world.admin,
            kit_id=kit.pk,
            name="Ny",
            items=items(("AAPW-2001", "", 1), ("X", "", 1)),
        )
    kit.refresh_from_db()
    assert kit.name == "Elektriker"
    assert list(KitItem.objects.filter(kit=kit).values_list("product__code", flat=True)) == [
        "AAPW-1001"
    ]


def test_a_withdrawn_product_already_in_the_kit_may_stay(world: World, catalogue):
    kit = kit_create(actor=world.admin, name="E", items=items(("AAPW-1001", "", 2)))
    catalogue[2].is_active = False
    catalogue[2].save()
    kit_update(actor=world.admin, kit_id=kit.pk, items=items(("AAPW-1001", "", 3)))
    with pytest.raises(KitInputError):
        kit_create(actor=world.admin, name="F", items=items(("AAPW-1001", "", 1)))


def test_another_companys_kit_is_not_found(world: World, fjord: Fjord, catalogue):
    theirs = kit_create(actor=fjord.admin, name="Elektriker", items=[])
    with pytest.raises(NotFound):
        kit_update(actor=world.admin, kit_id=theirs.pk, name="Mine")
    with pytest.raises(NotFound):
        kit_delete(actor=world.admin, kit_id=theirs.pk)
    with pytest.raises(NotFound):
        kit_assign(actor=world.admin, employee_id=world.team[0].pk, kit_id=theirs.pk)
    kit_create(actor=world.admin, name="Elektriker", items=[])  # names are per company


def test_assigning_many_logs_each_change_and_leaves_the_unchanged(world: World, catalogue):
    a = kit_create(actor=world.admin, name="Elektriker", items=[])
    b = kit_create(actor=world.admin, name="Snekker", items=[])
    anne, bjorn, cecilie = world.team
    kit_assign(actor=world.leader, employee_id=anne.pk, kit_id=a.pk)
    assigned = kit_assign_many(
        actor=world.leader, employee_ids=[anne.pk, bjorn.pk, cecilie.pk], kit_id=a.pk
    )
    assert assigned.changed == 2
    kit_assign(actor=world.admin, employee_id=anne.pk, kit_id=b.pk)
    kit_assign(actor=world.admin, employee_id=bjorn.pk, kit_id=None)
    assert dict(KitAssignment.objects.values_list("employee_id", "kit_id")) == {
        anne.pk: b.pk,
        cecilie.pk: a.pk,
    }
    log = [
        (c.kind, c.employee_id, c.kit_id, c.before, c.after)
        for c in KitChange.objects.filter(employee__isnull=False).order_by("id")
    ]
    assert log == [
        ("assigned", anne.pk, a.pk, "", "Elektriker"),
        ("assigned", bjorn.pk, a.pk, "", "Elektriker"),
        ("assigned", cecilie.pk, a.pk, "", "Elektriker"),
        ("assigned", anne.pk, b.pk, "Elektriker", "Snekker"),
        ("removed", bjorn.pk, a.pk, "Elektriker", ""),
    ]


def test_a_supervisor_assigns_only_their_own_employees_all_or_nothing(world: World, catalogue):
    kit = kit_create(actor=world.admin, name="Elektriker", items=[])
    with pytest.raises(ServiceError) as refused:
        kit_assign_many(
            actor=world.leader,
            employee_ids=[world.team[0].pk, world.outsider.pk],
            kit_id=kit.pk,
        )
    assert refused.value.code == "kit_not_your_employee"
    assert (
        not KitAssignment.objects.exists()
        and not KitChange.objects.filter(employee__isnull=False).exists()
    )
    kit_assign(actor=world.admin, employee_id=world.outsider.pk, kit_id=kit.pk)


def test_nobody_sets_their_own_kit(world: World, catalogue):
    kit = kit_create(actor=world.admin, name="Elektriker", items=[])
    with pytest.raises(ServiceError) as refused:
        kit_assign(actor=world.admin, employee_id=world.admin.employee.pk, kit_id=kit.pk)
    assert refused.value.code == "kit_not_your_employee"
    assert "Nobody sets their own kit" in refused.value.message
    assert not KitAssignment.objects.exists()


def test_buyers_assign_nothing_and_another_companys_employee_is_not_found(
    world: World, fjord: Fjord, catalogue
):
    kit = kit_create(actor=world.admin, name="Elektriker", items=[])
    with pytest.raises(ServiceError) as refused:
        kit_assign(actor=world.buyer, employee_id=world.team[0].pk, kit_id=kit.pk)
    assert refused.value.code == "kit_not_your_employee"
    with pytest.raises(NotFound):
        kit_assign(actor=world.admin, employee_id=fjord.admin.employee.pk, kit_id=kit.pk)
    with pytest.raises(ServiceError) as refused:
        kit_assign_many(actor=world.admin, employee_ids=[], kit_id=kit.pk)
    assert refused.value.code == "kit_no_employees"


def test_assigning_many_takes_a_fixed_number_of_queries(
    world: World, catalogue, django_assert_num_queries
):
    kit = kit_create(actor=world.admin, name="Elektriker", items=[])
    other = kit_create(actor=world.admin, name="Snekker", items=[])
    few = [e.pk for e in world.team[:1]]
    many = [EmployeeFactory(company=world.company).pk for _ in range(20)]
    kit_assign_many(actor=world.admin, employee_ids=many[:10], kit_id=other.pk)
    # savepoint, kit, employees, their assignments, create, log, release
    with django_assert_num_queries(7):
        kit_assign_many(actor=world.admin, employee_ids=few, kit_id=kit.pk)
    # the same with the moved ones' update: 10 moved and 10 new
    with django_assert_num_queries(8):
        kit_assign_many(actor=world.admin, employee_ids=many, kit_id=kit.pk)


def test_deleting_a_kit_removes_it_from_its_employees_and_logs_it(world: World, catalogue):
    kit = kit_create(actor=world.admin, name="Elektriker", items=items(("", "sko", 2)))
    kit_assign_many(actor=world.admin, employee_ids=[e.pk for e in world.team], kit_id=kit.pk)
    assert kit_delete(actor=world.admin, kit_id=kit.pk) == 3
    assert not Kit.objects.exists() and not KitAssignment.objects.exists()
    deleted = KitChange.objects.get(kind="deleted")
    assert (deleted.kit_id, deleted.before) == (None, "Elektriker: Sko × 2")
    assert KitChange.objects.filter(kind="removed", before="Elektriker").count() == 3
