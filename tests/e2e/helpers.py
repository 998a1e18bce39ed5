"""What the journeys share: the accessibility check, logging in, the UI's words in a language,
and reading amounts and tables off a page.

Money is formatted and parsed here on its own (not with kvote.common.money), so a journey
checks the portal's figures against an independent reading of "kr 1 234,50" / "NOK 1,234.50".
"""

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

PASSWORD = "demo1234"
BLOCKING_IMPACTS = {"serious", "critical"}
VAT_RATE = Decimal("0.25")
# The browser contexts load axe-core into every page (conftest: add_init_script(AXE_SCRIPT)), so
# a check need not send the 500 kB script again; it only runs it (and only the violations are
# sent back). The run's promise waits on the page under _AXE_RUN until it is read.
_AXE_CALL = "axe.run(document, {resultTypes: ['violations'], preload: %s})"
_AXE_RUN = "__kvoteAxeRun"

# Norwegian: "kr 1 234,50" (the group separator is a (no-break) space); English: "NOK 1,234.50".
_NOK_FORMATS = {
    "nb": re.compile(r"^kr (?P<whole>\d{1,3}(?: \d{3})*),(?P<cents>\d{2})$"),
    "en": re.compile(r"^NOK (?P<whole>\d{1,3}(?:,\d{3})*)\.(?P<cents>\d{2})$"),
}


def assert_accessible(page: Page, *, preload: bool = True) -> None:
    """Run axe-core on the page as it is now; fail listing every serious or critical violation.

    `preload=False` for a page whose stylesheets `@import` others (the Django admin's forms.css):
    axe's preload copies such a sheet into an inline <style>, which the Content-Security-Policy
    refuses (and the page watch then fails the test for it); its only use is the
    css-orientation-lock rule."""
    violations = axe_violations(page, preload=preload)
    if violations:
        lines = [f"axe-core: {len(violations)} serious/critical violation(s) on {page.url}"]
        pytest.fail("\n".join(lines + violations), pytrace=False)


def axe_start(page: Page, *, preload: bool = True) -> None:
    """Start axe-core on the page as it is now and return at once; `axe_violations` then reads
    the result. So a test with several pages open runs axe on them side by side."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)  # a page made without the context's init script
    call = _AXE_CALL % ("true" if preload else "false")
    page.evaluate(f"() => {{ window.{_AXE_RUN} = {call}; }}")


def axe_violations(page: Page, *, preload: bool = True) -> list[str]:
    """axe-core's serious and critical violations on the page (of the run `axe_start` began, or
    of a run started now), one text each: the rule, its impact and help, then every element it
    found. What `assert_accessible` fails on, for a test that collects the problems of many
    pages before it fails."""
    if not page.evaluate(f"() => Boolean(window.{_AXE_RUN})"):
        axe_start(page, preload=preload)
    results = page.evaluate(
        f"() => {{ const run = window.{_AXE_RUN}; delete window.{_AXE_RUN}; return run; }}"
    )
    blocking = [v for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    found = []
    for violation in blocking:
        lines = [f"- {violation['id']} ({violation['impact']}): {violation['help']}"]
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    at {target}: {summary}")
        found.append("\n".join(lines))
    return found


def assert_fits_width(page: Page) -> None:
    """Nothing on the page scrolls sideways: not the page, and not a part of it (a wide table
    becomes stacked cards on a phone instead of scrolling in its wrapper)."""
    problems = sideways_scrolling(page)
    assert not problems, f"{page.url} scrolls sideways:\n" + "\n".join(problems)


# Reads the page as it is laid out now: the page itself wider than its viewport, every element
# that scrolls sideways inside it (a .kv-table-wrap whose table does not fit), and the outermost
# elements that stick out past the right edge (the cause of a page that is too wide, or content
# hidden by a clipping page). Form fields, and whatever is visually hidden (the ds-sr-only
# pattern: 1 px, clipped), are not content a person scrolls to. Each finding reads "what: how
# much"; "what" names the element by tag, classes and an id without digits (the same element on
# another row or page reads the same).
_SIDEWAYS_JS = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const found = [];
  const name = (el) => el.tagName.toLowerCase() + (/^[a-z-]+$/i.test(el.id) ? `#${el.id}` : "")
    + [...el.classList].slice(0, 3).map((c) => `.${c}`).join("");
  const path = (el) => {
    const parts = [];
    for (let at = el; at && at !== document.body && parts.length < 3; at = at.parentElement) {
      parts.unshift(name(at));
    }
    return parts.join(" > ");
  };
  if (root.scrollWidth > width) {
    found.push(`the page scrolls sideways: ${root.scrollWidth}px wide in a ${width}px viewport`);
  }
  const skip = new Set(["INPUT", "SELECT", "TEXTAREA", "OPTION", "SCRIPT", "STYLE"]);
  const clips = (style) => style.overflowX !== "visible";
  for (const el of document.body.querySelectorAll("*")) {
    if (skip.has(el.tagName)) continue;
    const style = getComputedStyle(el);
    if ((style.overflowX === "auto" || style.overflowX === "scroll")
        && el.clientWidth > 1 && el.scrollWidth > el.clientWidth + 1) {
      found.push(`${path(el)} scrolls sideways: ${el.scrollWidth}px of content in `
        + `${el.clientWidth}px`);
    }
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (skip.has(el.tagName)) continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || box.right + window.scrollX <= width + 1) continue;
    let outermost = true;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const upBox = up.getBoundingClientRect();
      if (upBox.width <= 1 || clips(getComputedStyle(up))
          || upBox.right + window.scrollX > width + 1) {
        outermost = false;  // hidden, or inside a part that scrolls or is reported itself
        break;
      }
    }
    if (outermost) {
      found.push(`${path(el)} sticks out past the right edge: ${Math.round(box.width)}px wide, `
        + `its right edge at ${Math.round(box.right + window.scrollX)}px`);
    }
  }
  return found;
}"""


def sideways_scrolling(page: Page) -> list[str]:
    """What scrolls sideways on the page as it is now (empty when nothing does): the rule of
    `assert_fits_width`, for a test that collects the problems of many pages before it fails."""
    problems: list[str] = page.evaluate(_SIDEWAYS_JS)
    return problems


# The header's visible links and buttons, grouped into the lines they stand on: boxes that share
# a horizontal band are on one line.
_HEADER_LINES_JS = """() => {
  const items = [...document.querySelectorAll(".kv-header a, .kv-header button")]
    .map((el) => ({el, box: el.getBoundingClientRect()}))
    .filter(({el, box}) => box.width > 1 && box.height > 1
      && getComputedStyle(el).visibility !== "hidden")
    .sort((a, b) => a.box.top - b.box.top);
  const lines = [];
  for (const {el, box} of items) {
    const line = lines.find((l) => box.top < l.bottom && box.bottom > l.top);
    const label = (el.innerText || el.getAttribute("aria-label") || el.tagName).trim()
      .replace(/\\s+/g, " ");
    if (line) {
      line.items.push(label);
      line.top = Math.max(line.top, box.top);
      line.bottom = Math.min(line.bottom, box.bottom);
    } else {
      lines.push({top: box.top, bottom: box.bottom, items: [label]});
    }
  }
  return lines.map((l) => l.items);
}"""


def header_lines(page: Page) -> list[list[str]]:
    """The names of the header's visible links and buttons, line by line as they stand."""
    lines: list[list[str]] = page.evaluate(_HEADER_LINES_JS)
    return lines


def t(language: str, msgid: str, **values: Any) -> str:
    """The UI's text for `msgid` in `language`, from the same catalogue the server uses."""
    with translation.override(language):
        text = translation.gettext(msgid)
    return text % values if values else text


def log_in(page: Page, email: str) -> None:
    """Log in through the login form, in either language, and check the portal answered."""
    page.goto("/login/")
    assert_accessible(page)
    page.get_by_label(re.compile(r"^(E-post|Email)")).fill(email)
    page.get_by_label(re.compile(r"^(Passord|Password)")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^(Logg inn|Log in)$")).click()
    # «Logg ut» is in the header, folded into «Meny» on a phone.
    log_out = re.compile(r"^(Logg ut|Log out)$")
    expect(page.get_by_role("button", name=log_out, include_hidden=True)).to_be_attached()


def menu(page: Page, language: str) -> Locator:
    """The header's main menu (Catalogue, Favourites, Cart, My page), opened first where it
    folds into «Meny» (a phone)."""
    nav = page.get_by_role("navigation", name=t(language, "Main menu"))
    button = nav.get_by_role("button", name=t(language, "Menu"), exact=True)
    if button.is_visible() and button.get_attribute("aria-expanded") == "false":
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")
    return nav


def go_to_cart(page: Page, language: str) -> None:
    """To the cart page through the header: its cart opens the mini-cart (minicart.js), whose
    «Go to the cart» goes there; on the cart page itself the header's cart is a plain link."""
    nav = page.get_by_role("navigation", name=t(language, "Main menu"))
    cart = nav.locator(".kv-cartlink")
    cart.click()
    if cart.get_attribute("role") == "button":
        expect(cart).to_have_attribute("aria-expanded", "true")
        page.locator("#kv-minicart").get_by_role("link", name=t(language, "Go to the cart")).click()
    expect(page.get_by_role("heading", level=1, name=t(language, "Cart"))).to_be_visible()


def choose_variant(page: Page, language: str, colour: str, size: str) -> None:
    """Pick a colour, then a size, on a product page; each time wait for the variant panel to
    follow (htmx swaps it, and the size picker with it, after a colour change)."""
    page.get_by_role("group", name=t(language, "Colour")).get_by_role("radio", name=colour).check()
    after_colour = t(language, "%(colour)s, size %(size)s", colour=colour, size="")
    expect(
        page.get_by_role("heading", level=2, name=re.compile(f"^{re.escape(after_colour)}"))
    ).to_be_visible()
    sizes = page.get_by_role("group", name=t(language, "Size"))
    sizes.get_by_role("radio", name=size, exact=True).check()
    heading = t(language, "%(colour)s, size %(size)s", colour=colour, size=size)
    expect(page.get_by_role("heading", level=2, name=heading, exact=True)).to_be_visible()
    expect(sizes.get_by_role("radio", name=size, exact=True)).to_be_checked()


# --- money ------------------------------------------------------------------------------------


def money(amount: Decimal | str | int) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def nok(amount: Decimal, language: str) -> str:
    """An amount as the portal must show it, with plain spaces (see `clean`)."""
    whole, cents = f"{money(amount):.2f}".split(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    if language == "en":
        return f"NOK {','.join(groups)}.{cents}"
    return f"kr {' '.join(groups)},{cents}"


def parse_nok(text: str, language: str) -> Decimal:
    """The amount in a shown price; fails unless it is written the way `language` writes it."""
    shown = clean(text)
    match = _NOK_FORMATS[language].match(shown)
    example = nok(Decimal("1234.5"), language)
    assert match, f"{shown!r} is not an amount written as in {language!r} ({example!r})"
    whole = match["whole"].replace(" ", "").replace(",", "")
    return Decimal(f"{whole}.{match['cents']}")


def vat_of(excl: Decimal) -> Decimal:
    return money(excl * VAT_RATE)


# --- reading the page -------------------------------------------------------------------------


def clean(text: str) -> str:
    """Text as a reader sees it: every run of white space (no-break spaces too) is one space."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def definition(page: Page | Locator, term: str) -> str:
    """The text of the description (<dd>) that follows the term (<dt>) named `term`."""
    dt = page.get_by_role("term").filter(has_text=re.compile(f"^{re.escape(term)}$"))
    expect(dt).to_have_count(1)
    return clean(dt.locator("xpath=following-sibling::dd[1]").inner_text())


def table_rows(table: Locator) -> list[dict[str, str]]:
    """A table's body rows as {column heading: cell text}."""
    rows: list[dict[str, str]] = table.evaluate(
        """t => {
            const heads = [...t.tHead.rows[0].cells].map(c => c.innerText.trim());
            return [...t.tBodies[0].rows].map(r => Object.fromEntries(
                [...r.cells].map((c, i) => [heads[i], c.innerText])));
        }"""
    )
    return [{clean(k): clean(v) for k, v in row.items()} for row in rows]


def totals_of(page: Page | Locator, language: str) -> dict[str, Decimal]:
    """The totals table (excl. VAT, VAT, incl. VAT), each figure checked for its format."""
    table = page.get_by_role("table", name=t(language, "Totals"))
    shown: dict[str, str] = table.evaluate(
        """t => Object.fromEntries([...t.tBodies[0].rows].map(
            r => [r.cells[0].innerText, r.cells[1].innerText]))"""
    )
    figures = {clean(k): parse_nok(v, language) for k, v in shown.items()}
    vat_label = clean(t(language, "VAT %(vat_percent)s %%", vat_percent="25"))
    labels = {
        "excl": clean(t(language, "Total excl. VAT")),
        "vat": vat_label,
        "incl": clean(t(language, "Total incl. VAT")),
    }
    assert set(figures) == set(labels.values()), f"totals table rows: {list(figures)}"
    totals = {key: figures[label] for key, label in labels.items()}
    assert totals["vat"] == vat_of(totals["excl"]), f"VAT is not 25 % of the total: {totals}"
    assert totals["incl"] == totals["excl"] + totals["vat"], f"totals do not add up: {totals}"
    return totals
