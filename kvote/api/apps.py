from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "kvote.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from kvote.api.services import api_tokens_revoke_all
        from kvote.people.models import on_password_change

        on_password_change(api_tokens_revoke_all)
