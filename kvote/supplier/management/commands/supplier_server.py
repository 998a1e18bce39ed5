import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from kvote.supplier.receiver import Behaviour, SupplierReceiver


class Command(BaseCommand):
    help = (
        "Run a stand-in for the supplier's order endpoint on 127.0.0.1, to try the http "
        "transport: it checks signatures, can fail the first requests, and takes each order once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8900)
        parser.add_argument("--fail-first", type=int, default=0, help="Answer 503 this many times.")
        parser.add_argument("--folder", type=Path, help="Keep each order's XML here.")

    def handle(self, *args: Any, **options: Any) -> None:
        receiver = SupplierReceiver(
            secret=settings.KVOTE_SUPPLIER_SECRET,
            behaviour=Behaviour(fail_first=options["fail_first"]),
            port=options["port"],
            folder=options["folder"],
            log=True,
        )
        with receiver:
            self.stdout.write(f"supplier endpoint at {receiver.url} (Ctrl+C stops)")
            seen = 0
            try:
                while True:
                    time.sleep(0.5)
                    with receiver.lock:
                        new = receiver.received.orders[seen:]
                        seen = len(receiver.received.orders)
                    for number in new:
                        self.stdout.write(f"received order {number}")
            except KeyboardInterrupt:
                pass
            got = receiver.received
            self.stdout.write(
                f"{got.requests} requests, {len(got.orders)} orders, "
                f"{sum(got.keys.values()) - len(got.orders)} repeats"
            )
