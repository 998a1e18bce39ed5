"""The demo's kits and sizes: Nordlys has «Elektriker» and «Lager», made and assigned by its
company admin (so the change log says so), each self-service employee with a kit has sizes, and
one of them has already used part of the kit this period."""

import pytest

from kvote.catalog.models import EmployeeSize, SizeGroup
from kvote.catalog.sizes import size_groups
from kvote.companies.models import Company, EntitlementPolicy
from kvote.kits.models import KitAssignment, KitChange, KitChangeKind
from kvote.kits.selectors import kits_for_employees
from kvote.people.models import Employee

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_demo")]


def nordlys() -> Company:
    return Company.objects.get(name="Nordlys Bygg AS")


def test_nordlys_has_two_kits_assigned_to_its_self_service_employees() -> None:
    company = nordlys()
    assert company.over_entitlement == EntitlementPolicy.APPROVAL
    assigned = dict(
        KitAssignment.objects.filter(company=company).values_list("employee__number", "kit__name")
    )
    assert assigned["1002"] == "Elektriker" and assigned["1003"] == "Lager"
    assert set(assigned.values()) == {"Elektriker", "Lager"}
    changes = KitChange.objects.filter(company=company)
    assert {c.actor.email for c in changes} == {"admin@nordlys.example"}
    assert changes.filter(kind=KitChangeKind.ASSIGNED).count() == len(assigned)


def test_ansatt1_has_used_part_of_her_kit_this_period_and_has_some_left() -> None:
    company = nordlys()
    sofie = Employee.objects.get(company=company, number="1002")
    kit = kits_for_employees(company=company, employee_ids=[sofie.pk])[sofie.pk]
    used = [item for item in kit.items if item.used]
    assert used and all(0 < item.used <= item.allowed for item in used)
    assert 0 < kit.used < kit.allowed and not kit.is_over


def test_every_employee_with_a_kit_has_a_size_in_every_group_the_catalogue_fills() -> None:
    company = nordlys()
    offered = {group.key: group.sizes for group in size_groups()}
    holders = KitAssignment.objects.filter(company=company).values_list("employee_id", flat=True)
    for employee_id in holders:
        sizes = dict(
            EmployeeSize.objects.filter(employee_id=employee_id).values_list("group", "size")
        )
        for group in (SizeGroup.TOPS, SizeGroup.TROUSERS_C, SizeGroup.SHOES, SizeGroup.GLOVES):
            assert sizes[group] in offered[group], (employee_id, group)
