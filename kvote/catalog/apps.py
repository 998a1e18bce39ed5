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
        # The imports of big files run in the worker (kvote.catalog.imports.services).
        HANDLERS["catalog_import_preview"] = "kvote.catalog.imports.services:import_preview_job"
        HANDLERS["catalog_import_apply"] = "kvote.catalog.imports.services:import_apply_job"
