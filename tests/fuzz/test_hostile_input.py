"""Issue 13, 5xx from input, one test per class.

Days: a day outside the portal's days (kvote.common.dates: 2000-01-01 to 2100-12-31) is refused
with a message wherever a day is typed, never a 500 (0001-01-01 has no local midnight in UTC;
9999-12-31 has no day after it). Searches: NUL and control characters are dropped from every
search term (kvote.common.text.search_text), so PostgreSQL never sees a NUL. The fuzzer
(tests/fuzz/test_fuzz_forms.py) finds the next page that reads either its own way."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from kvote.api.tests.core_helpers import Api
from kvote.common.dates import DateRange, day_error, local_bounds, typed_day
from kvote.common.errors import ServiceError
from kvote.people.models import Employee, User
from tests.world import World

EXTREMES = ["0001-01-01", "9999-12-31", "01.01.0001", "31.12.9999", "1999-12-31", "2101-01-01"]
MESSAGE = "Choose a date between 2000 and 2100."


@pytest.mark.parametrize("text", EXTREMES)
def test_a_typed_day_outside_the_portals_days_is_refused(text: str) -> None:
    with pytest.raises(ServiceError) as exc:
        typed_day(text, field="from")
    assert (exc.value.code, exc.value.field) == ("date_out_of_range", "from")
    assert exc.value.message == day_error()


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31)])
def test_local_bounds_refuse_rather_than_overflow(day: date) -> None:
    with pytest.raises(ServiceError):
        local_bounds(day, None)
    with pytest.raises(ServiceError):
        DateRange(None, day).bounds()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("text", EXTREMES)
@pytest.mark.parametrize("name", ["placed_from", "placed_to"])
def test_mine_ordrer_shows_a_day_out_of_range_as_a_form_error(
    world: World, name: str, text: str
) -> None:
    response = _client(world.holder).get(reverse("ordering:order_list"), {name: text})
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()


@pytest.mark.parametrize("text", EXTREMES)
@pytest.mark.parametrize("name", ["from", "to"])
def test_the_api_orders_list_refuses_a_day_out_of_range(world: World, name: str, text: str) -> None:
    if "." in text:
        return  # the API reads ISO days only
    response = Api(world.holder).get("/orders", {name: text})
    assert response.status_code == 400, response.content
    assert MESSAGE in response.content.decode()


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", "99999-01-01", "2026-02-30"])
def test_every_period_filter_refuses_extreme_days(
    world: World, team: list[Employee], text: str
) -> None:
    """«Mine ansatte», «Alle ansatte», both exports of each, the drill-down and its exports."""
    client = _client(world.admin)
    anne = team[0].pk
    pages = [
        reverse("employees_mine"),
        reverse("employees_all"),
        reverse("employee_purchases", args=[anne]),
    ]
    exports = [
        reverse(name, kwargs={"fmt": fmt, **kwargs})
        for name, kwargs in (
            ("employees_export", {}),
            ("employees_all_export", {}),
            ("employee_purchases_export", {"employee_id": anne}),
        )
        for fmt in ("csv", "xlsx")
    ]
    for url in pages + exports:
        for name in ("from", "to"):
            response = client.get(url, {name: text})
            assert response.status_code in (200, 400), (url, name, response.status_code)
            assert response.content, url
    for url in pages:
        assert "Choose a date" in client.get(url, {"from": "0001-01-01"}).content.decode()


@pytest.mark.parametrize("query", ["a\x00b", "\x00", "\x1b[2J", "x" * 10_000])
def test_a_search_drops_nul_and_controls_on_every_database(world: World, query: str) -> None:
    """Issue 13 (found by tests/fuzz on PostgreSQL, whose text cannot hold NUL): the recipient
    search answered 500 to ?q=a%00b; every search reads its term through
    kvote.common.text.search_text."""
    client = _client(world.admin)
    for url in (
        reverse("checkout:employee_search"),
        reverse("catalog:list"),
        reverse("employees_mine"),
        reverse("employees_all"),
        reverse("budgets:list"),
    ):
        response = client.get(url, {"q": query})
        assert response.status_code == 200, url
