from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "kvote.catalog"
    label = "catalog"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        from kvote.catalog.images import JOB_HANDLERS
        from kvote.jobs.services import HANDLERS

        HANDLERS.update(JOB_HANDLERS)  # catalog_image_fetch, catalog_image_render
