from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kvote.jobs.services import default_worker_id, jobs_run_due
from kvote.jobs.worker import run_until_stopped


class Command(BaseCommand):
    help = (
        "Run background jobs (email) from the database. Start as many as you like; each claims "
        "jobs with a lease."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due, then stop.")
        parser.add_argument("--sleep", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument("--batch", type=int, default=10, help="Jobs claimed at a time.")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = default_worker_id()
        self.stdout.write(f"worker {worker} started")
        run_until_stopped(
            lambda: jobs_run_due(worker=worker, limit=options["batch"]),
            once=options["once"],
            sleep=options["sleep"],
        )
