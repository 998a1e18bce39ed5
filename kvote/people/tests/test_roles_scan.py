"""No role is spelled outside kvote.people.roles: the test that catches the next inline copy.

Python: every module of kvote (not the roles module itself, the models that declare the flags,
migrations or tests) is read with `ast`; a role flag read or written as an attribute
(`user.is_supervisor`), passed as a keyword (`filter(is_company_admin=True)`) or named as a
string (`getattr(user, "is_approver")`) is a copy of a rule that lives in roles.py. Calls of
the roles module (`roles.is_company_admin(user)`) are what every caller should do instead.

Templates: a role flag of the user (`user.is_company_admin`) or a role flag a view passed on
its own (`is_admin`, `may_choose`) is a copy; templates read the `roles` object.
"""

import ast
import re
from pathlib import Path

import pytest

KVOTE = Path(__file__).resolve().parents[2]
ROLES_MODULE = "kvote.people.roles"

# The spellings of a role outside roles.py: the stored flags, the old budget-holder flag and
# the old property on User.
ROLE_NAMES = frozenset(
    {
        "is_supervisor",
        "is_approver",
        "is_company_admin",
        "is_budget_holder",
        "may_choose_recipients",
    }
)


def _names_a_role(name: object) -> bool:
    """A role flag, also at the end of a lookup ("placed_by__is_company_admin")."""
    return isinstance(name, str) and name.rsplit("__", 1)[-1] in ROLE_NAMES


def _exempt(path: Path) -> bool:
    parts = path.relative_to(KVOTE).parts
    return (
        path == KVOTE / "people" / "roles.py"
        or path.name == "models.py"
        or "migrations" in parts
        or "tests" in parts
    )


def _roles_aliases(tree: ast.AST) -> set[str]:
    """The names a module calls kvote.people.roles by (`from kvote.people import roles as x`)."""
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "kvote.people":
            aliases |= {a.asname or a.name for a in node.names if a.name == "roles"}
        elif isinstance(node, ast.Import):
            aliases |= {a.asname for a in node.names if a.name == ROLES_MODULE and a.asname}
    return aliases


def python_copies(source: str, name: str = "<source>") -> list[str]:
    """Where `source` spells a role itself, as "name:line: what"."""
    tree = ast.parse(source)
    aliases = _roles_aliases(tree)
    found = []
    for node in ast.walk(tree):
        what = None
        if isinstance(node, ast.Attribute) and node.attr in ROLE_NAMES:
            on_roles = isinstance(node.value, ast.Name) and node.value.id in aliases
            if not on_roles:
                what = f"reads the role flag .{node.attr}"
        elif isinstance(node, ast.keyword) and _names_a_role(node.arg):
            what = f"filters or sets {node.arg}= itself"
        elif isinstance(node, ast.Constant) and _names_a_role(node.value):
            what = f"names the role flag {node.value!r}"
        if what is not None:
            found.append(f"{name}:{getattr(node, 'lineno', '?')}: {what}")
    return found


TEMPLATE_COPY = re.compile(
    r"\buser\.is_(?!authenticated\b|anonymous\b|active\b|staff\b|superuser\b)\w+"
    r"|(?<!roles\.)\b(?:is_supervisor|is_approver|is_company_admin|is_budget_holder|is_admin"
    r"|may_choose\w*)\b"
)


def template_copies(text: str, name: str = "<template>") -> list[str]:
    return [
        f"{name}:{number}: {match.group(0)}"
        for number, line in enumerate(text.splitlines(), start=1)
        for match in TEMPLATE_COPY.finditer(line)
    ]


def test_no_module_spells_a_role_itself() -> None:
    modules = [p for p in sorted(KVOTE.rglob("*.py")) if not _exempt(p)]
    assert len(modules) > 50
    copies = [
        copy
        for path in modules
        for copy in python_copies(path.read_text(), str(path.relative_to(KVOTE.parent)))
    ]
    assert copies == [], "Ask kvote.people.roles instead:\n" + "\n".join(copies)


def test_no_template_spells_a_role_itself() -> None:
    templates = sorted(KVOTE.rglob("templates/**/*.html"))
    assert len(templates) > 20
    copies = [
        copy
        for path in templates
        for copy in template_copies(path.read_text(), str(path.relative_to(KVOTE.parent)))
    ]
    assert copies == [], "Read the `roles` object instead:\n" + "\n".join(copies)


@pytest.mark.parametrize(
    ("source", "count"),
    [
        ("if user.is_supervisor or user.is_company_admin:\n    pass", 2),
        ("may = actor.may_choose_recipients", 1),
        ("User.objects.filter(company_id=1, is_company_admin=True)", 1),
        ("flag = getattr(user, 'is_approver')", 1),
        ("Order.objects.filter(placed_by__is_supervisor=True)", 1),
        ("Q(**{f'{path}is_company_admin': True})", 1),
        ("from kvote.people import roles\nroles.is_company_admin(user)", 0),
        ("from kvote.people import roles as rules\nrules.is_company_admin", 0),
        ("import kvote.people.roles as r\nr.is_company_admin(user)", 0),
        ("user.is_staff and user.is_active", 0),
    ],
)
def test_the_python_scan_finds_a_copy(source: str, count: int) -> None:
    assert len(python_copies(source)) == count, python_copies(source)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("{% if user.is_company_admin or user.is_supervisor %}", 2),
        ("{% if is_approver %}…{% elif is_admin %}", 2),
        ("{% if may_choose %}", 1),
        ("{% if roles.is_company_admin and roles.may_choose_recipients %}", 0),
        ("{% if user.is_authenticated and user.company_id %}", 0),
    ],
)
def test_the_template_scan_finds_a_copy(text: str, count: int) -> None:
    assert len(template_copies(text)) == count, template_copies(text)
