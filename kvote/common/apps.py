from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "kvote.common"
    label = "common"
    verbose_name = _("Common")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from kvote.common.text import register_fold

        connection_created.connect(register_fold, dispatch_uid="kvote_fold")


class KvoteAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the project's site (kvote.common.admin.KvoteAdminSite) as
    `admin.site`: every admin registered there, ours and third-party ones, is hardened."""

    default = False  # not kvote.common's own config: INSTALLED_APPS names it by its path
    default_site = "kvote.common.admin.KvoteAdminSite"
