from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplierConfig(AppConfig):
    name = "kvote.supplier"
    label = "supplier"
    verbose_name = _("Delivery to the supplier")

    def ready(self) -> None:
        from kvote.ordering.models import OrderState
        from kvote.ordering.states import on_entering
        from kvote.supplier.outbox import on_release

        # Every released order gets its outbox row in the releasing transaction.
        on_entering(OrderState.RELEASED, on_release)
