"""One error code per meaning (STYLE.md, "Errors users can act on").

Every module of kvote is read with `ast` for the places an app's error code is raised with its
message: `ServiceError(BudgetError.NOT_YOUR_EMPLOYEE, _("…"))`, a returned problem
`(OrderError.RECIPIENT_REQUIRED, _("…"))`, the supplier's `_error(SupplierReplyError.…, _("…"))`.
Then:
- every code of every app's error enum is raised somewhere (a code nobody raises is dead);
- a refusal (403: the actor may not do this) is raised only with the messages listed for it
  below, so giving a refusal code a second meaning (as "Choose approve or reject." once was
  `not_an_approver`) fails here until it gets its own code;
- what is refused for want of a role (the raise stands under a test of kvote.people.roles) is a
  refusal: a 403 code, never an "invalid input" one;
- every code the API answers 403 is one of these refusals.
"""

import ast
import enum
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.db import models

from kvote.api.errors import STATUS_BY_CODE, status_of
from kvote.approvals.errors import ApprovalError
from kvote.budgets.errors import BudgetError
from kvote.catalog.errors import CatalogueError
from kvote.common.errors import CommonError
from kvote.kits.errors import KitError
from kvote.ordering.errors import OrderError
from kvote.people.employee_rules import EmployeeErrorCode

KVOTE = Path(__file__).resolve().parents[2]

# Each refusal and the messages that say it: one meaning per code.
REFUSALS: dict[str, set[str]] = {
    ApprovalError.CANNOT_APPROVE_OWN_ORDER: {"Nobody can decide an order they placed."},
    ApprovalError.NOT_AN_APPROVER: {"Only approvers name substitutes."},
    CatalogueError.NOT_ALLOWED: {
        "Only the supplier's staff may change the catalogue, its prices and its stock."
    },
    # One code for every app: the request is for company admins only.
    CommonError.ADMIN_ONLY: {
        "Only a company admin sees all the company's orders.",
        "Only a company admin can change the approval policy.",
        "Only a company admin can see or change the approval policy.",
        "Only a company admin can change the budget period.",
        "Only a company admin can define kits.",
    },
    KitError.NOT_YOUR_EMPLOYEE: {
        "You can assign kits only to the employees you are responsible for.",
        "Nobody sets their own kit: another company admin, or your supervisor, sets it.",
    },
    BudgetError.NOT_YOUR_EMPLOYEE: {
        "You can set budgets only for the employees you are responsible for.",
        "Nobody sets their own budget: another company admin, or your supervisor, sets it.",
    },
    EmployeeErrorCode.NOT_YOURS: {
        "%(name)s is not one of your employees.",
        "Only a company admin can add an employee for another supervisor.",
    },
    OrderError.RECIPIENT_NOT_ALLOWED: {
        "The chosen employee cannot receive orders.",
        "You can only order for yourself.",
        "%(name)s cannot receive item number “%(item)s”.",
    },
}


@dataclass(frozen=True)
class Raised:
    enum: str  # the error enum's class name
    member: str
    message: str  # the msgid; "" when the message is computed elsewhere
    role_guarded: bool  # under an `if` that asks kvote.people.roles
    where: str

    @property
    def code(self) -> str:
        return str(ERROR_ENUMS[self.enum][self.member])


def _error_enums() -> dict[str, type[models.TextChoices]]:
    """Every app's error codes: the TextChoices classes named *Error or *ErrorCode."""
    found: dict[str, type[models.TextChoices]] = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and node.name.endswith(("Error", "ErrorCode")):
                bases = {ast.unparse(b) for b in node.bases}
                if bases & {"models.TextChoices", "TextChoices"}:
                    module = ".".join(path.relative_to(KVOTE.parent).with_suffix("").parts)
                    found[node.name] = getattr(__import__(module, fromlist=["_"]), node.name)
    return found


def _modules() -> list[Path]:
    return [
        p
        for p in sorted(KVOTE.rglob("*.py"))
        if "tests" not in p.parts and "migrations" not in p.parts
    ]


def _msgid(node: ast.AST) -> str:
    """The first `_("…")` / gettext("…") literal in a message expression."""
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Call)
            and ast.unparse(sub.func) in {"_", "gettext", "gettext_lazy"}
            and sub.args
            and isinstance(sub.args[0], ast.Constant)
        ):
            return str(sub.args[0].value)
    return ""


def _asks_roles(test: ast.AST, aliases: set[str]) -> bool:
    return any(
        isinstance(sub, ast.Call)
        and isinstance(sub.func, ast.Attribute)
        and isinstance(sub.func.value, ast.Name)
        and sub.func.value.id in aliases
        for sub in ast.walk(test)
    )


def _raised_in(path: Path, enums: set[str]) -> list[Raised]:
    tree = ast.parse(path.read_text())
    aliases = {
        a.asname or a.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "kvote.people"
        for a in node.names
        if a.name == "roles"
    }
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            items = node.args
        elif isinstance(node, ast.Tuple):
            items = node.elts
        else:
            continue
        if len(items) < 2 or not isinstance(items[0], ast.Attribute):
            continue
        code = items[0]
        if not (isinstance(code.value, ast.Name) and code.value.id in enums):
            continue
        guard, up = False, parents.get(node)
        while up is not None and not isinstance(up, ast.FunctionDef | ast.ClassDef):
            if isinstance(up, ast.If):
                guard = _asks_roles(up.test, aliases)
                break
            up = parents.get(up)
        where = f"{path.relative_to(KVOTE.parent)}:{node.lineno}"
        found.append(Raised(code.value.id, code.attr, _msgid(items[1]), guard, where))
    return found


ERROR_ENUMS = _error_enums()


def raised() -> list[Raised]:
    return [r for path in _modules() for r in _raised_in(path, set(ERROR_ENUMS))]


def test_the_error_enums_are_found() -> None:
    assert {"ApprovalError", "BudgetError", "OrderError", "EmployeeErrorCode"} <= set(ERROR_ENUMS)
    assert all(issubclass(e, enum.Enum) for e in ERROR_ENUMS.values())


def _passed_as_code(path: Path, enums: set[str]) -> set[tuple[str, str]]:
    """Codes handed to the one cleaning rule (kvote.common.text), which raises with them:
    `code=ApprovalError.COMMENT_TOO_LONG`, or its own default `code: str = TextError.TOO_LONG`."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        values = []
        if isinstance(node, ast.keyword) and node.arg == "code":
            values.append(node.value)
        if isinstance(node, ast.arguments):
            values.extend(d for d in node.kw_defaults if d is not None)
        for value in values:
            if (
                isinstance(value, ast.Attribute)
                and isinstance(value.value, ast.Name)
                and value.value.id in enums
            ):
                found.add((value.value.id, value.attr))
    return found


def test_every_code_is_raised_somewhere() -> None:
    # "Not found" is carried by its own exception (kvote.common.errors.NotFound), not raised
    # with a message of the caller's.
    used = {(r.enum, r.member) for r in raised()} | {("CommonError", "NOT_FOUND")}
    for path in _modules():
        used |= _passed_as_code(path, set(ERROR_ENUMS))
    unused = [
        f"{name}.{member.name}"
        for name, codes in ERROR_ENUMS.items()
        for member in codes
        if (name, member.name) not in used
    ]
    assert unused == []


def test_a_refusal_code_is_raised_only_with_its_meaning() -> None:
    messages: dict[str, set[str]] = defaultdict(set)
    sites: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in raised():
        if r.code in REFUSALS:
            messages[r.code].add(r.message)
            sites[r.code, r.message].append(r.where)
    for code, meaning in REFUSALS.items():
        other = messages[code] - meaning
        assert not other, (
            f"{code} is raised with another meaning: "
            + "; ".join(f"{m!r} at {', '.join(sites[code, m])}" for m in sorted(other))
            + ". Give that meaning its own code (or list it here if it truly is the same)."
        )
        assert messages[code], f"{code} is never raised"


def test_what_a_role_refuses_is_a_refusal() -> None:
    wrong = [
        f"{r.where}: {r.enum}.{r.member} ({r.message!r})"
        for r in raised()
        if r.role_guarded and r.code not in REFUSALS
    ]
    assert wrong == [], "Refused for want of a role, so 403 with a refusal code:\n" + "\n".join(
        wrong
    )
    assert sum(r.role_guarded for r in raised()) >= 5  # the guard is seen at all


def test_the_api_answers_403_exactly_for_the_refusals() -> None:
    app_codes = {str(code) for codes in ERROR_ENUMS.values() for code in codes}
    forbidden = {code for code, status in STATUS_BY_CODE.items() if status == 403}
    assert forbidden & app_codes == set(REFUSALS)


def test_the_two_codes_that_had_two_meanings_now_have_one() -> None:
    by_member: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in raised():
        by_member[r.enum, r.member].add(r.message)
    assert by_member["ApprovalError", "INVALID_DECISION"] == {"Choose approve or reject."}
    assert STATUS_BY_CODE.get(ApprovalError.INVALID_DECISION, 400) == 400
    assert by_member["ApprovalError", "NOT_AN_APPROVER"] == REFUSALS[ApprovalError.NOT_AN_APPROVER]
    assert (
        "Only a company admin can change the budget period."
        in by_member["CommonError", "ADMIN_ONLY"]
    )
    assert by_member["BudgetError", "NOT_YOUR_EMPLOYEE"] == REFUSALS[BudgetError.NOT_YOUR_EMPLOYEE]
    assert STATUS_BY_CODE[CommonError.ADMIN_ONLY] == 403


def test_an_order_beyond_a_kit_has_its_own_code_answered_400() -> None:
    assert ERROR_ENUMS["KitError"] is KitError
    by_member = {(r.enum, r.member) for r in raised()}
    assert ("KitError", "OVER_ENTITLEMENT") in by_member  # raised by order placement
    assert str(KitError.OVER_ENTITLEMENT) == "over_entitlement"
    assert status_of(KitError.OVER_ENTITLEMENT) == 400  # bad input, not a refusal
