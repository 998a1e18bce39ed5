"""How a login is checked and a session's user is loaded."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from kvote.people.models import User


class EmailBackend(ModelBackend):
    """Django's password check (the email looked up by its login identity, see
    `UserManager.get_by_natural_key`); a session's user is loaded with their company in the
    same query, since every request asks whether the company still has access
    (kvote.people.middleware.PortalAccessMiddleware)."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User.objects.select_related("company").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
