"""Fetching a product picture from a URL, for the worker (kvote.catalog.images).

Only http(s), only from the hosts KVOTE_IMAGE_HOSTS allows (host, or host:port), redirects only
within the same host and at most a few; streamed with a timeout per step and a deadline for the
whole, and stopped as soon as it passes KVOTE_IMAGE_MAX_BYTES (a Content-Length that says so is
refused before reading). Permanent problems raise ImageRefused, passing ones ImageUnavailable."""

import time
from collections.abc import Iterable

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from kvote.catalog.image_files import ImageRefused, ImageUnavailable, too_big_message

MAX_REDIRECTS = 3
DEFAULT_PORTS = {"http": 80, "https": 443}
# The whole download may take this many times the per-step timeout (a server that trickles).
DEADLINE_FACTOR = 3
# Answers worth trying again later; every other non-2xx answer is final.
PASSING_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


def host_allowed(url: httpx.URL, hosts: Iterable[str]) -> bool:
    """Whether `url`'s host and port is one of `hosts` ("host" allows the scheme's default
    port, "host:port" that port)."""
    port = url.port or DEFAULT_PORTS.get(url.scheme)
    for entry in hosts:
        try:
            allowed = httpx.URL(f"{url.scheme}://{entry.strip()}")
        except (httpx.InvalidURL, ValueError):
            continue
        if (
            allowed.host
            and allowed.host == url.host
            and (allowed.port or DEFAULT_PORTS.get(url.scheme)) == port
        ):
            return True
    return False


def image_url_check(url: str) -> httpx.URL:
    """The parsed URL when the worker may fetch it now, else ImageRefused saying why."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise ImageRefused(_("This is not a web address.")) from exc
    if parsed.scheme not in DEFAULT_PORTS or not parsed.host:
        raise ImageRefused(_("Only http and https addresses are fetched."))
    if not host_allowed(parsed, settings.KVOTE_IMAGE_HOSTS):
        raise ImageRefused(
            _("Pictures are not fetched from %(host)s (KVOTE_IMAGE_HOSTS).")
            % {"host": parsed.netloc.decode("ascii", "replace")}
        )
    return parsed


def image_download(url: str) -> bytes:
    """The bytes at `url` (checked by image_url_check, and again after every redirect)."""
    target = image_url_check(url)
    timeout = settings.KVOTE_IMAGE_FETCH_TIMEOUT
    max_bytes = settings.KVOTE_IMAGE_MAX_BYTES
    deadline = time.monotonic() + timeout * DEADLINE_FACTOR
    headers = {"Accept": "image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.1"}
    try:
        with httpx.Client(
            timeout=timeout, follow_redirects=False, trust_env=False, headers=headers
        ) as client:
            for _redirect in range(MAX_REDIRECTS + 1):
                with client.stream("GET", target) as response:
                    if response.is_redirect:
                        target = _redirect_target(target, response)
                        continue
                    return _body(response, max_bytes=max_bytes, deadline=deadline)
    except httpx.TimeoutException as exc:
        raise ImageUnavailable(_("The server did not answer in time.")) from exc
    except httpx.HTTPError as exc:
        raise ImageUnavailable(_("The server could not be reached.")) from exc
    raise ImageRefused(_("Too many redirects."))


def _redirect_target(current: httpx.URL, response: httpx.Response) -> httpx.URL:
    try:
        target = current.join(response.headers.get("location", ""))
    except (httpx.InvalidURL, ValueError) as exc:
        raise ImageRefused(_("The server redirected to an address that is not valid.")) from exc
    if target.host != current.host or (target.port or DEFAULT_PORTS.get(target.scheme)) != (
        current.port or DEFAULT_PORTS.get(current.scheme)
    ):
        raise ImageRefused(_("The server redirected to another host."))
    return image_url_check(str(target))


def _body(response: httpx.Response, *, max_bytes: int, deadline: float) -> bytes:
    status = response.status_code
    if status != 200:
        message = _("The server answered %(status)s %(reason)s.") % {
            "status": status,
            "reason": response.reason_phrase,
        }
        if status in PASSING_STATUSES:
            raise ImageUnavailable(message)
        raise ImageRefused(message)
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise ImageRefused(too_big_message())
    chunks: list[bytes] = []
    received = 0
    for chunk in response.iter_bytes():
        received += len(chunk)
        if received > max_bytes:
            raise ImageRefused(too_big_message())
        if time.monotonic() > deadline:
            raise ImageUnavailable(_("The server did not answer in time."))
        chunks.append(chunk)
    return b"".join(chunks)
