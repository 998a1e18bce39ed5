"""How a message between us and the supplier is signed and checked, both ways: what we POST to
the supplier (`transports.HttpTransport`) and what the supplier replies
(`POST /supplier/orders/<number>/status/`, `views.order_status`). The stand-in supplier
(`receiver.SupplierReceiver`) checks what we send with the same `verify`.

The header, like Stripe's and GitHub's webhooks:

    X-Kvote-Signature: t=<unix seconds>,v1=<64 lowercase hex digits>[,v1=<hex> ...]

    v1 = HMAC-SHA256(secret, f"{t}.{METHOD}.{path}.".encode("ascii") + body)

- `t`: when the message was signed, in whole seconds since 1970-01-01 UTC (ASCII digits).
- `METHOD`: the HTTP method in capitals (`POST`).
- `path`: the request's path without the query string, in one percent-encoded form: the
  path's bytes (percent-decoded) with every byte except the unreserved characters
  (A-Z a-z 0-9 - . _ ~) and "/" written as %XX in capitals. For a path such as
  `/supplier/orders/KV-000123/status/` this is the path exactly as it goes on the wire. The
  sender takes it from the URL it posts to (`signed_path(url_path(url))`), the receiver from
  the request it got (`signed_path` of the path as it arrived, or `decoded_path_signed` of
  the path a framework has decoded); both end in the same bytes whatever the HTTP library
  escaped or not, so they agree by construction.
- `body`: the request body, byte for byte.

The receiver refuses (each with its own `Problem`): a header that is missing or malformed; no
`v1` that matches one of its secrets; a `t` more than the tolerance (`
KVOTE_SIGNATURE_TOLERANCE_SECONDS`, 300) away from its clock, either way; and a message it has
taken before (the replay store: for the portal, the `SeenSignature` table). Several `v1`
entries are accepted (at most `MAX_SIGNATURES`): a sender in the middle of a rotation may sign
with its old and its new secret; one match is enough. A message is "the same" when its signed
bytes are the same (`message_key`), whichever of its signatures matched: a replay cannot pass
by dropping one of two `v1` entries.

Parsing and comparing never raise: any header string (non-ASCII, huge, repeated keys, a
non-numeric `t`, odd-length hex) gives a `Problem`. Signatures are compared as bytes with
`hmac.compare_digest`.
"""

import enum
import hashlib
import hmac
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote, unquote_to_bytes, urlsplit

HEADER = "X-Kvote-Signature"
VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 300
MAX_HEADER_LENGTH = 1000  # a t and a few signatures; anything longer is no header of ours
MAX_SIGNATURES = 4
_TIMESTAMP_DIGITS = 12  # unix seconds until the year 33658
_HEX = frozenset("0123456789abcdef")


class Problem(enum.Enum):
    MALFORMED = "malformed"  # missing, or not `t=<digits>,v1=<hex>`
    BAD_SIGNATURE = "bad_signature"  # no v1 matches a secret of ours
    STALE = "stale"  # t too far from our clock
    REPLAYED = "replayed"  # taken before


class SeenStore(Protocol):
    def claim(self, key: str, timestamp: int) -> bool:
        """Remember the message `key` (signed at `timestamp`); False when it was seen before."""
        ...


def signed_path(path: str) -> str:
    """The path as it is signed, from the path as it is written in a URL (percent-encoded, no
    query string): its bytes percent-encoded but for the unreserved characters and "/". Never
    raises."""
    raw = unquote_to_bytes((path or "/").encode("utf-8", errors="surrogatepass"))
    return quote(raw, safe="/")


def url_path(url: str) -> str:
    """The path of a URL, as its sender signs it."""
    return urlsplit(url).path or "/"


def decoded_path_signed(path: str) -> str:
    """The signed form of a path that a server has already percent-decoded as UTF-8 (Django's
    `request.path`): the same as the sender's `signed_path` of the path it wrote, for every
    path that is UTF-8 (a path whose bytes are not cannot be an order's, and gets a bad
    signature). Never raises."""
    return quote((path or "/").encode("utf-8", errors="surrogatepass"), safe="/")


def signed_bytes(*, timestamp: int, method: str, path: str, body: bytes) -> bytes:
    """What v1 is the HMAC of: `{t}.{METHOD}.{path}.` followed by the body."""
    head = f"{timestamp}.{method.upper()}.{signed_path(path)}."
    return head.encode("ascii", errors="backslashreplace") + body


def _hmac(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8", errors="surrogatepass"), message, "sha256").digest()


def header_value(
    *,
    method: str,
    path: str,
    body: bytes,
    secrets: str | Sequence[str],
    timestamp: int | None = None,
) -> str:
    """The `X-Kvote-Signature` value for a request: signed now (or at `timestamp`) with each of
    `secrets` (one `v1` each, in that order)."""
    if isinstance(secrets, str):
        secrets = [secrets]
    t = int(time.time()) if timestamp is None else timestamp
    message = signed_bytes(timestamp=t, method=method, path=path, body=body)
    return ",".join([f"t={t}"] + [f"{VERSION}={_hmac(s, message).hex()}" for s in secrets if s])


@dataclass(frozen=True)
class Parsed:
    timestamp: int
    signatures: tuple[bytes, ...]


def parse(header: object) -> Parsed | None:
    """`t` and the v1 signatures of a header value, or None for anything else. Unknown keys
    (another scheme's version) are ignored; a second `t`, an empty part, a `t` that is not
    ASCII digits or a `v1` that is not 64 hex digits make the header malformed."""
    if not isinstance(header, str) or len(header) > MAX_HEADER_LENGTH or not header.isascii():
        return None
    timestamp: int | None = None
    signatures: list[bytes] = []
    for part in header.split(","):
        key, equals, value = part.strip().partition("=")
        if not equals or not key or not value:
            return None
        if key == "t":
            if timestamp is not None or len(value) > _TIMESTAMP_DIGITS:
                return None
            if not all("0" <= c <= "9" for c in value):
                return None
            timestamp = int(value)
        elif key == VERSION:
            value = value.lower()
            if len(value) != 64 or not _HEX.issuperset(value) or len(signatures) >= MAX_SIGNATURES:
                return None
            signatures.append(bytes.fromhex(value))
    if timestamp is None or not signatures:
        return None
    return Parsed(timestamp=timestamp, signatures=tuple(signatures))


def message_key(message: bytes) -> str:
    """What the replay store keeps of a message: the SHA-256 of its signed bytes, in hex."""
    return hashlib.sha256(message).hexdigest()


@dataclass(frozen=True)
class Verdict:
    problem: Problem | None
    timestamp: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(
    *,
    header: object,
    method: str,
    path: str,
    body: bytes,
    secrets: Iterable[str],
    seen: SeenStore,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> Verdict:
    """Check a request's signature header, in this order: well-formed, signed with one of
    `secrets` (empty ones never match), signed within `tolerance` seconds of now (either way),
    and not seen before; only a message that passes the first three is remembered in `seen`.
    Never raises."""
    parsed = parse(header)
    if parsed is None:
        return Verdict(Problem.MALFORMED)
    message = signed_bytes(timestamp=parsed.timestamp, method=method, path=path, body=body)
    matched = False
    for secret in secrets:
        if not secret:
            continue
        expected = _hmac(secret, message)
        for given in parsed.signatures:
            matched |= hmac.compare_digest(expected, given)
    if not matched:
        return Verdict(Problem.BAD_SIGNATURE, parsed.timestamp)
    current = time.time() if now is None else now
    if abs(current - parsed.timestamp) > tolerance:
        return Verdict(Problem.STALE, parsed.timestamp)
    if not seen.claim(message_key(message), parsed.timestamp):
        return Verdict(Problem.REPLAYED, parsed.timestamp)
    return Verdict(None, parsed.timestamp)


class MemoryStore:
    """A replay store in one process's memory (the stand-in supplier's): keys are forgotten
    once their timestamp is older than the tolerance, when it can no longer pass anyway."""

    def __init__(self, tolerance: int = DEFAULT_TOLERANCE_SECONDS) -> None:
        self.tolerance = tolerance
        self.lock = threading.Lock()
        self.keys: dict[str, int] = {}

    def claim(self, key: str, timestamp: int) -> bool:
        with self.lock:
            horizon = time.time() - self.tolerance - 1
            for old in [k for k, t in self.keys.items() if t < horizon]:
                del self.keys[old]
            if key in self.keys:
                return False
            self.keys[key] = timestamp
            return True
