"""Where an order goes: one of the company's saved delivery addresses, or a one-off address.

The cart keeps the choice (kvote.checkout.services.checkout_details_save); an API request sends
it. Either way it becomes a `Destination`, copied onto the order so its history stays true.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from kvote.checkout.models import Cart
from kvote.common.errors import ServiceError
from kvote.common.tenancy import scoped
from kvote.common.text import clean_line, has_visible_text, normalise_line
from kvote.companies.models import DeliveryAddress, postal_code_validator
from kvote.ordering.errors import OrderError
from kvote.people.models import User


@dataclass(frozen=True)
class Destination:
    """The delivery address an order is placed with: a saved one of the company, or one-off."""

    name: str
    street: str
    postal_code: str
    city: str
    country: str = "NO"
    address: DeliveryAddress | None = None

    def order_fields(self) -> dict[str, object]:
        return {
            "delivery_address": self.address,
            "delivery_name": self.name,
            "delivery_street": self.street,
            "delivery_postal_code": self.postal_code,
            "delivery_city": self.city,
            "delivery_country": self.country,
        }

    @classmethod
    def saved(cls, address: DeliveryAddress) -> "Destination":
        return cls(
            name=address.recipient_name,
            street=address.street,
            postal_code=address.postal_code,
            city=address.city,
            country=address.country,
            address=address,
        )


def one_off_destination(*, name: str, street: str, postal_code: str, city: str) -> Destination:
    """A one-off address, each part cleaned by the free-text rule (kvote.common.text): all
    four required, a Norwegian postal code of four digits."""
    cleaned = {
        part: clean_line(
            value,
            max_length=max_length,
            label=label,
            code=OrderError.INVALID_ADDRESS,
            field=f"one_off_{part}",
        )
        for part, value, max_length, label in (
            ("name", name, 200, _("The name or attention")),
            ("street", street, 200, _("The street address")),
            ("city", city, 100, _("The city")),
        )
    }
    cleaned["postal_code"] = normalise_line(postal_code)  # checked by its validator below
    if not all(has_visible_text(value) for value in cleaned.values()):
        raise ServiceError(
            OrderError.ADDRESS_REQUIRED,
            _("A one-off address needs a name, a street address, a postal code and a city."),
        )
    try:
        postal_code_validator(cleaned["postal_code"])
    except Exception as exc:
        raise ServiceError(
            OrderError.INVALID_ADDRESS,
            _("A Norwegian postal code has four digits."),
            field="one_off_postal_code",
        ) from exc
    return Destination(
        name=cleaned["name"],
        street=cleaned["street"],
        postal_code=cleaned["postal_code"],
        city=cleaned["city"],
    )


def saved_destination(*, actor: User, address_id: int | None) -> Destination:
    """One of the company's active delivery addresses; with no id, its default one."""
    addresses = scoped(DeliveryAddress, actor).filter(is_active=True)
    if address_id is None:
        address = addresses.filter(is_default=True).order_by("label", "pk").first()
        if address is None:
            raise ServiceError(OrderError.ADDRESS_REQUIRED, _("Choose where the order goes."))
        return Destination.saved(address)
    address = addresses.filter(pk=address_id).first()
    if address is None:
        raise ServiceError(
            OrderError.INVALID_ADDRESS, _("Choose one of your company's delivery addresses.")
        )
    return Destination.saved(address)


def cart_destination(*, actor: User, cart: Cart) -> Destination:
    if cart.use_one_off_address:
        return one_off_destination(
            name=cart.one_off_name,
            street=cart.one_off_street,
            postal_code=cart.one_off_postal_code,
            city=cart.one_off_city,
        )
    if cart.delivery_address_id is None:
        raise ServiceError(OrderError.ADDRESS_REQUIRED, _("Choose where the order goes."))
    try:
        return saved_destination(actor=actor, address_id=cart.delivery_address_id)
    except ServiceError as exc:
        raise ServiceError(OrderError.ADDRESS_REQUIRED, _("Choose where the order goes.")) from exc
