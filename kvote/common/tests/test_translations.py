"""The Norwegian Bokmål catalogue is complete, consistent with its compiled .mo, and uses the
product's words (DESIGN.md's glossary).

The .po is read with a small parser here; the .mo with the standard library's
gettext.GNUTranslations, the same reader Django uses.
"""

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from kvote.ordering.models import OrderState

MESSAGES = Path(settings.LOCALE_PATHS[0]) / "nb" / "LC_MESSAGES"
PO = MESSAGES / "django.po"
MO = MESSAGES / "django.mo"

# msgid -> the Norwegian the product uses for it (checked when the msgid is in the catalogue).
KEY_TERMS = {
    "My page": "Min side",
    "My orders": "Mine ordrer",
    "My employees": "Mine ansatte",
    "Employee list": "Ansattliste",
    "All employees": "Alle ansatte",
    "Employee number": "Ansattnummer",
    "Item number": "Varenummer",
    "Product number": "Produktnummer",
    "Recipient": "Mottaker",
    "Favourites": "Favoritter",
    "Delivery address": "Leveringsadresse",
    "Approve orders": "Godkjenne ordrer",
    "Awaiting approval": "Venter på godkjenning",
    "Budget": "Budsjett",
    "Spent": "Brukt",
    "Remaining": "Igjen",
    "You are over budget after purchase": "Du er i minus etter kjøp",
    "Your reference": "Deres referanse",
    "Cart": "Handlekurv",
    "Add to cart": "Legg i handlekurven",
    "Go to checkout": "Til kassen",
    "Colour": "Farge",
    "Size": "Størrelse",
    "Quantity": "Antall",
    "Log in": "Logg inn",
    "Log out": "Logg ut",
    "Rejected": "Avvist",
    "Cancelled": "Kansellert",
    "Sent to supplier": "Sendt til leverandør",
    "Received by supplier": "Mottatt av leverandør",
    "Confirmed by supplier": "Bekreftet av leverandør",
    "Shipped": "Sendt fra lager",
    "VAT": "mva.",
}
# These must be in the catalogue: the test is not vacuous if strings are renamed.
REQUIRED_TERMS = ("My page", "My orders", "Item number", "Employee number", "Add to cart")

# An English phrase in a msgid -> the Norwegian that every translation of it contains.
GLOSSARY_PHRASES = {
    r"\bitem number\b": "varenummer",
    r"\bemployee number\b": "ansattnummer",
    r"\bexcl\. VAT\b": "eks. mva.",
    r"\bincl\. VAT\b": "inkl. mva.",
    r"\bMy page\b": "Min side",
    r"\bMy orders\b": "Mine ordrer",
    r"\bAll employees\b": "Alle ansatte",
    r"\bdelivery address\b": "leveringsadresse",
    r"\brecipient\b": "mottaker",
    r"\bcart\b": "handlekurv",
}
# Words that are the same in both languages.
SAME_IN_BOTH = {
    "Status",
    "status",
    "Person",
    "variant",
    "supervisor",
    "Supervisor",
    "Excel (xlsx)",
    "API",
}

PO_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$")
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[sdifr]")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def is_header(self) -> bool:
        return self.msgid == ""


def _po_string(text: str) -> str:
    return str(ast.literal_eval(text))


def parse_po(text: str) -> list[Entry]:
    """Entries of a .po file (obsolete `#~` entries skipped), with their flags."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry, target, seen = Entry(), "", False
        parts: dict[str, str] = {}
        for line in block.splitlines():
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := PO_KEYWORD.match(line):
                target, seen = match.group(1), True
                parts[target] = _po_string(match.group(2))
            elif line.startswith('"') and target:
                parts[target] += _po_string(line)
        if not seen:
            continue
        entry.msgid = parts["msgid"]
        entry.msgid_plural = parts.get("msgid_plural")
        if entry.msgid_plural is None:
            entry.msgstrs = [parts["msgstr"]]
        else:
            keys = sorted((k for k in parts if k.startswith("msgstr[")), key=lambda k: int(k[7:-1]))
            entry.msgstrs = [parts[k] for k in keys]
        entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return parse_po(PO.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if not e.is_header]


def _catalog(path: Path) -> dict[object, str]:
    with path.open("rb") as mo:
        return dict(gettext.GNUTranslations(mo)._catalog)


def test_the_catalogue_is_norwegian_bokmal_with_two_plural_forms(entries: list[Entry]) -> None:
    header = next(e for e in entries if e.is_header).msgstrs[0]
    assert "Language: nb\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header
    assert len(entries) > 100


def test_no_entry_is_fuzzy(entries: list[Entry]) -> None:
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert fuzzy == [], f"fuzzy entries (check them, then remove the flag): {fuzzy}"


def test_every_message_is_translated(messages: list[Entry]) -> None:
    empty = [e.msgid for e in messages if not all(s.strip() for s in e.msgstrs)]
    assert empty == []
    wrong_forms = [e.msgid for e in messages if e.msgid_plural is not None and len(e.msgstrs) != 2]
    assert wrong_forms == []


def test_no_message_is_left_in_english(messages: list[Entry]) -> None:
    english = [e.msgid for e in messages if e.msgstrs[0] == e.msgid and e.msgid not in SAME_IN_BOTH]
    assert english == []


def test_placeholders_are_kept(messages: list[Entry]) -> None:
    broken = []
    for e in messages:
        wanted = set(PLACEHOLDER.findall(e.msgid)) | set(PLACEHOLDER.findall(e.msgid_plural or ""))
        for msgstr in e.msgstrs:
            if set(PLACEHOLDER.findall(msgstr)) != wanted:
                broken.append((e.msgid, msgstr))
            if e.msgid.count("%%") != msgstr.count("%%") and "python-format" in e.flags:
                broken.append((e.msgid, msgstr))
    assert broken == []


def test_the_compiled_catalogue_holds_what_the_po_says(messages: list[Entry]) -> None:
    catalog = _catalog(MO)
    stale = []
    for e in messages:
        if e.msgid_plural is None:
            if catalog.get(e.msgid) != e.msgstrs[0]:
                stale.append(e.msgid)
        elif [catalog.get((e.msgid, n)) for n in range(len(e.msgstrs))] != e.msgstrs:
            stale.append(e.msgid)
    assert stale == [], f"django.mo is older than django.po; run `make messages`: {stale}"
    singular_keys = {k for k in catalog if isinstance(k, str) and k}
    assert singular_keys <= {e.msgid for e in messages}, "django.mo has messages the .po lost"


def test_msgfmt_compiles_the_po_to_the_committed_mo(tmp_path: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext's msgfmt is not installed")
    fresh = tmp_path / "django.mo"
    result = subprocess.run(
        [msgfmt, "--check-format", "-o", str(fresh), str(PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert _catalog(fresh) == _catalog(MO), "django.mo is out of date; run `make messages`"


def test_the_products_words_are_used(messages: list[Entry]) -> None:
    translated = {e.msgid: e.msgstrs[0] for e in messages if e.msgid_plural is None}
    for msgid in REQUIRED_TERMS:
        assert msgid in translated, f"{msgid!r} is no longer in the catalogue"
    wrong = {
        msgid: translated[msgid]
        for msgid, norwegian in KEY_TERMS.items()
        if msgid in translated and translated[msgid] != norwegian
    }
    assert wrong == {}


def test_glossary_phrases_are_translated_the_same_way_everywhere(messages: list[Entry]) -> None:
    wrong = []
    for e in messages:
        for pattern, norwegian in GLOSSARY_PHRASES.items():
            if re.search(pattern, e.msgid, re.IGNORECASE):
                wrong += [(e.msgid, s) for s in e.msgstrs if norwegian.lower() not in s.lower()]
    assert wrong == []


def test_django_serves_the_catalogue_in_norwegian() -> None:
    with translation.override("nb"):
        assert translation.gettext("My page") == "Min side"
        assert translation.ngettext("%(counter)s product", "%(counter)s products", 2) == (
            "%(counter)s produkter"
        )
        states = [str(label) for label in OrderState.labels]
    assert len(set(states)) == len(states), f"two order states read the same: {states}"
    with translation.override("en"):
        assert translation.gettext("My page") == "My page"
