"""The back office for kits: the portal's rules as form errors, and the same change log."""

import pytest
from django.test import Client
from django.urls import reverse

from kvote.kits.models import Kit, KitAssignment, KitChange
from kvote.people.models import User
from tests.factories import CategoryFactory, UserFactory, VariantFactory
from tests.world import Fjord, World


@pytest.fixture
def staff(db) -> User:
    return UserFactory(company=None, is_staff=True, is_superuser=True, language="en")


@pytest.fixture
def client(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def kit_data(company_id: int, name: str, *rows: tuple[str, str, str]) -> dict[str, str]:
    data = {
        "company": str(company_id),
        "name": name,
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for index, (product, category, quantity) in enumerate(rows):
        data |= {
            f"items-{index}-product": product,
            f"items-{index}-category": category,
            f"items-{index}-quantity": quantity,
        }
    return data


def test_staff_add_a_kit_through_the_same_rules_and_it_is_logged(client, world: World):
    jacket = VariantFactory().product
    shoes = CategoryFactory(name="Sko", slug="sko")
    url = reverse("admin:kits_kit_add")
    both = client.post(url, kit_data(world.company.pk, "E", (str(jacket.pk), str(shoes.pk), "1")))
    assert both.status_code == 200 and "<title>Error:" in both.content.decode()
    twice = client.post(
        url, kit_data(world.company.pk, "E", (str(jacket.pk), "", "1"), (str(jacket.pk), "", "2"))
    )
    assert twice.status_code == 200 and "<title>Error:" in twice.content.decode()
    assert not Kit.objects.exists()
    done = client.post(
        url,
        kit_data(
            world.company.pk, "Elektriker", (str(jacket.pk), "", "2"), ("", str(shoes.pk), "3")
        ),
    )
    assert done.status_code == 302
    kit = Kit.objects.get()
    assert kit.items.count() == 2 and set(kit.items.values_list("company_id", flat=True)) == {
        world.company.pk
    }
    change = KitChange.objects.get()
    assert change.kind == "created" and change.after.startswith("Elektriker: ")


def test_staff_assign_only_a_kit_of_the_employees_company(client, world: World, fjord: Fjord):
    theirs = Kit.objects.create(company=fjord.company, name="Fjord")
    ours = Kit.objects.create(company=world.company, name="Nordlys")
    url = reverse("admin:kits_kitassignment_add")
    anne = world.team[0]
    refused = client.post(url, {"employee": anne.pk, "kit": theirs.pk})
    assert refused.status_code == 200 and "own company" in refused.content.decode()
    assert client.post(url, {"employee": anne.pk, "kit": ours.pk}).status_code == 302
    assignment = KitAssignment.objects.get()
    assert assignment.company_id == world.company.pk
    assert KitChange.objects.get().kind == "assigned"
    delete = reverse("admin:kits_kitassignment_delete", args=[assignment.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not KitAssignment.objects.exists()
    assert list(KitChange.objects.order_by("id").values_list("kind", flat=True)) == [
        "assigned",
        "removed",
    ]
