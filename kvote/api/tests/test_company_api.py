"""/api/v1/company/approval-policy: company admins read and change it; nobody else."""

from decimal import Decimal

import pytest

from kvote.api.tests.core_helpers import Api
from kvote.api.tests.people_helpers import JsonApi
from kvote.companies.models import Company
from tests.world import Fjord, World

pytestmark = pytest.mark.django_db

URL = "/company/approval-policy"


def policy_of(world: World) -> tuple[str, Decimal | None]:
    company = Company.objects.get(pk=world.company.pk)
    return company.approval_policy, company.approval_threshold


def test_an_admin_reads_the_default_policy(world: World):
    response = JsonApi(world.admin).get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "mode": "over_budget",
        "threshold": None,
        "over_entitlement": "approval",
    }


def test_an_admin_changes_mode_and_threshold_one_at_a_time(world: World):
    api = JsonApi(world.admin)
    response = api.patch(URL, {"threshold": "5000"})
    assert response.status_code == 200
    assert response.json() == {
        "mode": "over_budget",
        "threshold": "5000.00",
        "over_entitlement": "approval",
    }
    assert api.patch(URL, {"mode": "always"}).json() == {
        "mode": "always",
        "threshold": "5000.00",
        "over_entitlement": "approval",
    }
    assert api.patch(URL, {"threshold": 250.5}).json()["threshold"] == "250.50"
    none = {"mode": "none", "threshold": None, "over_entitlement": "approval"}
    assert api.patch(URL, {"mode": "none", "threshold": None}).json() == none
    assert api.patch(URL, {}).json() == none
    assert policy_of(world) == ("none", None)
    assert api.get(URL).json() == none


@pytest.mark.parametrize("who", ["leader", "holder"])
def test_others_may_neither_read_nor_change(world: World, who):
    api = JsonApi(getattr(world, who))
    response = api.get(URL)
    assert response.status_code == 403
    assert response.json()["code"] == "admin_only"
    assert api.patch(URL, {"mode": "none"}).status_code == 403
    assert policy_of(world) == ("over_budget", None)


def test_without_login_401(world: World):
    assert Api().get(URL).status_code == 401
    assert JsonApi().patch(URL, {"mode": "none"}).status_code == 401
    assert policy_of(world) == ("over_budget", None)


def test_each_company_has_its_own(world: World, fjord: Fjord):
    JsonApi(fjord.admin).patch(URL, {"mode": "always", "threshold": "1"})
    assert JsonApi(world.admin).get(URL).json() == {
        "mode": "over_budget",
        "threshold": None,
        "over_entitlement": "approval",
    }
    assert policy_of(world) == ("over_budget", None)


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"mode": "sometimes"}, "mode", "invalid"),
        ({"mode": 1}, "mode", "invalid"),
        ({"threshold": "-1"}, "threshold", "invalid_policy"),
        ({"threshold": "1e30"}, "threshold", "invalid_policy"),
        ({"threshold": "99999999999"}, "threshold", "invalid_policy"),
        ({"threshold": "0.001"}, "threshold", "invalid_policy"),
        ({"threshold": "a lot"}, "threshold", "invalid"),
        ({"threshold": "NaN"}, "threshold", "invalid"),
        ({"threshold": [5]}, "threshold", "invalid"),
        ([], "", "invalid"),
    ],
)
def test_bad_input_is_400_naming_the_field(world: World, body, field, code):
    response = JsonApi(world.admin).send("PATCH", URL, body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    fields = response.json()["fields"]
    assert field in fields if field else fields
    assert policy_of(world) == ("over_budget", None)


def test_malformed_json_is_400(world: World):
    response = JsonApi(world.admin).send("PATCH", URL, '{"mode": ')
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
