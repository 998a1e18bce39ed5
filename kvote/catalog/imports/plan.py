"""What checking an import's rows gives, for either kind: a `Plan`.

The preview keeps its summary on the CatalogueImport row (counts, the first changes of each
kind, the first bad rows, the fingerprint); the apply makes the same plan again inside its
transaction and, when the fingerprint still matches, writes its `writes`.
"""

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kvote.catalog.imports.cells import CellError
from kvote.catalog.imports.reading import RawRow, Table

MAX_CHANGES = 200  # of each kind, kept for the preview page
MAX_ERRORS = 1000  # bad rows kept; counts["errors"] says how many there are
PROGRESS_EVERY = 1000  # rows between two progress reports

ProgressReport = Callable[[str, int, int], None]  # (phase, done, total)


def no_progress(phase: str, done: int, total: int) -> None:
    pass


@dataclass
class Plan:
    counts: dict[str, int]
    changes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    fingerprint: str = ""
    # What the apply writes; filled only when asked for (the preview does not keep it).
    writes: Any = None

    @property
    def valid(self) -> bool:
        return self.counts.get("errors", 0) == 0

    def error(self, row: int, column: str, message: str) -> None:
        self.counts["errors"] = self.counts.get("errors", 0) + 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "message": str(message)})

    def change(self, kind: str, entry: dict[str, Any]) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        kept = self.changes.setdefault(kind, [])
        if len(kept) < MAX_CHANGES:
            kept.append(entry)


class Fingerprint:
    """A sha256 of what the plan read and would change, fed in a fixed order."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, *parts: object) -> None:
        self._hash.update(repr(parts).encode("utf-8", "backslashreplace"))
        self._hash.update(b"\n")

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def shown(value: object) -> str:
    """A value as the preview shows it (old → new): text, an ISO date, a price with 2 decimals."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    return str(value)


@dataclass(slots=True)
class Row:
    number: int
    values: dict[str, Any]


def row_values(
    raw: RawRow,
    plan: Plan,
    *,
    required: tuple[str, ...],
    empty: dict[str, Any],
    parse: Callable[[str, str], Any],
) -> Row | None:
    """The row's cells as typed values, or None when one is bad (each reported on `plan`)."""
    bad = False
    for column, message in raw.problems:
        plan.error(raw.number, column, message)
        bad = True
    values: dict[str, Any] = {}
    for column, text in raw.values.items():
        if any(problem[0] == column for problem in raw.problems):
            continue
        if not text.strip():
            if column in required:
                plan.error(raw.number, column, _("A value is required."))
                bad = True
            else:
                values[column] = empty.get(column, "")
            continue
        try:
            values[column] = parse(column, text)
        except CellError as exc:
            plan.error(raw.number, column, exc.message)
            bad = True
            continue
        if values[column] == "" and column in required:
            plan.error(raw.number, column, _("A value is required."))
            bad = True
    for column in required:
        if column not in raw.values and not any(p[0] == column for p in raw.problems):
            plan.error(raw.number, column, _("A value is required."))
            bad = True
    return None if bad else Row(raw.number, values)


def good_rows(
    table: Table,
    plan: Plan,
    progress: ProgressReport,
    *,
    required: tuple[str, ...],
    empty: dict[str, Any],
    parse: Callable[[str, str], Any],
) -> Iterator[Row]:
    """The file's rows with every cell typed, counting each and reporting progress; a row with
    a bad cell is reported on `plan` (row_values) and left out."""
    for raw in table.rows():
        plan.counts["rows"] += 1
        if plan.counts["rows"] % PROGRESS_EVERY == 0:
            progress("reading", table.done(), table.total)
        row = row_values(raw, plan, required=required, empty=empty, parse=parse)
        if row is not None:
            yield row
