"""The cart and checkout pages' forms: they parse what the browser sent and give friendly
messages; the services check the same rules again and decide."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kvote.checkout.bulk import QUICK_ORDER_MAX_CHARS, QUICK_ORDER_MAX_LINES
from kvote.checkout.drafts import REFERENCE_MAX
from kvote.checkout.models import Cart
from kvote.companies.models import DeliveryAddress, postal_code_validator
from kvote.ordering.models import MAX_QUANTITY

ONE_OFF = "one_off"


def _quantity_message() -> str:
    # The same words as the service's refusal (kvote.checkout.drafts.parse_quantity).
    return gettext("The quantity must be a whole number from 1 to %(max)d.") % {"max": MAX_QUANTITY}


QUANTITY_MESSAGE = lazy(_quantity_message, str)()


def _reference_help() -> str:
    return gettext(
        "Optional, for example a project or a cost centre; at most %(max)d characters. "
        "Shown on the order."
    ) % {"max": REFERENCE_MAX}


def described_by_help(field: forms.Field, auto_id: str) -> None:
    """Point the input at its help text as includes/field.html names it (`<id>-help`)."""
    field.widget.attrs["aria-describedby"] = f"{auto_id}-help"


class QuantityField(forms.IntegerField):
    """A whole number from 1 to 999; anything else gets the one message the service also uses."""

    widget = forms.NumberInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Quantity"))
        kwargs["error_messages"] = {
            "required": QUANTITY_MESSAGE,
            "invalid": QUANTITY_MESSAGE,
            "min_value": QUANTITY_MESSAGE,
            "max_value": QUANTITY_MESSAGE,
        }
        super().__init__(min_value=1, max_value=MAX_QUANTITY, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"class": "ds-input kv-cart-qty", "inputmode": "numeric", "step": "1"})
        return attrs

    def to_python(self, value: Any) -> int | None:
        # IntegerField accepts "2.0"; a quantity is typed as a whole number or not at all.
        if isinstance(value, str) and ("." in value or "," in value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class CartAddForm(forms.Form):
    """Posted by the catalogue's product page."""

    variant_id = forms.IntegerField(min_value=1)
    quantity = QuantityField()
    recipient = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["variant_id"].error_messages["invalid"] = _(
            "This product variant is not available to you."
        )
        self.fields["variant_id"].error_messages["required"] = _(
            "Choose a colour and a size first."
        )
        self.fields["recipient"].error_messages["invalid"] = _(
            "The chosen employee cannot receive orders."
        )


def _quick_order_help() -> str:
    return gettext(
        "One line per item: the item number, then the quantity (1 when left out), then the "
        "employee number of whom it is for (you when left out). Paste columns from a "
        "spreadsheet, or type “NL-1001-NAV-XL;3;1001”. Leave out the size (“NL-1001-NAV;3;1001”) "
        "to take it from the employee's sizes. At most %(max)d lines at a time."
    ) % {"max": QUICK_ORDER_MAX_LINES}


def _quick_order_placeholder() -> str:
    return gettext("For example:\nNL-1001-NAV-XL;3\nNL-1001-NAV;2;1001")


class QuickOrderForm(forms.Form):
    """«Hurtigbestilling»: item numbers (varenummer) with quantities and, optionally, whom each
    is for (ansattnummer), one per line (kvote.checkout.bulk reads them)."""

    lines = forms.CharField(
        label=_("Item numbers and quantities"),
        strip=False,  # the lines are kept as typed (kvote.checkout.bulk reads them)
        max_length=QUICK_ORDER_MAX_CHARS,
        help_text=lazy(_quick_order_help, str)(),
        error_messages={"required": _("Type or paste at least one item number.")},
        widget=forms.Textarea(
            attrs={
                "class": "ds-input kv-quick-order",
                "rows": 6,
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
                "placeholder": lazy(_quick_order_placeholder, str)(),
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lines"].error_messages["max_length"] = _(
            "The text is too long: at most %(limit_value)d characters at a time."
        )
        # No maxlength: a browser would cut a longer paste; it is refused, with all of it kept.
        self.fields["lines"].widget.attrs.pop("maxlength", None)
        described_by_help(self.fields["lines"], self["lines"].auto_id)

    def clean_lines(self) -> str:
        lines = str(self.cleaned_data["lines"])
        if not lines.strip():
            raise forms.ValidationError(self.fields["lines"].error_messages["required"])
        return lines


class CartLineUpdateForm(forms.Form):
    """A cart line's new quantity and/or recipient; a field that is not sent is not changed."""

    quantity = QuantityField(required=False)
    recipient = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cannot = _("The chosen employee cannot receive orders.")
        self.fields["recipient"].error_messages.update({"invalid": cannot, "min_value": cannot})

    def clean_quantity(self) -> int | None:
        quantity = self.cleaned_data.get("quantity")
        if quantity is None and "quantity" in self.data:
            raise forms.ValidationError(QUANTITY_MESSAGE, code="required")
        return quantity


class CheckoutForm(forms.Form):
    """Where the order goes (a saved address of the company or a one-off one) and the customer's
    own reference.

    The text fields carry no `maxlength`: a browser cuts what is pasted beyond it without a
    word. The limits have one home, the services (kvote.checkout.destinations for the address,
    kvote.checkout.drafts.clean_reference for the reference), which refuse longer text with a
    message shown at the field; the reference's limit is said where it is typed."""

    delivery = forms.ChoiceField(
        label=_("Delivery address"),
        widget=forms.RadioSelect(attrs={"class": "ds-input"}),
        error_messages={
            "required": _("Choose where the order goes."),
            "invalid_choice": _("Choose one of your company's delivery addresses."),
        },
    )
    one_off_name = forms.CharField(
        label=_("Name or attention"),
        required=False,
        widget=forms.TextInput(attrs={"class": "ds-input", "autocomplete": "name"}),
    )
    one_off_street = forms.CharField(
        label=_("Street address"),
        required=False,
        widget=forms.TextInput(attrs={"class": "ds-input", "autocomplete": "street-address"}),
    )
    one_off_postal_code = forms.CharField(
        label=_("Postal code"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "class": "ds-input kv-postal",
                "autocomplete": "postal-code",
                "inputmode": "numeric",
            }
        ),
    )
    one_off_city = forms.CharField(
        label=_("City"),
        required=False,
        widget=forms.TextInput(attrs={"class": "ds-input", "autocomplete": "address-level2"}),
    )
    customer_reference = forms.CharField(
        label=_("Your reference"),
        help_text=lazy(_reference_help, str)(),
        required=False,
        widget=forms.TextInput(attrs={"class": "ds-input"}),
    )

    ONE_OFF_FIELDS = ("one_off_name", "one_off_street", "one_off_postal_code", "one_off_city")

    def __init__(self, *args: Any, addresses: Iterable[DeliveryAddress], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = [
            (str(address.pk), _address_label(address)) for address in addresses
        ]
        choices.append((ONE_OFF, str(_("Another address (one-off)"))))
        self.fields["delivery"].choices = choices  # type: ignore[attr-defined]
        described_by_help(self.fields["customer_reference"], self["customer_reference"].auto_id)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("delivery") != ONE_OFF:
            return cleaned
        for name in self.ONE_OFF_FIELDS:
            if not (cleaned.get(name) or "").strip() and name not in self.errors:
                self.add_error(name, _("Fill in this field for a one-off address."))
        postal_code = (cleaned.get("one_off_postal_code") or "").strip()
        if postal_code and "one_off_postal_code" not in self.errors:
            try:
                postal_code_validator(postal_code)
            except forms.ValidationError as exc:
                self.add_error("one_off_postal_code", exc)
        return cleaned

    @staticmethod
    def initial_from(cart: Cart, addresses: list[DeliveryAddress]) -> dict[str, Any]:
        """What the cart already holds; else the company's default address (or the first)."""
        if cart.use_one_off_address or not addresses:
            delivery = ONE_OFF
        elif any(address.pk == cart.delivery_address_id for address in addresses):
            delivery = str(cart.delivery_address_id)
        else:
            default = next((a for a in addresses if a.is_default), addresses[0])
            delivery = str(default.pk)
        return {
            "delivery": delivery,
            "one_off_name": cart.one_off_name,
            "one_off_street": cart.one_off_street,
            "one_off_postal_code": cart.one_off_postal_code,
            "one_off_city": cart.one_off_city,
            "customer_reference": cart.customer_reference,
        }

    @property
    def delivery_address_id(self) -> int | None:
        value = self.cleaned_data["delivery"]
        return None if value == ONE_OFF else int(value)


def _address_label(address: DeliveryAddress) -> str:
    return f"{address.label}: {address.recipient_name}, {address.one_line()}"
