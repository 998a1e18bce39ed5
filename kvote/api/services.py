"""API tokens: make one (shown once), revoke one, and find the user a presented token belongs to."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from kvote.api.models import ApiToken
from kvote.catalog.access import may_manage_catalogue
from kvote.common.errors import ServiceError
from kvote.common.tenancy import company_id_of, get_scoped
from kvote.common.text import clean_line
from kvote.people.models import User

TOKEN_PREFIX = "kv_"
PREFIX_SHOWN = 10  # "kv_" and the first seven characters of the secret part
LABEL_MAX = 100
# A presented token's last use is written at most this often (not on every request).
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(models.TextChoices):
    INVALID_LABEL = "invalid_label"


@dataclass(frozen=True)
class IssuedToken:
    """A new token: `secret` is what the client sends; it is not stored and never shown again."""

    token: ApiToken
    secret: str


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def api_token_create(*, actor: User, label: str, days: int | None = None) -> IssuedToken:
    """A new bearer token for the actor, valid for `days` (KVOTE_API_TOKEN_DAYS by default)."""
    label = clean_line(
        label,
        max_length=LABEL_MAX,
        label=_("The name"),
        code=TokenError.INVALID_LABEL,
        field="label",
    )
    if not label:
        raise ServiceError(TokenError.INVALID_LABEL, _("Give the token a name."), field="label")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        # The supplier's staff belong to no company; anyone else must belong to one.
        company_id=None if may_manage_catalogue(actor) else company_id_of(actor),
        user=actor,
        label=label,
        prefix=secret[:PREFIX_SHOWN],
        key_hash=token_hash(secret),
        expires_at=timezone.now() + timedelta(days=days or settings.KVOTE_API_TOKEN_DAYS),
    )
    return IssuedToken(token=token, secret=secret)


def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """The owner withdraws a token: from now on it authenticates nothing. Revoking twice is
    harmless; anyone else's token is "not found"."""
    token = get_scoped(ApiToken, actor, pk=token_id, user=actor)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def api_tokens_revoke_all(user: User) -> int:
    """A new password withdraws every token of its user (registered with
    kvote.people.models.on_password_change, so every way of changing a password does it)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), updated_at=timezone.now()
    )


def api_token_use(*, secret: str) -> User | None:
    """The active user a presented token belongs to, or None when the token is unknown, expired
    or revoked. Notes the token's last use."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.filter(
            key_hash=token_hash(secret),
            revoked_at__isnull=True,
            expires_at__gt=now,
            user__is_active=True,
        )
        .select_related("user__company")
        .first()
    )
    if token is None or token.user.company_id != token.company_id:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
