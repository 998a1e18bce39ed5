import json
from typing import Any

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from kvote.supplier import signing


class Command(BaseCommand):
    help = (
        "Send the supplier's signed status reply for an order to the portal, as the supplier's "
        "system would (signed now with KVOTE_SUPPLIER_SECRET over the time, method, path and "
        "body): e.g. `supplier_reply KV-000123 confirmed`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("order_number")
        parser.add_argument("status", choices=["confirmed", "shipped"])
        parser.add_argument("--comment", default="")
        parser.add_argument("--base-url", default=settings.KVOTE_BASE_URL)

    def handle(self, *args: Any, **options: Any) -> None:
        path = reverse("supplier:order_status", args=[options["order_number"]])
        body = json.dumps({"status": options["status"], "comment": options["comment"]}).encode()
        url = options["base_url"].rstrip("/") + path
        signature = signing.header_value(
            method="POST",
            path=signing.url_path(url),
            body=body,
            secrets=settings.KVOTE_SUPPLIER_SECRET,
        )
        try:
            response = httpx.post(
                url,
                content=body,
                headers={"Content-Type": "application/json", signing.HEADER: signature},
                timeout=10,
            )
        except httpx.HTTPError as exc:
            raise CommandError(f"could not reach the portal: {exc}") from exc
        self.stdout.write(f"HTTP {response.status_code} {response.text}")
        if not response.is_success:
            raise CommandError("the portal refused the reply")
