from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from kvote.people.models import User


class ActorRequest(HttpRequest):
    """A request of a logged-in portal user: every portal view is `portal_login_required`
    (kvote.common.http), so `user` is a User."""

    user: User
    htmx: HtmxDetails
