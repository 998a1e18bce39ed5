from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kvote.supplier.validation import document_check


class Command(BaseCommand):
    help = (
        "Check order documents against the UBL 2.1 schema and the PEPPOL BIS Order 3.0 rules "
        "(T01). Give files, or folders to check every .xml in them (e.g. var/outbox). "
        "Exits 1 when any document is invalid."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--warnings", action="store_true", help="Also show what the rules only advise."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files = [
            file
            for path in options["paths"]
            for file in (sorted(path.glob("*.xml")) if path.is_dir() else [path])
        ]
        invalid = 0
        for file in files:
            try:
                check = document_check(file.read_bytes())
            except OSError as exc:
                problems, warnings = [f"cannot be read: {exc.strerror or exc}"], []
            else:
                problems, warnings = check.problems, check.warnings
            if problems:
                invalid += 1
                self.stdout.write(self.style.ERROR(f"{file}: INVALID"))
            else:
                self.stdout.write(self.style.SUCCESS(f"{file}: OK"))
            for problem in problems:
                self.stdout.write(f"  {problem}")
            for warning in warnings if options["warnings"] else []:
                self.stdout.write(f"  warning: {warning}")
        if not files:
            self.stdout.write("No documents to check.")
        if invalid:
            raise CommandError(f"{invalid} of {len(files)} documents are invalid.", returncode=1)
