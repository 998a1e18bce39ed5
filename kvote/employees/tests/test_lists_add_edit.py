"""«Mine ansatte» as a person meets it (issue 14): each list is a table that becomes a card per
employee on a phone, with Budsjett, Brukt and Igjen that add up and the period each figure is
for; «Legg til ansatt» stands above the list on both lists (a company admin picks the
supervisor on «Alle ansatte»), and a refusal opens it with the error summary first; «Endre» is a
page that answers a GET, so a refused edit stays at a URL that can be reloaded and shared."""

import html
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django import DjangoAssertNumQueries

from kvote.budgets.services import budget_set
from kvote.companies.models import Company
from kvote.people.models import Employee, User
from tests.factories import EmployeeFactory, UserFactory, place_order
from tests.world import Fjord

pytestmark = pytest.mark.django_db

MINE = reverse("employees_mine")
ALL = reverse("employees_all")
LISTS = [MINE, ALL]


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_url(employee: Employee, query: str = "") -> str:
    url = reverse("employee_update", args=[employee.pk])
    return f"{url}?{query}" if query else url


def doc(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


def amount(text: str) -> Decimal:
    """'NOK 1,000.00' / 'NOK -599.00' (the English pages of the test world) as a number."""
    match = re.search(r"NOK (-?[\d,]+\.\d{2})", " ".join(text.split()))
    assert match, text
    return Decimal(match[1].replace(",", ""))


def cards(response) -> dict[str, dict[str, str]]:
    """Each employee row of the list as {cell's card label (or data-figure): text}, by name,
    checking on the way that every cell of the row is made for a card: the name as the row's
    header, every data cell labelled, except the edit link's, which stands alone."""
    (table,) = doc(response).xpath("//table[contains(@class, 'kv-rtable')]")
    rows: dict[str, dict[str, str]] = {}
    for tr in table.xpath("./tbody/tr"):
        (name,) = tr.xpath("./th[@scope='row']")
        row: dict[str, str] = {}
        for td in tr.xpath("./td"):
            text = " ".join(td.text_content().split())
            if "kv-emp__edit" in td.get("class", ""):
                row["edit"] = td.xpath(".//a/@href")[0] if td.xpath(".//a") else ""
                continue
            if not td.get("data-label"):
                assert not text, f"an unlabelled cell with text: {text!r}"
                continue
            row[td.get("data-figure") or td.get("data-label")] = text
        rows[" ".join(name.text_content().split())] = row
    return rows


@pytest.fixture
def anne_with_budget(leader: User, team: list[Employee]) -> Employee:
    """Anne: budget 1 000, 100 released and 200 awaiting approval this period (300 spent)."""
    anne = team[0]
    budget_set(actor=leader, employee_id=anne.pk, amount="1000")
    place_order(leader, "100.00", key="a1", recipient=anne)
    order = place_order(leader, "200.00", key="a2", recipient=anne)
    type(order).objects.filter(pk=order.pk).update(state="awaiting_approval")
    return anne


# --- The lists: cards, Budsjett − Brukt = Igjen, and the period of each figure -------------


@pytest.mark.parametrize("url", LISTS)
def test_each_list_is_a_table_of_cards_whose_budget_figures_add_up(
    url: str, leader: User, team: list[Employee], anne_with_budget: Employee
) -> None:
    response = client_of(leader).get(url)
    rows = cards(response)
    anne = rows["Anne Berg"]
    budget, spent, remaining = (amount(anne[k]) for k in ("budget", "spent", "remaining"))
    assert (budget, spent, remaining) == (Decimal("1000.00"), Decimal("300.00"), Decimal("700"))
    assert budget - spent == remaining
    # The default period is the budget period: what was bought in it is what was spent.
    assert amount(anne["Bought in the period"]) == spent
    assert anne["Employee number"] == "101" and anne["Supervisor"] == "Liv Leder"
    assert anne["edit"].startswith(edit_url(team[0]))
    bjorn = rows["Bjørn Dahl"]
    assert bjorn["Budget"] == "No budget" and "spent" not in bjorn
    # The amount bought opens the drill-down.
    links = doc(response).xpath("//td[contains(@class, 'kv-emp__bought')]/a/@href")
    assert any(link.startswith(reverse("employee_purchases", args=[team[0].pk])) for link in links)


def test_an_employee_over_budget_shows_a_negative_remaining_that_still_adds_up(
    leader: User, team: list[Employee], anne_with_budget: Employee
) -> None:
    place_order(leader, "900.00", key="a3", recipient=anne_with_budget)
    anne = cards(client_of(leader).get(MINE))["Anne Berg"]
    assert amount(anne["budget"]) - amount(anne["spent"]) == amount(anne["remaining"])
    assert amount(anne["remaining"]) == Decimal("-200.00") and "Over budget" in anne["remaining"]


def test_the_list_says_which_period_each_figure_is_for(
    company: Company, leader: User, anne_with_budget: Employee
) -> None:
    client = client_of(leader)
    with translation.override("en"):  # the test world reads English
        days = company.budget_period_of(timezone.localdate()).label()
    same = client.get(MINE)
    assert f"All figures are for the budget period {days}." in page_text(same)
    other = client.get(MINE, {"period": "all"})
    assert (
        f"Budget, Spent and Remaining are for the budget period {days}; Bought in the period "
        "is for the period chosen above."
    ) in page_text(other)
    # Spent stays the budget period's; bought follows the period chosen.
    anne = cards(other)["Anne Berg"]
    assert amount(anne["spent"]) == Decimal("300.00")


def page_text(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(text).replace("\u00a0", " "))


def test_the_period_chips_are_a_list_styled_without_bullets(leader: User) -> None:
    """The chips' list has the class whose rule (kvote.css) drops the bullets."""
    (chips,) = doc(client_of(leader).get(MINE)).xpath("//ul[@aria-label='Quick choices']")
    assert "kv-period__chips" in chips.get("class").split()
    css = (Path(__file__).resolve().parents[2] / "static/kvote/kvote.css").read_text()
    assert re.search(r"\.kv-period__chips \{[^}]*list-style: none", css)


def test_the_sort_can_be_chosen_in_the_filter_too(leader: User, team: list[Employee]) -> None:
    """On a phone the column headings are hidden: the filter has the sort as a choice."""
    response = client_of(leader).get(MINE, {"sort": "-name"})
    (select,) = doc(response).xpath("//form[@method='get']//select[@name='sort']")
    assert select.xpath("./option[@selected]/@value") == ["-name"]
    assert list(cards(response)) == ["Cecilie Eng", "Bjørn Dahl", "Anne Berg"]


# --- «Legg til ansatt» -----------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
def test_a_refused_add_opens_the_form_above_a_long_list_with_the_summary_first(
    url: str, company: Company, leader: User, team: list[Employee]
) -> None:
    EmployeeFactory.create_batch(60, company=company, supervisor=leader)
    response = client_of(leader).post(
        url, {"name": "Per Dobbel", "number": "101", "email": "", "back": "sort=-number"}
    )
    assert response.status_code == 400
    page = doc(response)
    (details,) = page.xpath("//details[contains(@class, 'kv-emp-add')]")
    assert details.get("open") is not None
    (summary,) = details.xpath(".//form//div[contains(@class, 'ds-error-summary')]")
    assert summary.get("autofocus") is not None
    assert "Employee number 101 is already used by Anne Berg." in summary.text_content()
    # The form, and its summary, come before the list of 60 employees.
    content = response.content.decode()
    assert content.index("ds-error-summary") < content.index("<table")
    assert details.xpath(".//input[@name='name']/@value") == ["Per Dobbel"]
    assert details.xpath(".//input[@name='number']/@value") == ["101"]
    # The list behind it is the one the person was on (its query kept).
    numbers = [row["Employee number"] for row in cards(response).values()]
    assert numbers == sorted(numbers, reverse=True) and numbers.count("101") <= 1
    assert not Employee.objects.filter(name="Per Dobbel").exists()


def test_the_add_form_is_closed_until_needed(leader: User) -> None:
    for url in LISTS:
        (details,) = doc(client_of(leader).get(url)).xpath("//details[@class='kv-emp-add']")
        assert details.get("open") is None
        assert details.xpath("./summary")[0].text_content().strip() == "Add an employee"


def test_a_supervisor_adds_on_all_employees_and_supervises_the_new_one(
    company: Company, leader: User, other_leader: User
) -> None:
    client = client_of(leader)
    page = doc(client.get(ALL))
    assert not page.xpath("//select[@name='supervisor']")
    assert "You become the new employee's supervisor." in page.text_content()
    # A supervisor named anyway (an edited form) is not offered, so not read: the actor.
    response = client.post(
        ALL, {"name": "Nina Ny", "number": "1010", "supervisor": str(other_leader.pk)}
    )
    assert (response.status_code, response["Location"]) == (302, ALL)
    assert Employee.objects.get(company=company, number="1010").supervisor == leader
    assert "Nina Ny (1010) is added to your employees." in page_text(client.get(ALL))


def test_a_company_admin_adds_on_all_employees_for_the_supervisor_they_pick(
    company: Company,
    admin: User,
    leader: User,
    other_leader: User,
    buyer: User,
    fjord: Fjord,
) -> None:
    gone = UserFactory(company=company, is_supervisor=True, is_active=False, full_name="Gone")
    client = client_of(admin)
    (select,) = doc(client.get(ALL)).xpath("//select[@name='supervisor']")
    offered = select.xpath("./option/@value")
    assert (
        offered[0] == str(admin.pk) and select.xpath("./option[1]")[0].get("selected") is not None
    )
    assert set(offered) == {str(u.pk) for u in (admin, leader, other_leader)}
    assert not {str(u.pk) for u in (buyer, gone, fjord.leader)} & set(offered)

    response = client.post(
        ALL,
        {"name": "Nina Ny", "number": "1010", "supervisor": str(other_leader.pk), "back": "q=N"},
    )
    assert (response.status_code, response["Location"]) == (302, f"{ALL}?q=N")
    nina = Employee.objects.get(company=company, number="1010")
    assert nina.supervisor == other_leader
    assert "Nina Ny (1010) is added, with Odd Annen as supervisor." in page_text(client.get(ALL))
    # Themselves, as offered first.
    client.post(ALL, {"name": "Ola Ny", "number": "1011", "supervisor": str(admin.pk)})
    assert Employee.objects.get(company=company, number="1011").supervisor == admin


@pytest.mark.parametrize("who", ["buyer", "gone", "fjord", "text", "huge"])
def test_a_supervisor_not_offered_is_refused_at_the_field(
    who: str, company: Company, admin: User, buyer: User, fjord: Fjord
) -> None:
    gone = UserFactory(company=company, is_supervisor=True, is_active=False)
    value = {
        "buyer": str(buyer.pk),
        "gone": str(gone.pk),
        "fjord": str(fjord.leader.pk),
        "text": "Liv",
        "huge": "9" * 30,
    }[who]
    response = client_of(admin).post(ALL, {"name": "Nina", "number": "1010", "supervisor": value})
    assert response.status_code == 400
    assert list(response.context["add_form"].errors) == ["supervisor"]
    assert "Choose a supervisor from the list." in page_text(response)
    assert not Employee.objects.filter(number="1010").exists()


def test_on_the_employee_list_an_admin_supervises_whom_they_add(
    company: Company, admin: User
) -> None:
    client = client_of(admin)
    assert not doc(client.get(MINE)).xpath("//select[@name='supervisor']")
    assert client.post(MINE, {"name": "Nina", "number": "1010"}).status_code == 302
    assert Employee.objects.get(company=company, number="1010").supervisor == admin


# --- «Endre»: a page of its own ---------------------------------------------------------------


def test_the_edit_page_answers_a_get_with_the_form_filled_in(
    leader: User, team: list[Employee]
) -> None:
    anne = team[0]
    client = client_of(leader)
    url = edit_url(anne, "list=all&back=period%3Dall%26sort%3D-total")
    response = client.get(url)
    assert response.status_code == 200
    page = doc(response)
    (form,) = page.xpath("//form[.//input[@name='number']]")
    assert html.unescape(form.get("action")) == url  # a refusal stays at this URL
    assert form.xpath(".//input[@name='name']/@value") == ["Anne Berg"]
    assert form.xpath(".//input[@name='number']/@value") == ["101"]
    assert not page.xpath("//div[contains(@class, 'ds-error-summary')]")
    cancel = page.xpath("//a[normalize-space()='Cancel']/@href")[0]
    assert cancel == f"{ALL}?period=all&sort=-total"
    assert client.head(url).status_code == 200
    # Without `list`, the list the employee is on for this person: leader's own.
    crumbs = doc(client.get(edit_url(anne))).xpath("//nav[@aria-label='Breadcrumbs']//a/@href")
    assert crumbs == [MINE]


def test_a_refused_edit_shows_the_form_at_a_url_that_answers_a_get(
    leader: User, team: list[Employee]
) -> None:
    anne = team[0]
    client = client_of(leader)
    url = edit_url(anne, "list=mine&back=sort%3Dname")
    response = client.post(url, {"name": "Anne Ny", "number": "102"})
    assert response.status_code == 400
    page = doc(response)
    (summary,) = page.xpath("//form//div[contains(@class, 'ds-error-summary')]")
    assert summary.get("autofocus") is not None
    assert "Employee number 102 is already used by Bjørn Dahl." in summary.text_content()
    assert page.xpath("//input[@name='name']/@value") == ["Anne Ny"]
    assert page.xpath("//input[@name='number']/@value") == ["102"]
    # The address bar's URL (the form's action) opens the form again, as saved.
    (action,) = page.xpath("//form[.//input[@name='number']]/@action")
    again = client.get(html.unescape(action))
    assert again.status_code == 200
    assert doc(again).xpath("//input[@name='number']/@value") == ["101"]
    anne.refresh_from_db()
    assert (anne.name, anne.number) == ("Anne Berg", "101")


def test_a_saved_edit_goes_back_to_the_list_it_came_from(
    leader: User, team: list[Employee]
) -> None:
    client = client_of(leader)
    url = edit_url(team[0], "list=all&back=period%3Dall%26sort%3D-total%26page%3D2")
    response = client.post(url, {"name": "Anne Berg-Li", "number": "101-B"})
    assert response.status_code == 302
    assert response["Location"] == f"{ALL}?period=all&sort=-total&page=2"
    team[0].refresh_from_db()
    assert (team[0].name, team[0].number) == ("Anne Berg-Li", "101-B")


@pytest.mark.parametrize(
    "back", ["https://evil.example/x", "//evil.example", "\r\nLocation: x", "a" * 5000]
)
def test_the_way_back_is_only_ever_a_query_of_a_list(
    back: str, leader: User, team: list[Employee]
) -> None:
    client = client_of(leader)
    url = reverse("employee_update", args=[team[0].pk])
    query = urlencode({"list": "all", "back": back})
    response = client.post(f"{url}?{query}", {"name": "Anne", "number": "101"})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc, location.path) == ("", "", ALL)
    assert client.get(edit_url(team[0], query)).status_code == 200


def test_only_who_may_change_an_employee_opens_their_edit_page(
    leader: User, admin: User, buyer: User, outsider: Employee, fjord: Fjord
) -> None:
    url = edit_url(outsider)
    assert client_of(leader).get(url).status_code == 404  # another supervisor's
    assert client_of(leader).post(url, {"name": "X", "number": "900"}).status_code == 404
    assert client_of(buyer).get(url).status_code == 404
    assert client_of(fjord.admin).get(url).status_code == 404
    assert client_of(admin).get(url).status_code == 200
    outsider.refresh_from_db()
    assert outsider.name == "Ola Utenfor"


def test_deactivating_is_on_the_edit_page_and_a_get_of_its_url_goes_there(
    leader: User, team: list[Employee]
) -> None:
    anne = team[0]
    client = client_of(leader)
    page = doc(client.get(edit_url(anne, "list=mine")))
    (form,) = page.xpath(f"//form[@action='{reverse('employee_deactivate', args=[anne.pk])}']")
    assert form.xpath(".//input[@name='list']/@value") == ["mine"]
    deactivate = reverse("employee_deactivate", args=[anne.pk])
    response = client.get(deactivate)
    assert (response.status_code, response["Location"]) == (302, edit_url(anne))
    assert client.post(deactivate, {"list": "mine"})["Location"] == MINE
    after = doc(client.get(edit_url(anne)))
    assert not after.xpath(f"//form[@action='{deactivate}']")
    assert "Anne Berg is deactivated" in after.text_content()


# --- Queries ----------------------------------------------------------------------------------

# As «Ansattliste» for a supervisor (test_employee_pages.LIST_QUERIES), and one more for the
# supervisors a company admin picks from on «Alle ansatte».
ADMIN_ALL_QUERIES = 9


@pytest.mark.parametrize("count", [3, 30])
def test_all_employees_for_an_admin_makes_a_fixed_number_of_queries(
    company: Company,
    admin: User,
    leader: User,
    count: int,
    django_assert_num_queries: DjangoAssertNumQueries,
    settings,
) -> None:
    settings.KVOTE_PAGE_SIZE = 50
    for n in range(count):
        employee = EmployeeFactory(company=company, supervisor=leader)
        budget_set(actor=admin, employee_id=employee.pk, amount="1000")
        place_order(leader, "10.00", key=f"q{n}", recipient=employee)
        UserFactory(company=company, is_supervisor=True)
    client = client_of(admin)
    with django_assert_num_queries(ADMIN_ALL_QUERIES):
        response = client.get(ALL, {"period": "all"})
    assert len(cards(response)) >= count
    assert len(doc(response).xpath("//select[@name='supervisor']/option")) >= count
