"""The signing scheme between us and the supplier (kvote.supplier.signing) as a contract: the
exact signed bytes, the header, a parser that never raises whatever header arrives, the time
window, the rotation, and the replay stores (in memory for the stand-in supplier, in the
database for the portal, where two copies at once are taken once)."""

import hashlib
import hmac
import time
from datetime import timedelta
from urllib.parse import unquote_to_bytes

import pytest
from django.utils import timezone

from kvote.supplier import signing
from kvote.supplier.models import SeenSignature
from kvote.supplier.services import SeenSignatures
from tests.concurrency import postgresql_only, run_at_once

SECRET = "a-secret-of-the-supplier-and-ours-0123"
PATH = "/supplier/orders/KV-000123/status/"
BODY = b'{"status": "shipped", "comment": ""}'
T = 1_700_000_000


class Everything:
    """A replay store that has seen nothing, ever (for the checks before the store)."""

    def claim(self, key: str, timestamp: int) -> bool:
        return True


def _verify(header: object, *, now: float = T, secrets=(SECRET,), **kw) -> signing.Verdict:
    return signing.verify(
        header=header,
        method=kw.get("method", "POST"),
        path=kw.get("path", PATH),
        body=kw.get("body", BODY),
        secrets=secrets,
        seen=kw.get("seen", Everything()),
        now=now,
    )


def test_v1_is_hmac_sha256_of_time_method_path_and_body() -> None:
    signed = f"{T}.POST.{PATH}.".encode() + BODY
    expected = hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    assert signing.signed_bytes(timestamp=T, method="post", path=PATH, body=BODY) == signed
    header = signing.header_value(method="POST", path=PATH, body=BODY, secrets=SECRET, timestamp=T)
    assert header == f"t={T},v1={expected}"
    assert _verify(header).ok


def test_a_sender_in_a_rotation_signs_with_both_and_either_secret_is_enough() -> None:
    header = signing.header_value(
        method="POST", path=PATH, body=BODY, secrets=["new-secret", SECRET], timestamp=T
    )
    assert header.count("v1=") == 2
    assert _verify(header).ok
    assert _verify(header, secrets=("new-secret",)).ok
    assert _verify(header, secrets=("", "neither")).problem is signing.Problem.BAD_SIGNATURE


@pytest.mark.parametrize(
    ("what", "change"),
    [
        ("another order", {"path": "/supplier/orders/KV-000124/status/"}),
        ("another method", {"method": "PUT"}),
        ("another body", {"body": BODY.replace(b"shipped", b"confirmed")}),
        ("another secret", {"secrets": ("not-the-secret",)}),
        ("no secret at all", {"secrets": ("",)}),
    ],
)
def test_the_signature_binds_path_method_body_and_secret(what: str, change: dict) -> None:
    header = signing.header_value(method="POST", path=PATH, body=BODY, secrets=SECRET, timestamp=T)
    assert _verify(header, **change).problem is signing.Problem.BAD_SIGNATURE, what


@pytest.mark.parametrize(
    ("offset", "problem"),
    [(-301, signing.Problem.STALE), (-300, None), (300, None), (301, signing.Problem.STALE)],
)
def test_a_time_more_than_the_tolerance_away_either_way_is_stale(offset, problem) -> None:
    header = signing.header_value(
        method="POST", path=PATH, body=BODY, secrets=SECRET, timestamp=T + offset
    )
    assert _verify(header).problem is problem


def test_a_stale_or_badly_signed_message_is_not_remembered() -> None:
    store = signing.MemoryStore()
    now = time.time()
    old = signing.header_value(
        method="POST", path=PATH, body=BODY, secrets=SECRET, timestamp=int(now) - 1000
    )
    assert _verify(old, seen=store, now=now).problem is signing.Problem.STALE
    assert _verify(old, seen=store, secrets=("x",), now=now).problem is (
        signing.Problem.BAD_SIGNATURE
    )
    assert store.keys == {}


def test_a_message_is_taken_once_whichever_of_its_signatures_is_kept() -> None:
    store = signing.MemoryStore()
    now = int(time.time())
    both = signing.header_value(
        method="POST", path=PATH, body=BODY, secrets=[SECRET, "old-secret"], timestamp=now
    )
    assert _verify(both, seen=store, now=now).ok
    assert _verify(both, seen=store, now=now).problem is signing.Problem.REPLAYED
    t, first, second = both.split(",")
    for fewer in (f"{t},{first}", f"{t},{second}", f"{second},{t}"):
        verdict = _verify(fewer, seen=store, secrets=(SECRET, "old-secret"), now=now)
        assert verdict.problem is signing.Problem.REPLAYED, fewer


def test_the_memory_store_forgets_what_can_no_longer_pass() -> None:
    store = signing.MemoryStore(tolerance=300)
    now = int(time.time())
    assert store.claim("old", now - 400) and store.claim("new", now)
    assert store.claim("another", now)
    assert set(store.keys) == {"new", "another"}
    assert not store.claim("new", now)


GOOD_V1 = "v1=" + "ab" * 32


@pytest.mark.parametrize(
    "header",
    [
        None,
        b"t=1,v1=00",
        "",
        " ",
        ",",
        "=",
        "t=",
        "t",
        f"t={T}",
        GOOD_V1,
        f"t={T},{GOOD_V1},",  # an empty part
        f"t={T},t={T},{GOOD_V1}",  # a second time
        f"t=abc,{GOOD_V1}",
        f"t=-{T},{GOOD_V1}",
        f"t=+{T},{GOOD_V1}",
        f"t={T}.5,{GOOD_V1}",
        f"t=1e9,{GOOD_V1}",
        f"t=٣٤٥,{GOOD_V1}",  # Arabic-Indic digits: digits to Python, not to us
        f"t=１２３,{GOOD_V1}",  # full-width digits
        f"t={'9' * 13},{GOOD_V1}",  # beyond any date
        f"t={T},v1=abc",  # odd length
        f"t={T},v1={'ab' * 31}",  # too short
        f"t={T},v1={'ab' * 33}",  # too long
        f"t={T},v1={'zz' * 32}",  # not hex
        f"t={T},v1={'é' * 64}",
        f"t={T},v1= {'ab' * 32}",
        f"t={T},v1={'ab' * 32}\x00",
        f"t={T}\x00,{GOOD_V1}",
        f"t={T},{GOOD_V1}\u202e",
        "ø" * 10,
        "t=1," + ",".join([GOOD_V1] * 5),  # more signatures than anyone needs
        "t=1," + "x=" * 100_000,  # huge
        "sha256=" + "ab" * 32,  # the old scheme
        "\ud800",  # a lone surrogate
    ],
)
def test_a_hostile_header_is_malformed_and_never_raises(header: object) -> None:
    assert signing.parse(header) is None
    assert _verify(header).problem is signing.Problem.MALFORMED


def test_unknown_keys_and_spaces_and_capital_hex_are_allowed() -> None:
    header = signing.header_value(method="POST", path=PATH, body=BODY, secrets=SECRET, timestamp=T)
    t, v1 = header.split(",")
    assert _verify(f" v0=whatever , {t} , {v1.upper().replace('V1=', 'v1=')} ").ok


@pytest.mark.parametrize(
    "wire",
    [
        "/supplier/orders/KV-000123/status/",
        "/supplier/orders/%00/status/",
        "/supplier/orders/a%20b/status/",
        "/supplier/orders/%C3%B8l/status/",  # "øl", escaped as on the wire
        "/supplier/orders/øl/status/",  # the same, as a library that does not escape writes it
        "/supplier/orders/%25/status/",  # a percent sign
        "/supplier/orders/~a-b_c.d/status/",
        "/supplier/orders/:@!$&'()*+,;=/status/",
        "",
    ],
)
def test_sender_and_receiver_sign_the_same_path_whatever_was_escaped(wire: str) -> None:
    signed = signing.signed_path(wire)
    # What Django hands the receiver as request.path: the path percent-decoded as UTF-8.
    decoded = unquote_to_bytes(wire or "/").decode()
    assert signing.decoded_path_signed(decoded) == signed
    assert signing.signed_path(signed) == signed  # the signed form is its own signed form
    assert signed.isascii()


def test_the_path_of_a_url_is_what_its_sender_signs() -> None:
    assert signing.url_path("https://supplier.example/a/orders?x=1") == "/a/orders"
    assert signing.url_path("https://supplier.example") == "/"


@pytest.mark.django_db
def test_the_database_store_takes_a_message_once_and_deletes_what_has_expired() -> None:
    store = SeenSignatures(tolerance=300)
    now = int(time.time())
    SeenSignature.objects.create(key="old", signed_at=timezone.now() - timedelta(seconds=400))
    SeenSignature.objects.create(key="recent", signed_at=timezone.now() - timedelta(seconds=200))
    assert store.claim("k" * 64, now) is True
    assert store.claim("k" * 64, now) is False
    assert set(SeenSignature.objects.values_list("key", flat=True)) == {"recent", "k" * 64}


@postgresql_only("row-level concurrency is proven on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_same_message_claimed_at_once_in_many_threads_is_taken_once() -> None:
    now = int(time.time())
    results = run_at_once(8, lambda i: SeenSignatures(tolerance=300).claim("same" * 16, now))
    assert sorted(results, key=str) == [False] * 7 + [True], results
    assert SeenSignature.objects.filter(key="same" * 16).count() == 1
