"""The order as the supplier receives it: a PEPPOL BIS Order 3.0 document (UBL 2.1 Order, T01).

Built from the order's own snapshot (delivery address, product names, prices and recipients as
they were when ordered), so the same order always gives the same bytes, whatever the time or the
language active. Texts meant for the supplier are Norwegian and never translated.
`kvote.supplier.validation` checks the result against the schema and the PEPPOL rules.
"""

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from lxml import etree
from lxml.builder import ElementMaker

from kvote.common.money import round_money
from kvote.ordering.models import Order, OrderLine

UBL_NS = "urn:oasis:names:specification:ubl:schema:xsd:Order-2"
CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

CUSTOMIZATION_ID = "urn:fdc:peppol.eu:poacc:trns:order:3"
PROFILE_ID = "urn:fdc:peppol.eu:poacc:bis:order_only:3"
CURRENCY = "NOK"
# ISO 6523 ICD 0192: the Norwegian organisation number (Enhetsregisteret).
ORG_NUMBER_SCHEME = "0192"
# UN/ECE Recommendation 20: H87 is "piece".
UNIT_PIECE = "H87"
# Item properties and the line note, in the supplier's language.
COLOUR = "Farge"
SIZE = "Størrelse"
EMPLOYEE = "Ansatt"

ORDER = ElementMaker(namespace=UBL_NS, nsmap={None: UBL_NS, "cac": CAC_NS, "cbc": CBC_NS})
CAC = ElementMaker(namespace=CAC_NS)
CBC = ElementMaker(namespace=CBC_NS)

# Characters XML 1.0 cannot carry at all (control characters other than tab and newlines).
NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

Element = Any  # lxml.etree._Element (lxml ships no type hints)
Maker = Callable[..., Element]


def order_document(order: Order) -> bytes:
    """The order as a PEPPOL BIS Order 3.0 document: UTF-8 XML with its declaration."""
    issued = order.placed_at.astimezone(ZoneInfo(settings.TIME_ZONE))
    root = ORDER.Order(
        CBC.CustomizationID(CUSTOMIZATION_ID),
        CBC.ProfileID(PROFILE_ID),
        CBC.ID(_text(order.number)),
        CBC.IssueDate(issued.date().isoformat()),
        CBC.IssueTime(issued.strftime("%H:%M:%S")),
        CBC.DocumentCurrencyCode(CURRENCY),
        *_optional(CBC.CustomerReference, order.customer_reference),
        _buyer(order),
        _seller(),
        _delivery(order),
        CAC.TaxTotal(_amount(CBC.TaxAmount, order.vat)),
        CAC.AnticipatedMonetaryTotal(
            _amount(CBC.LineExtensionAmount, order.total_excl_vat),
            _amount(CBC.TaxExclusiveAmount, order.total_excl_vat),
            _amount(CBC.TaxInclusiveAmount, order.total_incl_vat),
            _amount(CBC.PayableAmount, order.total_incl_vat),
        ),
        *(_order_line(position, line) for position, line in enumerate(order.lines.all(), 1)),
    )
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    return XML_DECLARATION + bytes(body)


def _buyer(order: Order) -> Element:
    company = order.company
    orderer = order.placed_by
    return CAC.BuyerCustomerParty(
        CAC.Party(
            CBC.EndpointID(_text(company.org_number), schemeID=ORG_NUMBER_SCHEME),
            *[CAC.PartyIdentification(el) for el in _optional(CBC.ID, company.customer_number)],
            CAC.PartyName(CBC.Name(_text(company.name))),
            CAC.PartyLegalEntity(
                CBC.RegistrationName(_text(company.name)),
                CBC.CompanyID(_text(company.org_number), schemeID=ORG_NUMBER_SCHEME),
            ),
            *_contact(name=orderer.full_name, email=orderer.email),
        )
    )


def _seller() -> Element:
    name = _text(settings.KVOTE_SUPPLIER_NAME)
    org_number = _text(settings.KVOTE_SUPPLIER_ORG_NUMBER)
    return CAC.SellerSupplierParty(
        CAC.Party(
            CBC.EndpointID(org_number, schemeID=ORG_NUMBER_SCHEME),
            CAC.PartyName(CBC.Name(name)),
            CAC.PostalAddress(_country("NO")),
            CAC.PartyLegalEntity(
                CBC.RegistrationName(name),
                CBC.CompanyID(org_number, schemeID=ORG_NUMBER_SCHEME),
            ),
        )
    )


def _delivery(order: Order) -> Element:
    return CAC.Delivery(
        CAC.DeliveryLocation(
            CAC.Address(
                *_optional(CBC.StreetName, order.delivery_street),
                *_optional(CBC.CityName, order.delivery_city),
                *_optional(CBC.PostalZone, order.delivery_postal_code),
                _country(order.delivery_country or "NO"),
            )
        ),
        *[CAC.DeliveryParty(CAC.PartyName(el)) for el in _optional(CBC.Name, order.delivery_name)],
    )


def _order_line(position: int, line: OrderLine) -> Element:
    return CAC.OrderLine(
        CBC.Note(_text(f"{EMPLOYEE} {line.recipient_number}: {line.recipient_name}")),
        CAC.LineItem(
            CBC.ID(str(position)),
            CBC.Quantity(str(line.quantity), unitCode=UNIT_PIECE),
            _amount(CBC.LineExtensionAmount, line.line_total),
            CAC.Price(_amount(CBC.PriceAmount, line.unit_price)),
            CAC.Item(
                CBC.Name(_text(line.product_name)),
                CAC.SellersItemIdentification(CBC.ID(_text(line.item_number))),
                *_property(COLOUR, line.colour),
                *_property(SIZE, line.size),
            ),
        ),
    )


def _contact(*, name: str, email: str) -> list[Element]:
    fields = [*_optional(CBC.Name, name), *_optional(CBC.ElectronicMail, email)]
    return [CAC.Contact(*fields)] if fields else []


def _property(name: str, value: str) -> list[Element]:
    return [CAC.AdditionalItemProperty(CBC.Name(name), el) for el in _optional(CBC.Value, value)]


def _country(code: str) -> Element:
    return CAC.Country(CBC.IdentificationCode(_text(code)))


def _amount(maker: Maker, amount: Decimal) -> Element:
    """An amount in the document's currency, to whole øre ("1234.50")."""
    return maker(f"{round_money(amount):.2f}", currencyID=CURRENCY)


def _optional(maker: Maker, value: str) -> list[Element]:
    """The element when `value` has any text; PEPPOL forbids empty elements."""
    text = _text(value)
    return [maker(text)] if text else []


def _text(value: str) -> str:
    return NOT_XML.sub("", value).strip()
