"""How a login is checked and a session's user is loaded."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from kvote.people.models import User
from kvote.people.roles import with_budget_holder


class EmailBackend(ModelBackend):
    """Django's password check (the email looked up by its login identity, see
    `UserManager.get_by_natural_key`); a session's user is loaded with their company in the
    same query, since every request asks whether the company still has access
    (kvote.people.middleware.PortalAccessMiddleware), and whether they are a budget holder
    (kvote.people.roles.with_budget_holder), which the menu, Min side and the cart ask."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            user = with_budget_holder(User.objects.select_related("company")).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
