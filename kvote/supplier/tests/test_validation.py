"""The check itself: the official examples pass, broken documents fail for the right reason, and
bad input is a problem, never an exception."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from lxml import etree

from kvote.supplier.document import order_document
from kvote.supplier.validation import PEPPOL_DIR, document_check, document_problems
from tests.concurrency import run_at_once
from tests.factories import CompanyFactory, EmployeeFactory, member, place_order

EXAMPLES = sorted((PEPPOL_DIR / "examples").glob("*.xml"))
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def _rules(problems):
    """The rule ids among the problems ('schema' for what the schema found)."""
    return {problem.split(":")[0] for problem in problems}


@pytest.fixture
def order_xml(db):
    company = CompanyFactory()
    buyer = member(company)
    order = place_order(buyer, "249.50", recipient=EmployeeFactory(company=company))
    xml = order_document(order)
    assert document_problems(xml) == []
    return xml


def _changed(xml, path, change):
    """`xml` with `change(element)` applied to the first element at `path`."""
    root = etree.fromstring(xml)
    change(root.find(path, NS))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _set(text):
    def change(element):
        element.text = text

    return change


def _remove(element):
    element.getparent().remove(element)


def test_there_are_seven_official_examples():
    assert [p.name for p in EXAMPLES] == [
        "Order_Example.xml",
        *(f"UC{n}_Order.xml" for n in range(1, 7)),
    ]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_official_example_passes(example):
    assert document_problems(example.read_bytes()) == []


def test_a_wrong_profile_breaks_rule_r031(order_xml):
    xml = _changed(order_xml, "cbc:ProfileID", _set("urn:fdc:peppol.eu:poacc:bis:order_only:2"))

    (problem,) = document_problems(xml)

    assert problem.startswith("PEPPOL-T01-R031: An order transaction SHALL use profile")
    assert problem.endswith("[/Order/ProfileID]")


def test_a_missing_mandatory_element_is_a_schema_error(order_xml):
    problems = document_problems(_changed(order_xml, "cbc:IssueDate", _remove))

    assert "schema" in _rules(problems)
    schema_error = next(p for p in problems if p.startswith("schema:"))
    assert "cbc:IssueTime': This element is not expected" in schema_error
    assert "PEPPOL-T01-B00104" in _rules(problems)  # the rules miss it too


def test_a_line_total_that_does_not_add_up(order_xml):
    xml = _changed(order_xml, "cac:OrderLine/cac:LineItem/cbc:LineExtensionAmount", _set("250.50"))

    # The line is not quantity × price, and the lines no longer sum to the order's total.
    assert _rules(document_problems(xml)) == {"PEPPOL-T01-R024", "PEPPOL-T01-R008"}


def test_totals_that_do_not_add_up(order_xml):
    xml = _changed(order_xml, "cac:AnticipatedMonetaryTotal/cbc:TaxInclusiveAmount", _set("1.00"))

    assert _rules(document_problems(xml)) == {"PEPPOL-T01-R016", "PEPPOL-T01-R017"}


def test_amounts_have_at_most_two_decimals(order_xml):
    xml = _changed(order_xml, "cac:TaxTotal/cbc:TaxAmount", _set("62.375"))

    assert "PEPPOL-T01-R028" in _rules(document_problems(xml))


def test_an_organisation_number_with_a_wrong_check_digit(order_xml):
    path = "cac:BuyerCustomerParty/cac:Party/cbc:EndpointID"
    org_number = etree.fromstring(order_xml).findtext(path, namespaces=NS)
    wrong = org_number[:8] + str((int(org_number[8]) + 1) % 10)

    assert _rules(document_problems(_changed(order_xml, path, _set(wrong)))) == {
        "PEPPOL-COMMON-R041"
    }


def test_an_empty_element(order_xml):
    xml = _changed(order_xml, "cac:OrderLine/cac:LineItem/cac:Item/cbc:Name", _set(""))

    (problem,) = document_problems(xml)

    assert problem == (
        "PEPPOL-COMMON-R001: Document MUST not contain empty elements. "
        "[/Order/OrderLine/LineItem/Item/Name]"
    )


def test_a_unit_that_is_not_in_the_code_list_such_as_pcs(order_xml):
    xml = _changed(
        order_xml, "cac:OrderLine/cac:LineItem/cbc:Quantity", lambda el: el.set("unitCode", "PCS")
    )

    assert _rules(document_problems(xml)) == {"PEPPOL-T01-B24102"}


def test_another_kind_of_document_is_a_schema_error():
    xml = b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'

    assert _rules(document_problems(xml)) >= {"schema"}


@pytest.mark.parametrize(
    "xml",
    [
        b"",
        b"not xml at all",
        b"<Order><cbc:ID>1</cbc:ID></Order>",
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Order xmlns="urn:oasis:names',
        "<Order>\u00f8</Order>".encode("latin-1"),
        b'<!DOCTYPE Order [<!ENTITY a "aaaaaaaaaa">]><Order>&a;&a;</Order>',
    ],
    ids=["empty", "text", "unbound prefix", "cut off", "not utf-8", "doctype"],
)
def test_malformed_xml_is_a_problem_not_an_exception(xml):
    check = document_check(xml)

    assert not check.is_valid
    assert check.problems[0].startswith("XML: ")


def test_warnings_are_kept_apart_from_problems():
    example = (PEPPOL_DIR / "examples" / "UC6_Order.xml").read_bytes()
    without_validity = _changed(example, "{*}ValidityPeriod", _remove)

    check = document_check(without_validity)

    assert check.is_valid
    assert _rules(check.warnings) == {"PEPPOL-T01-R002"}


def test_checks_from_many_threads_at_once_agree():
    good = EXAMPLES[0].read_bytes()
    bad = good.replace(b"order_only:3", b"order_only:9")

    def check_some(i: int) -> list[tuple[list[str], list[str]]]:
        return [(document_problems(good), document_problems(bad)) for _ in range(5)]

    batches = run_at_once(4, check_some)
    assert not [b for b in batches if isinstance(b, BaseException)], batches
    results = [result for batch in batches for result in batch]
    assert len(results) == 20
    assert {(tuple(g), tuple(_rules(b))) for g, b in results} == {((), ("PEPPOL-T01-R031",))}


# The command: `manage.py peppol_check FILE...`


def test_the_command_says_ok_for_valid_files_and_folders(order_xml, tmp_path, capsys):
    (tmp_path / "KV-000001.xml").write_bytes(order_xml)

    call_command("peppol_check", str(tmp_path), str(EXAMPLES[0]))

    out = capsys.readouterr().out
    assert f"{tmp_path / 'KV-000001.xml'}: OK" in out
    assert f"{EXAMPLES[0]}: OK" in out


def test_the_command_lists_problems_and_fails(order_xml, tmp_path, capsys):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(order_xml.replace(b"order_only:3", b"order_only:9"))
    missing = tmp_path / "missing.xml"

    with pytest.raises(CommandError, match="2 of 3 documents are invalid") as raised:
        call_command("peppol_check", str(EXAMPLES[1]), str(broken), str(missing))

    assert raised.value.returncode == 1
    out = capsys.readouterr().out
    assert f"{EXAMPLES[1]}: OK" in out
    assert f"{broken}: INVALID\n  PEPPOL-T01-R031: " in out
    assert f"{missing}: INVALID\n  cannot be read: No such file or directory" in out


def test_the_command_exits_1_when_a_document_is_invalid(tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(EXAMPLES[0].read_bytes().replace(b"<cbc:IssueDate>", b"<cbc:IssueDate>x"))
    command = [sys.executable, "manage.py", "peppol_check", str(EXAMPLES[0]), str(broken)]

    run = subprocess.run(command, cwd=settings.BASE_DIR, capture_output=True, text=True)

    assert run.returncode == 1
    assert f"{EXAMPLES[0]}: OK" in run.stdout
    assert f"{broken}: INVALID\n  schema: line " in run.stdout
    assert "1 of 2 documents are invalid" in run.stderr
