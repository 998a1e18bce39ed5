from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kvote.jobs.worker import run_until_stopped
from kvote.supplier.services import deliveries_run_due, worker_id
from kvote.supplier.transports import transport_from_settings


class Command(BaseCommand):
    help = (
        "Deliver released orders to the supplier (KVOTE_DELIVERY_TRANSPORT). Runs until stopped; "
        "start as many as you like, each leases the orders it sends."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Send what is due, then stop.")
        parser.add_argument("--sleep", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument("--batch", type=int, default=10, help="Orders leased at a time.")

    def handle(self, *args: Any, **options: Any) -> None:
        worker, transport = worker_id(), transport_from_settings()
        self.stdout.write(f"delivery worker {worker} started ({transport.name})")
        run_until_stopped(
            lambda: deliveries_run_due(worker=worker, limit=options["batch"], transport=transport),
            once=options["once"],
            sleep=options["sleep"],
        )
