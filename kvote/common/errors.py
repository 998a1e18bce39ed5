"""One exception type for the rules a service refuses to break.

Each app declares its codes as a TextChoices; the web layer shows `message`, the API returns
`{"code", "message"}` with the status its code maps to (kvote.api.errors).

"Not found" is one answer for every app: an id that does not exist, and an id the actor may not
reach (another company's, or one their role does not cover), answer the same, so ids cannot be
probed. Services and selectors raise `NotFound` (through kvote.common.tenancy or `not_found`),
never Http404: the web layer turns it into a 404 page (kvote.common.middleware), the API into a
404 `{"code": "not_found"}`. It is not a ServiceError on purpose: a view that shows a refusal
as a message (`except ServiceError`) can never show "not found" as one.
"""

from django.db import models
from django.utils.translation import gettext as _


class ServiceError(Exception):
    def __init__(self, code: models.TextChoices | str, message: str) -> None:
        super().__init__(message)
        self.code = str(code)
        self.message = message

    def __str__(self) -> str:
        return self.message


class CommonError(models.TextChoices):
    NOT_FOUND = "not_found"
    # A request only a company admin may make, on something the actor can see (a row or page
    # their role does not reach at all is "not found" instead).
    ADMIN_ONLY = "admin_only"


class NotFound(Exception):
    """What the actor asked for does not exist for them."""

    code = str(CommonError.NOT_FOUND)

    def __init__(self, message: str = "") -> None:
        self.message = message or _("Not found.")
        super().__init__(self.message)


def not_found(message: str = "") -> NotFound:
    """The one answer for an id the actor cannot reach."""
    return NotFound(message)
