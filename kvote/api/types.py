"""The request an authenticated endpoint receives."""

from django.http import HttpRequest

from kvote.people.models import User


class ApiRequest(HttpRequest):
    """A request that passed kvote.api.auth: `auth` is the acting user."""

    auth: User
    user: User
