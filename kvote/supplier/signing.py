"""HMAC-SHA256 over a request body with the secret shared with the supplier, both ways: what we
send carries it in `X-Kvote-Signature`, and what the supplier replies must carry it too."""

import hashlib
import hmac

HEADER = "X-Kvote-Signature"
PREFIX = "sha256="


def signature(body: bytes, secret: str) -> str:
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(body: bytes, given: str, secret: str) -> bool:
    return bool(secret) and hmac.compare_digest(signature(body, secret), given.strip())
