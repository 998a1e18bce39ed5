"""How an order document reaches the supplier, chosen by `KVOTE_DELIVERY_TRANSPORT`.

- `folder` (the default): one XML file per order in `KVOTE_OUTBOX_DIR`, written atomically (a
  temporary file in the same folder, flushed, then renamed), so a reader never sees half a file
  and writing the same order twice leaves one file.
- `http`: an HTTPS POST of the XML to `KVOTE_DELIVERY_URL`, signed (`X-Kvote-Signature:
  t=<unix>,v1=<hex>`, HMAC-SHA256 over the time, method, path and body: `kvote.supplier.signing`)
  and carrying the order number as `Idempotency-Key`, so the supplier can tell a repeat from a new
  order. Each attempt is signed anew, at its own second: an attempt signed in the same second as
  one the supplier took is the same message, refused as a replay, and tried again after the
  backoff (which is longer than a second). Any 2xx is success; anything else, a timeout or a
  refused connection is an error to retry.
"""

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx
from django.conf import settings

from kvote.supplier import signing


class DeliveryFailed(Exception):
    """The supplier did not take the document this time; worth trying again later."""


class Transport(Protocol):
    name: str

    def send(self, *, order_number: str, document: bytes) -> str:
        """Deliver the document; return a short receipt. Raise DeliveryFailed otherwise."""
        ...


@dataclass
class FolderTransport:
    folder: Path
    name: str = "folder"

    def send(self, *, order_number: str, document: bytes) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{order_number}.xml"
        fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=f".{order_number}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(document)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o644)  # mkstemp makes it private; the supplier's reader is not us
            os.replace(temporary, target)
        except OSError as exc:
            Path(temporary).unlink(missing_ok=True)
            raise DeliveryFailed(f"could not write {target}: {exc}") from exc
        return str(target)


@dataclass
class HttpTransport:
    url: str
    secret: str
    timeout: float
    name: str = "http"
    clock: Callable[[], float] = time.time  # when a request is signed

    def send(self, *, order_number: str, document: bytes) -> str:
        headers = {
            "Content-Type": "application/xml; charset=utf-8",
            "Idempotency-Key": order_number,
            signing.HEADER: signing.header_value(
                method="POST",
                path=signing.url_path(self.url),
                body=document,
                secrets=self.secret,
                timestamp=int(self.clock()),
            ),
            "User-Agent": "Kvote order delivery",
        }
        try:
            response = httpx.post(self.url, content=document, headers=headers, timeout=self.timeout)
        except httpx.TimeoutException as exc:
            raise DeliveryFailed(f"no answer from {self.url} within {self.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"could not reach {self.url}: {exc}") from exc
        if not response.is_success:
            body = " ".join(response.text.split())[:300]
            raise DeliveryFailed(f"{self.url} answered HTTP {response.status_code}: {body}")
        return f"HTTP {response.status_code} from {self.url}"


def transport_from_settings() -> Transport:
    if settings.KVOTE_DELIVERY_TRANSPORT == "http":
        if not settings.KVOTE_DELIVERY_URL:
            raise ValueError("KVOTE_DELIVERY_TRANSPORT=http needs KVOTE_DELIVERY_URL")
        return HttpTransport(
            url=settings.KVOTE_DELIVERY_URL,
            secret=settings.KVOTE_SUPPLIER_SECRET,
            timeout=settings.KVOTE_DELIVERY_TIMEOUT,
        )
    if settings.KVOTE_DELIVERY_TRANSPORT == "folder":
        return FolderTransport(folder=Path(settings.KVOTE_OUTBOX_DIR))
    raise ValueError(f"unknown KVOTE_DELIVERY_TRANSPORT {settings.KVOTE_DELIVERY_TRANSPORT!r}")
