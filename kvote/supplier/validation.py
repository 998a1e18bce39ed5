"""Check an order document: the UBL 2.1 Order schema (syntax) and the PEPPOL BIS Order rules (T01).

The artefacts are vendored in `peppol/` (see its PROVENANCE.md). The schema is checked with lxml;
the rules are the schematron compiled to XSLT, run by Saxon, and read back from the SVRL report.
Both are loaded once per process. Saxon's objects are not thread-safe, so every check holds a lock.
"""

import functools
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

PEPPOL_DIR = Path(__file__).resolve().parent / "peppol"
SCHEMA_PATH = PEPPOL_DIR / "ubl-2.1" / "maindoc" / "UBL-Order-2.1.xsd"
RULES_PATH = PEPPOL_DIR / "schematron" / "PEPPOLBIS-T01.xslt"
SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
# Schema messages name elements as {namespace}Name; these read as the prefixes people know.
UBL_PREFIXES = {
    "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}": "cbc:",
    "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}": "cac:",
    "{urn:oasis:names:specification:ubl:schema:xsd:Order-2}": "",
}

_lock = threading.Lock()


@dataclass(frozen=True)
class DocumentCheck:
    """What the checks found. `problems` make a document invalid; `warnings` do not."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.problems


def document_problems(xml: bytes) -> list[str]:
    """Every reason `xml` is not a valid PEPPOL BIS Order 3.0; an empty list when it is one."""
    return document_check(xml).problems


def document_check(xml: bytes) -> DocumentCheck:
    """Check `xml` against the UBL 2.1 schema and the PEPPOL T01 rules. Never raises on bad input:
    malformed XML is a problem like any other."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        tree = etree.fromstring(xml, parser).getroottree()
    except (etree.XMLSyntaxError, ValueError, TypeError) as exc:
        return DocumentCheck(problems=[f"XML: not well-formed: {exc}"])
    if tree.docinfo.doctype:
        return DocumentCheck(problems=["XML: a document type declaration is not allowed"])
    with _lock:
        problems = _schema_problems(tree)
        rule_problems, warnings = _rule_results(etree.tostring(tree, encoding="unicode"))
    return DocumentCheck(problems=problems + rule_problems, warnings=warnings)


@functools.cache
def _schema() -> Any:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


@functools.cache
def _rules() -> tuple[Any, Any]:
    """Saxon's processor and the compiled rules; the processor must outlive the executable."""
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    executable = processor.new_xslt30_processor().compile_stylesheet(
        stylesheet_file=str(RULES_PATH)
    )
    return processor, executable


def preload() -> None:
    """Load the schema and compile the rules now (a worker may call this at start)."""
    with _lock:
        _schema()
        _rules()


def _schema_problems(tree: Any) -> list[str]:
    schema = _schema()
    if schema.validate(tree):
        return []
    return [f"schema: line {error.line}: {_prefixed(error.message)}" for error in schema.error_log]


def _prefixed(message: str) -> str:
    for namespace, prefix in UBL_PREFIXES.items():
        message = message.replace(namespace, prefix)
    return message


def _rule_results(text: str) -> tuple[list[str], list[str]]:
    processor, executable = _rules()
    try:
        report = executable.transform_to_string(xdm_node=processor.parse_xml(xml_text=text))
        svrl = etree.fromstring(report.encode("utf-8"))
    except Exception as exc:  # Saxon reports its failures as a plain exception type
        return [f"rules: could not be run: {exc}"], []
    problems: list[str] = []
    warnings: list[str] = []
    for failed in svrl.iterfind(".//svrl:failed-assert", SVRL):
        message = _message(failed)
        (problems if failed.get("flag") == "fatal" else warnings).append(message)
    return problems, warnings


def _message(failed: Any) -> str:
    """'<rule id>: <text> [<where>]', the text without the '[<rule id>]-' some rules repeat."""
    rule = failed.get("id") or "rule"
    text = " ".join((failed.findtext("svrl:text", "", SVRL)).split())
    text = text.removeprefix(f"[{rule}]-")
    return f"{rule}: {text} [{_short_path(failed.get('location', ''))}]"


def _short_path(location: str) -> str:
    """The SVRL location without namespace tests and first-position steps: '/Order/ProfileID'."""
    path = re.sub(r"\[namespace-uri\(\)='[^']*'\]", "", location).replace("*:", "")
    return re.sub(r"\[1\]", "", path)
