"""Writing many rows fast: COPY in PostgreSQL's text format, a progress bar, sequences, indexes.

`Copier(Model, given)` lists the table's columns from the model (the fields in `given` first, in
that order; every other column gets its field default once), so a column another change adds to
a model does not break the generator."""

import io
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED

CHUNK = 1 << 22  # characters of text per COPY write


def text(value: object) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return (
            value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "")
        )
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def cents(amount: int) -> str:
    """Øre as kroner with two decimals (integers keep the generator exact and fast)."""
    return f"{amount // 100}.{amount % 100:02d}"


class Progress:
    """A plain progress bar on stderr: label, count/total, percent, seconds."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.count = label, max(total, 1), 0
        self.start = self.shown = time.monotonic()
        self._show()

    def step(self, n: int = 1) -> None:
        self.count += n
        now = time.monotonic()
        if now - self.shown >= 0.5:
            self.shown = now
            self._show()

    def _show(self, end: str = "") -> None:
        share = min(self.count / self.total, 1.0)
        bar = "#" * int(share * 30)
        elapsed = time.monotonic() - self.start
        sys.stderr.write(
            f"\r  {self.label:<14} [{bar:<30}] {self.count:>10,}/{self.total:,} "
            f"{share:4.0%} {elapsed:6.1f} s{end}"
        )
        sys.stderr.flush()

    def done(self) -> None:
        self._show("\n")


class Copier:
    """COPY rows of one model's table: `write(values)` takes the `given` fields in order."""

    def __init__(self, model: type[models.Model], given: Sequence[str]) -> None:
        self.table = model._meta.db_table
        # Generated columns (Product.search_*) are the database's to write, never COPY's.
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.generated}
        missing = [name for name in given if name not in fields]
        if missing:
            raise ValueError(f"{self.table} has no {missing}")
        rest = [f for name, f in fields.items() if name not in given]
        self.columns = [fields[name].column for name in given] + [f.column for f in rest]
        self.suffix = "".join("\t" + text(_default(f)) for f in rest)
        self.buffer = io.StringIO()
        self.rows = 0
        self.before_flush: Callable[[], None] | None = None

    def write(self, values: Iterable[object]) -> None:
        self.buffer.write("\t".join(map(text, values)))
        self.line_done()

    def write_text(self, row: str) -> None:
        """A row already in COPY text (the given fields, tab-separated, no newline)."""
        self.buffer.write(row)
        self.line_done()

    def line_done(self) -> None:
        self.buffer.write(self.suffix)
        self.buffer.write("\n")
        self.rows += 1
        if self.buffer.tell() >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.before_flush is not None:
            self.before_flush()
        data = self.buffer.getvalue()
        if data:
            columns = ", ".join(f'"{column}"' for column in self.columns)  # "group" is a keyword
            sql = f"COPY {self.table} ({columns}) FROM STDIN"
            with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                copy.write(data)
        self.buffer = io.StringIO()


def _default(field: "models.Field[Any, Any]") -> object:
    if field.default is not NOT_PROVIDED:
        return field.get_default()
    if field.null:
        return None
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        from django.utils import timezone

        return timezone.now()
    if field.empty_strings_allowed:
        return ""
    raise ValueError(f"{field.model.__name__}.{field.name} needs a value")


def next_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
        return int(cursor.fetchone()[0])


def sequences_reset(*tables: type[models.Model]) -> None:
    """After COPY with our own ids: the next id the portal takes is past the last one."""
    with connection.cursor() as cursor:
        for model in tables:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            )


def indexes_drop(model: type[models.Model]) -> list[str]:
    """Drop the table's plain indexes (not the primary key or constraints) before a big COPY;
    returns their definitions to build them again afterwards, in one pass each."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [table],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def indexes_create(definitions: list[str], label: str) -> None:
    progress = Progress(label, len(definitions))
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for definition in definitions:
            cursor.execute(definition)
            progress.step()
    progress.done()


def triggers_off() -> bool:
    """Skip foreign-key triggers while copying data that is consistent by construction
    (superuser only; without it the checks simply run)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        return True
    except Exception:  # not a superuser: keep the checks
        return False


def triggers_on() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")
