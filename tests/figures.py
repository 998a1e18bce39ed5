"""Budget figures as a reader gets them, off a rendered page or an API answer, and the two
equations they must obey wherever they stand side by side (DESIGN.md, "Figures reconcile by
eye"):

    budget − spent_before = remaining_before;  remaining_before − this_order = remaining_after
    without an order:       budget − spent = remaining

The pages mark each figure with `data-figure="budget|spent|spent_before|…"` (the approval
queue, the review, Min side). `page_figures` reads them, one dict per table row (or one for a
fragment without rows), each amount parsed from its text exactly as the portal writes money in
either language ("kr 1 234,50", "NOK 1,234.50", a minus sign before the digits), so a figure
that is not an amount, or is written another way, fails the test that reads it.
"""

import html
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

WITH_ORDER = ("budget", "spent_before", "remaining_before", "this_order", "remaining_after")
WITHOUT_ORDER = ("budget", "spent", "remaining")

_FIGURE = re.compile(r'<(td|dd|span)\b[^>]*\bdata-figure="([a-z_]+)"[^>]*>(.*?)</\1>', re.S)
_AMOUNT = re.compile(
    r"^(?:kr (?P<nb>-?\d{1,3}(?: \d{3})*,\d{2})|NOK (?P<en>-?\d{1,3}(?:,\d{3})*\.\d{2}))(?: |$)"
)


def text(fragment: str) -> str:
    """HTML as a reader sees it: tags dropped, entities decoded, white space collapsed."""
    plain = html.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return " ".join(plain.replace("\u00a0", " ").split())


def amount(shown: str) -> Decimal:
    """The amount at the start of a figure's text ("NOK -124.50 Over budget" → −124.50)."""
    match = _AMOUNT.match(text(shown))
    assert match, f"{text(shown)!r} is not an amount as the portal writes it"
    if match["nb"] is not None:
        return Decimal(match["nb"].replace(" ", "").replace(",", "."))
    return Decimal(match["en"].replace(",", ""))


def page_figures(fragment: str) -> list[dict[str, Decimal]]:
    """The figures of each table row of `fragment` that has any (or of the whole fragment
    when it has no rows), by their data-figure names."""
    rows = re.findall(r"<tr\b[^>]*>(.*?)</tr>", fragment, flags=re.S) or [fragment]
    found = [{name: amount(cell) for _tag, name, cell in _FIGURE.findall(row)} for row in rows]
    return [figures for figures in found if figures]


def named_figures(fragment: str) -> dict[str, dict[str, Decimal]]:
    """The figures of each table row of `fragment`, by the row's title (its
    `<th scope="row">`, as text): one recipient's figures by "Name (number)"."""
    found = {}
    for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", fragment, flags=re.S):
        title = re.search(r'<th\b[^>]*scope="row"[^>]*>(.*?)</th>', row, flags=re.S)
        figures = {name: amount(cell) for _tag, name, cell in _FIGURE.findall(row)}
        if figures:
            assert title, f"a row of figures without a title: {text(row)!r}"
            assert text(title.group(1)) not in found, f"two rows for {text(title.group(1))!r}"
            found[text(title.group(1))] = figures
    return found


def json_figures(data: Mapping[str, Any]) -> dict[str, Decimal]:
    """The figures of an API answer's budget object (money is a string with two decimals)."""
    assert all(
        re.fullmatch(r"-?\d+\.\d{2}", data[name])
        for name in (*WITH_ORDER, *WITHOUT_ORDER)
        if name in data
    ), data
    return {
        name: Decimal(data[name])
        for name in (*WITH_ORDER, *WITHOUT_ORDER, "pending")
        if name in data
    }


def assert_reconciles(figures: Mapping[str, Decimal]) -> None:
    """The two equations with an order, or budget − spent = remaining without one; every
    figure of the kind present."""
    if "this_order" in figures or "spent_before" in figures:
        assert set(WITH_ORDER) <= set(figures), figures
        assert figures["budget"] - figures["spent_before"] == figures["remaining_before"], figures
        assert figures["remaining_before"] - figures["this_order"] == figures["remaining_after"], (
            figures
        )
    else:
        assert set(WITHOUT_ORDER) <= set(figures), figures
        assert figures["budget"] - figures["spent"] == figures["remaining"], figures


def shown(*amounts: str | int, names: tuple[str, ...] = WITH_ORDER) -> dict[str, Decimal]:
    """Figures a test expects, in the order of `names` (an order's five by default)."""
    assert len(amounts) == len(names)
    return {name: Decimal(value) for name, value in zip(names, amounts, strict=True)}


# --- Kits ----------------------------------------------------------------------------------------
# A kit's figures are pieces, marked `data-kit-figure="allowed|used_before|…"` (the review and the
# approval queue: kits/includes/entitlement_effects.html), in the budget's arithmetic:
#     allowed − used_before = remaining_before;  remaining_before − this_order = remaining_after

KIT_WITH_ORDER = ("allowed", "used_before", "remaining_before", "this_order", "remaining_after")

_KIT_FIGURE = re.compile(r'<(td|dd|span)\b[^>]*\bdata-kit-figure="([a-z_]+)"[^>]*>(.*?)</\1>', re.S)


def pieces(shown: str) -> int:
    """The whole number at the start of a kit figure's text ("-1 Beyond the kit" → −1)."""
    match = re.match(r"^-?\d+(?: |$)", text(shown))
    assert match, f"{text(shown)!r} is not a number of pieces"
    return int(match.group(0))


def named_kit_figures(fragment: str) -> dict[str, dict[str, int]]:
    """The kit figures of each table row of `fragment`, by the row's title (the kit item)."""
    found = {}
    for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", fragment, flags=re.S):
        title = re.search(r'<th\b[^>]*scope="row"[^>]*>(.*?)</th>', row, flags=re.S)
        figures = {name: pieces(cell) for _tag, name, cell in _KIT_FIGURE.findall(row)}
        if figures:
            assert title, f"a row of kit figures without a title: {text(row)!r}"
            assert text(title.group(1)) not in found, f"two rows for {text(title.group(1))!r}"
            found[text(title.group(1))] = figures
    return found


def assert_kit_reconciles(figures: Mapping[str, int]) -> None:
    """The kit's two equations, every figure present."""
    assert set(KIT_WITH_ORDER) <= set(figures), figures
    assert figures["allowed"] - figures["used_before"] == figures["remaining_before"], figures
    assert figures["remaining_before"] - figures["this_order"] == figures["remaining_after"], (
        figures
    )


def kit_shown(*values: int) -> dict[str, int]:
    """Kit figures a test expects, in the order of KIT_WITH_ORDER."""
    return dict(zip(KIT_WITH_ORDER, values, strict=True))
