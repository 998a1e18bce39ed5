"""What every test shares: quick settings, templates that refuse a missing variable, and the
world (tests/world.py) as fixtures."""

import os
import sys
from collections.abc import Iterator
from copy import deepcopy

import pytest
from django.conf import settings
from django.template.base import Node
from django.test import override_settings

from kvote.api.tests.core_helpers import Shop
from kvote.companies.models import Company
from kvote.people.models import Employee, User
from tests.world import (
    Fjord,
    World,
    admin_of,
    buyer_of,
    fjord_elektro,
    holder_of,
    leader_of,
    nordlys,
    other_leader_of,
    outsider_of,
    team_of,
)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Where the tests' uploaded and fetched files go (not var/media)."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def demo_files_dir(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Where seed_demo writes its sample files in tests (not var/demo)."""
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="session")
def file_settings(media_dir, demo_files_dir):  # type: ignore[no-untyped-def]
    """The settings that keep the tests' files out of var/: for `override_settings` in a
    fixture wider than a test (a module's seeded demo), which `settings` cannot serve."""
    return {
        "MEDIA_ROOT": media_dir,
        "KVOTE_DEMO_DIR": demo_files_dir,
        "STORAGES": {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": media_dir, "base_url": settings.MEDIA_URL},
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    }


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings, file_settings):  # type: ignore[no-untyped-def]
    """Tests hash passwords quickly, send mail to memory, throttle only where they test it, and
    keep files in folders of their own."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = False
    # The worker's import jobs lower their process's CPU priority, for good; the test run
    # would keep it (kvote/catalog/tests/test_imports_jobs.py proves it in a process of its own).
    settings.KVOTE_IMPORT_NICE = os.nice(0)
    for name, value in file_settings.items():
        setattr(settings, name, value)


class InvalidTemplateVariable(str):
    """`string_if_invalid` for tests: rendering a variable that does not resolve raises.

    Django formats `string_if_invalid % variable` when the string holds "%s"; this one raises
    there instead, so `{{ ordr.number }}` or `{% blocktranslate %}{{ nmae }}{% endblocktranslate %}`
    fails the test that renders it. `{% if %}` and `{% for %}` still treat a missing variable as
    empty (they resolve with ignore_failures). Note that `|default` does not rescue a missing
    variable under a non-empty string_if_invalid: say `{% if %}`, or give the view the variable.
    """

    def __mod__(self, variable: object) -> str:
        raise AssertionError(
            f"A template rendered a variable that does not resolve: {variable}{_where()}"
        )


def _where() -> str:
    """Where the variable is: the template and line of the node rendering it (from the stack)."""
    frame = sys._getframe(2)
    while frame is not None:
        node = frame.f_locals.get("self")
        if isinstance(node, Node) and getattr(node, "token", None) is not None:
            name = node.origin.template_name or node.origin.name
            return f" in {name!s} line {node.token.lineno}"
        frame = frame.f_back
    return ""


@pytest.fixture(autouse=True, scope="session")
def _templates_refuse_missing_variables() -> Iterator[None]:
    """Once for the session: override_settings sends setting_changed, which drops the template
    engines Django has cached, so the next render builds them with this option."""
    templates = deepcopy(settings.TEMPLATES)
    for engine in templates:
        if engine["BACKEND"] == "django.template.backends.django.DjangoTemplates":
            options: dict[str, object] = engine.setdefault("OPTIONS", {})
            options["string_if_invalid"] = InvalidTemplateVariable("%s")
    with override_settings(TEMPLATES=templates):
        yield


# --- The world (tests/world.py): ask for whom you need, or for `world` ------------------------


@pytest.fixture
def company(db: None) -> Company:
    """Nordlys AS."""
    return nordlys()


@pytest.fixture
def admin(company: Company) -> User:
    """Ada Admin (1000), Nordlys' company admin."""
    return admin_of(company)


@pytest.fixture
def leader(company: Company) -> User:
    """Liv Leder (1001), supervisor and approver: nearest manager of `holder` and `team`."""
    return leader_of(company)


@pytest.fixture
def other_leader(company: Company) -> User:
    """Odd Annen (1002), another supervisor: `outsider`'s."""
    return other_leader_of(company)


@pytest.fixture
def holder(company: Company, leader: User) -> User:
    """Mats Berg (1003), budget holder with kr 1 000,00 this period; `leader` is his manager."""
    return holder_of(company, leader)


@pytest.fixture
def buyer(company: Company) -> User:
    """Inga Innkjøp (1005), a buyer: no other role, no budget."""
    return buyer_of(company)


@pytest.fixture
def team(company: Company, leader: User) -> list[Employee]:
    """Anne Berg (101), Bjørn Dahl (102), Cecilie Eng (203): `leader`'s, no login, no budget."""
    return team_of(company, leader)


@pytest.fixture
def outsider(company: Company, other_leader: User) -> Employee:
    """Ola Utenfor (900), no login: `other_leader`'s employee, not `leader`'s."""
    return outsider_of(company, other_leader)


@pytest.fixture
def world(
    company: Company,
    admin: User,
    leader: User,
    other_leader: User,
    holder: User,
    buyer: User,
    team: list[Employee],
    outsider: Employee,
) -> World:
    """All of Nordlys at once."""
    return World(company, admin, leader, other_leader, holder, buyer, team, outsider)


@pytest.fixture
def fjord(db: None) -> Fjord:
    """Fjord Elektro AS, the other company, with its admin and its supervisor."""
    return fjord_elektro()


@pytest.fixture
def shop(world: World) -> Shop:
    """The world with a default delivery address and two products (kvote.api.tests.core_helpers
    .Shop): what an order needs."""
    return Shop.of(world)
