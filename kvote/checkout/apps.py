from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckoutConfig(AppConfig):
    name = "kvote.checkout"
    label = "checkout"
    verbose_name = _("Cart and checkout")

    def ready(self) -> None:
        from kvote.catalog.entitlements import register
        from kvote.checkout.selectors import catalogue_entitlement

        # The catalogue marks what the line's recipient is entitled to (it cannot ask above).
        register(catalogue_entitlement)
