"""The test kit proves itself: templates refuse a missing variable, `run_at_once` really runs
at once and fails a deadlock, and the world is the one tests/world.py describes."""

import re
import threading
from pathlib import Path

import pytest
from django.template import engines
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from kvote.budgets.selectors import budget_figures
from kvote.people.models import Employee, User
from tests.concurrency import run_at_once
from tests.world import HOLDER_BUDGET, Fjord, World

# --- string_if_invalid -----------------------------------------------------------------------


def test_a_misspelt_variable_in_one_of_our_templates_fails_the_test() -> None:
    template = engines["django"].from_string("{{ order.number }} for {{ ordr.placed_by }}")
    with pytest.raises(AssertionError, match=r"does not resolve: ordr\.placed_by"):
        template.render({"order": {"number": "KV-000001"}})


def test_a_missing_variable_inside_blocktranslate_fails_too() -> None:
    template = engines["django"].from_string(
        "{% load i18n %}{% blocktranslate %}Hello {{ nmae }}{% endblocktranslate %}"
    )
    with pytest.raises(AssertionError, match="does not resolve: nmae"):
        template.render({"name": "Kari"})


def test_if_and_for_still_read_a_missing_variable_as_empty() -> None:
    template = engines["django"].from_string(
        "{% if missing %}yes{% else %}no{% endif %}{% for x in missing %}{{ x }}{% endfor %}"
    )
    assert template.render({}) == "no"


def test_a_real_page_template_rendered_without_its_context_fails() -> None:
    with pytest.raises(AssertionError, match="does not resolve"):
        render_to_string("registration/login.html", {})


@pytest.mark.django_db
def test_the_setting_reaches_the_engine_the_views_use(client: Client) -> None:
    engine = engines["django"].engine
    assert engine.string_if_invalid == "%s"
    with pytest.raises(AssertionError):
        engine.string_if_invalid % "anything"
    assert client.get(reverse("login")).status_code == 200


# --- run_at_once -----------------------------------------------------------------------------


def test_run_at_once_runs_every_piece_of_work_at_the_same_time() -> None:
    together = threading.Barrier(4, timeout=10)  # passes only if all four are inside work

    def work(i: int) -> int:
        together.wait()
        if i == 2:
            raise ValueError("two")
        return i * 10

    results = run_at_once(4, work)
    assert results[:2] == [0, 10] and results[3] == 30
    assert isinstance(results[2], ValueError) and str(results[2]) == "two"


def test_run_at_once_fails_a_thread_that_never_finishes() -> None:
    never = threading.Event()
    try:
        with pytest.raises(pytest.fail.Exception, match="1 of 2 threads still running"):
            run_at_once(2, lambda i: never.wait(30) if i else None, timeout=0.5)
    finally:
        never.set()


# --- the world -------------------------------------------------------------------------------


def test_the_world_is_who_tests_world_says(world: World, fjord: Fjord) -> None:
    company = world.company
    assert company.name == "Nordlys AS" and fjord.company.name == "Fjord Elektro AS"
    people = [world.admin, world.leader, world.other_leader, world.holder, world.buyer]
    assert {user.company for user in people} == {company}
    assert [(u.full_name, u.employee.number) for u in people] == [
        ("Ada Admin", "1000"),
        ("Liv Leder", "1001"),
        ("Odd Annen", "1002"),
        ("Mats Berg", "1003"),
        ("Inga Innkjøp", "1005"),
    ]
    assert world.admin.is_company_admin
    assert world.leader.is_supervisor and world.leader.is_approver
    assert world.other_leader.is_supervisor
    assert set(world.leader.supervised_employees.all()) == {
        world.holder.employee,
        *world.team,
    }
    assert list(world.other_leader.supervised_employees.all()) == [world.outsider]
    assert [(e.name, e.number, e.user) for e in world.team] == [
        ("Anne Berg", "101", None),
        ("Bjørn Dahl", "102", None),
        ("Cecilie Eng", "203", None),
    ]
    # A budget holder is an employee with a budget; nobody else in the world has one.
    figures = budget_figures(
        actor=world.admin, employee_ids=[e.pk for e in Employee.objects.filter(company=company)]
    )
    assert {pk: f.amount for pk, f in figures.items()} == {world.holder.employee.pk: HOLDER_BUDGET}
    assert fjord.admin.company == fjord.leader.company == fjord.company
    assert fjord.admin.is_company_admin and fjord.leader.is_supervisor


def test_a_test_gets_only_whom_it_asks_for(leader: User) -> None:
    assert list(User.objects.all()) == [leader]
    assert Employee.objects.count() == 1


# --- one copy of each ------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
WORLD_FIXTURES = {
    "company",
    "admin",
    "leader",
    "other_leader",
    "holder",
    "buyer",
    "team",
    "outsider",
    "world",
    "fjord",
    "shop",
}


def _test_modules() -> list[Path]:
    return sorted(
        path
        for folder in (ROOT / "kvote", ROOT / "tests")
        for path in folder.rglob("*.py")
        if "tests" in path.relative_to(ROOT).parts
    )


def test_no_test_module_starts_threads_of_its_own() -> None:
    """Running things at once is tests/concurrency.py's job (a barrier, each thread's
    connections closed, a timeout); a second way to do it would skip one of those."""
    starts = re.compile(r"\bthreading\.(Thread|Barrier)\(|\bThreadPoolExecutor\(")
    offenders = [
        str(path.relative_to(ROOT))
        for path in _test_modules()
        if path != ROOT / "tests" / "concurrency.py"
        and path != ROOT / "tests" / "http_server.py"  # a server on loopback, not a race
        and path != Path(__file__)
        and starts.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_no_test_module_builds_its_own_copy_of_the_world() -> None:
    """The world's people are the root conftest.py's fixtures; a module that defines a fixture
    of the same name would quietly replace them (with other names, roles or budgets)."""
    fixture = re.compile(r"@pytest\.fixture[^\n]*\n(?:@[^\n]*\n)*def (\w+)\(")
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _test_modules()
        for name in fixture.findall(path.read_text(encoding="utf-8"))
        if name in WORLD_FIXTURES
    ]
    assert offenders == []


def test_query_pins_are_exact() -> None:
    """STYLE.md: pins are exact counts, the same with few and many rows; an upper bound would
    let a page lose a query it should make, or hide one that comes and goes."""
    upper_bound = "django_assert_max_" + "num_queries"
    offenders = [
        str(path.relative_to(ROOT))
        for path in _test_modules()
        if path != Path(__file__) and upper_bound in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
