"""Each employee's size profile: who keeps it, the check of every size, all or nothing, and
tenancy (kvote.catalog.size_profiles, kvote.catalog.services)."""

import pytest
from django.utils import translation

from kvote.catalog.errors import SizeError
from kvote.catalog.models import EmployeeSize
from kvote.catalog.services import employee_sizes_set, employee_sizes_set_many
from kvote.catalog.size_profiles import SizesError, own_size_profile, size_profile
from kvote.catalog.tests.size_helpers import give_sizes, sized_catalogue, sizes_stored
from kvote.common.errors import NotFound

pytestmark = pytest.mark.django_db

NONE = {"tops": None, "trousers_c": None, "trousers_wl": None, "shoes": None, "gloves": None}


@pytest.fixture(autouse=True)
def _catalogue() -> None:
    sized_catalogue()


@pytest.fixture(autouse=True)
def _english():
    """The messages and labels read in English, whatever language the thread was left in."""
    with translation.override("en"):
        yield


def test_the_employee_keeps_their_own_sizes_stored_as_the_catalogue_writes_them(holder):
    own = holder.employee
    after = employee_sizes_set(
        actor=holder, employee_id=own.pk, sizes={"tops": " xl ", "trousers_wl": "w32/l34"}
    )
    assert after == {**NONE, "tops": "XL", "trousers_wl": "W32/L34"}
    assert sizes_stored(own) == {"tops": "XL", "trousers_wl": "W32/L34"}


def test_groups_left_out_stay_and_none_or_empty_clears(holder):
    own = holder.employee
    give_sizes(own, tops="M", shoes="43", trousers_wl="W34/L34")
    after = employee_sizes_set(
        actor=holder, employee_id=own.pk, sizes={"tops": None, "shoes": "", "gloves": None}
    )
    assert after == {**NONE, "trousers_wl": "W34/L34"}
    assert sizes_stored(own) == {"trousers_wl": "W34/L34"}


def test_setting_a_size_again_replaces_it(holder):
    give_sizes(holder.employee, shoes="42")
    employee_sizes_set(actor=holder, employee_id=holder.employee.pk, sizes={"shoes": "44"})
    assert sizes_stored(holder.employee) == {"shoes": "44"}
    assert EmployeeSize.objects.filter(employee=holder.employee).count() == 1


def test_the_supervisor_and_a_company_admin_keep_them_too(leader, admin, team, outsider):
    employee_sizes_set(actor=leader, employee_id=team[0].pk, sizes={"tops": "L"})
    employee_sizes_set(actor=admin, employee_id=outsider.pk, sizes={"tops": "S"})
    assert sizes_stored(team[0]) == {"tops": "L"}
    assert sizes_stored(outsider) == {"tops": "S"}


@pytest.mark.parametrize("who", ["leader", "buyer", "holder", "fjord_admin"])
def test_anyone_else_finds_no_such_employee_and_nothing_changes(who, world, fjord):
    actor = {
        "leader": world.leader,  # not the outsider's supervisor
        "buyer": world.buyer,
        "holder": world.holder,
        "fjord_admin": fjord.admin,
    }[who]
    with pytest.raises(NotFound):
        employee_sizes_set(actor=actor, employee_id=world.outsider.pk, sizes={"tops": "L"})
    with pytest.raises(NotFound):
        size_profile(actor=actor, employee_id=world.outsider.pk)
    assert not EmployeeSize.objects.exists()


def test_a_size_not_in_its_group_is_refused_at_its_group_naming_the_sizes(holder):
    give_sizes(holder.employee, tops="M")
    with pytest.raises(SizesError) as refused:
        employee_sizes_set(
            actor=holder,
            employee_id=holder.employee.pk,
            sizes={"tops": "L", "shoes": "49", "trousers_wl": "W32/L34"},
        )
    assert refused.value.code == SizeError.NOT_IN_CATALOGUE
    assert refused.value.field == "shoes"
    assert refused.value.fields == {
        "shoes": "49 is not in the catalogue. The sizes of Shoes (EU): 42, 43, 44."
    }
    assert sizes_stored(holder.employee) == {"tops": "M"}  # all or nothing


def test_a_size_of_a_group_the_catalogue_has_none_of_is_refused(holder):
    with pytest.raises(SizesError) as refused:
        employee_sizes_set(actor=holder, employee_id=holder.employee.pk, sizes={"gloves": "9"})
    assert refused.value.fields == {
        "gloves": "9 is not in the catalogue: it has no sizes of Gloves."
    }


def test_an_unknown_group_is_refused_and_every_bad_group_is_named(holder):
    with pytest.raises(SizesError) as refused:
        employee_sizes_set(
            actor=holder, employee_id=holder.employee.pk, sizes={"hats": "M", "tops": "XXXL"}
        )
    assert refused.value.code == SizeError.UNKNOWN_GROUP
    assert refused.value.field == "hats"
    assert set(refused.value.fields) == {"hats", "tops"}
    assert "tops, trousers_c, trousers_wl, shoes, gloves" in refused.value.fields["hats"]
    assert not EmployeeSize.objects.exists()


def test_one_employee_in_another_tenant_refuses_the_whole_batch(leader, team, fjord):
    foreign = fjord.leader.employee
    with pytest.raises(NotFound):
        employee_sizes_set_many(
            actor=leader, changes={team[0].pk: {"tops": "L"}, foreign.pk: {"tops": "M"}}
        )
    with pytest.raises(SizesError):
        employee_sizes_set_many(
            actor=leader, changes={team[0].pk: {"tops": "L"}, team[1].pk: {"tops": "XXL"}}
        )
    assert not EmployeeSize.objects.exists()
    employee_sizes_set_many(
        actor=leader, changes={team[0].pk: {"tops": "L"}, team[1].pk: {"shoes": "43"}}
    )
    assert sizes_stored(team[0]) == {"tops": "L"} and sizes_stored(team[1]) == {"shoes": "43"}


def test_the_profile_reads_every_group_key_and_the_catalogues_groups(holder, team):
    give_sizes(holder.employee, shoes="43")
    profile = own_size_profile(actor=holder)
    assert profile is not None and profile.employee == holder.employee
    assert profile.sizes == {**NONE, "shoes": "43"}
    assert profile.chosen == [("Shoes (EU)", "43")]
    assert [(g.key.value, g.sizes) for g in profile.groups] == [
        ("tops", ["S", "M", "L", "XL"]),
        ("trousers_wl", ["W32/L34", "W34/L34"]),
        ("shoes", ["42", "43", "44"]),
    ]


def test_a_user_without_an_employee_record_has_no_profile(buyer):
    buyer.employee.delete()
    assert own_size_profile(actor=buyer) is None


def test_writes_take_a_fixed_number_of_queries(leader, team, django_assert_num_queries):
    give_sizes(team[0], shoes="42")
    sizes = {"tops": "L", "shoes": None, "trousers_wl": "W34/L34", "gloves": ""}
    # employee, groups, savepoint, delete, upsert, release, the sizes after
    with django_assert_num_queries(7):
        employee_sizes_set(actor=leader, employee_id=team[0].pk, sizes=sizes)
    many = {employee.pk: sizes for employee in team}
    # employees, groups, savepoint, delete, upsert, release
    with django_assert_num_queries(6):
        employee_sizes_set_many(actor=leader, changes=many)
    assert all(sizes_stored(e) == {"tops": "L", "trousers_wl": "W34/L34"} for e in team)
