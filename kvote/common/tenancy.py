"""Tenancy in one place: every selector and service scopes through these helpers.

An acting user sees rows of their own company only; anything else is "not found" (404), never
"forbidden", so ids of other companies cannot even be probed.
"""

from typing import Any, Protocol, TypeVar

from django.db import models

from kvote.common.errors import NotFound, not_found
from kvote.common.models import TenantModel

M = TypeVar("M", bound=TenantModel)


class Actor(Protocol):
    """Whoever acts: a login of a customer company (kvote.people.models.User), or of none."""

    @property
    def company_id(self) -> int | None: ...


class NoCompany(NotFound):
    """The acting user belongs to no customer company (supplier staff, or a broken account):
    every portal row is "not found" to them."""


def company_id_of(actor: Actor) -> int:
    if actor.company_id is None:
        raise NoCompany("This user belongs to no customer company.")
    return actor.company_id


def scoped(model_or_qs: type[M] | models.QuerySet[M], actor: Actor) -> models.QuerySet[M]:
    """The rows of `model_or_qs` that belong to the actor's company."""
    qs = (
        model_or_qs
        if isinstance(model_or_qs, models.QuerySet)
        else model_or_qs._default_manager.all()
    )
    return qs.filter(company_id=company_id_of(actor))


def get_scoped(model_or_qs: type[M] | models.QuerySet[M], actor: Actor, **lookup: Any) -> M:
    """The one row of the actor's company that matches; NotFound for none (another company's
    id included) and for a malformed id. The `access_<thing>` helpers of each app build on it,
    adding the permission their thing needs."""
    try:
        return scoped(model_or_qs, actor).get(**lookup)
    except (ValueError, TypeError) as exc:  # a malformed id in the URL or the form
        raise not_found() from exc
    except models.ObjectDoesNotExist as exc:
        raise not_found() from exc
