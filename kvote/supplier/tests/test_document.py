"""Every kind of order document the portal produces passes the UBL schema and the PEPPOL rules,
and says what the order says."""

from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from lxml import etree

from kvote.checkout.services import cart_add, checkout_details_save, order_submit
from kvote.ordering.models import Order, OrderLine
from kvote.supplier.document import order_document
from kvote.supplier.validation import document_check, document_problems
from tests.factories import (
    ONE_OFF_ADDRESS,
    CompanyFactory,
    DeliveryAddressFactory,
    EmployeeFactory,
    VariantFactory,
    member,
)

pytestmark = pytest.mark.django_db

NS = {
    "ubl": "urn:oasis:names:specification:ubl:schema:xsd:Order-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
NASTY = "Å & <Ø> \"æ\" 'å'"


def _order(contact, lines, *, address=None, reference="", key="k"):
    """An order placed through the services: `lines` are (variant, quantity, recipient)."""
    for variant, quantity, recipient in lines:
        cart_add(
            actor=contact,
            variant_id=variant.pk,
            quantity=quantity,
            recipient_id=recipient.pk if recipient else None,
        )
    one_off = {} if address else ONE_OFF_ADDRESS
    checkout_details_save(
        actor=contact,
        delivery_address_id=address.pk if address else None,
        customer_reference=reference,
        **one_off,
    )
    return order_submit(actor=contact, idempotency_key=key)


def _variant(price="100.00", **fields):
    return VariantFactory(product__list_price=Decimal(price), **fields)


def _checked(order):
    """The order's document, after asserting it passes both checks; parsed, to read."""
    xml = order_document(order)
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Order xmlns=')
    check = document_check(xml)
    assert check.problems == []
    # The one thing the rules would like and an order from the portal has no use for.
    assert [w.split(":")[0] for w in check.warnings] == ["PEPPOL-T01-R002"]
    return etree.fromstring(xml)


def _text(doc, path):
    return doc.findtext(path, namespaces=NS)


def _all(doc, path):
    return [el.text for el in doc.iterfind(path, NS)]


@pytest.fixture
def customer():
    """The document's buyer: a company of its own, with a customer number to see in the XML."""
    return CompanyFactory(name="Nordlys Bygg AS", customer_number="K-77")


@pytest.fixture
def contact(customer):
    """Who placed the order: the buyer party's contact."""
    return member(customer, full_name="Ola Nordmann", email="ola@nordlys.test", number="1001")


def test_one_line_to_a_one_off_address_with_a_reference(customer, contact, settings):
    variant = _variant("499.90", item_number="JK-100-M", colour="Marine", size="M")
    order = _order(contact, [(variant, 3, None)], reference="PO-77")

    doc = _checked(order)

    assert _text(doc, "cbc:CustomizationID") == "urn:fdc:peppol.eu:poacc:trns:order:3"
    assert _text(doc, "cbc:ProfileID") == "urn:fdc:peppol.eu:poacc:bis:order_only:3"
    assert _text(doc, "cbc:ID") == order.number
    assert _text(doc, "cbc:DocumentCurrencyCode") == "NOK"
    assert _text(doc, "cbc:CustomerReference") == "PO-77"
    buyer_party = doc.find("cac:BuyerCustomerParty/cac:Party", NS)
    endpoint = buyer_party.find("cbc:EndpointID", NS)
    assert (endpoint.get("schemeID"), endpoint.text) == ("0192", customer.org_number)
    assert _text(buyer_party, "cac:PartyIdentification/cbc:ID") == "K-77"
    assert _text(buyer_party, "cac:PartyName/cbc:Name") == "Nordlys Bygg AS"
    assert _text(buyer_party, "cac:PartyLegalEntity/cbc:RegistrationName") == "Nordlys Bygg AS"
    assert _text(buyer_party, "cac:PartyLegalEntity/cbc:CompanyID") == customer.org_number
    assert _text(buyer_party, "cac:Contact/cbc:Name") == "Ola Nordmann"
    assert _text(buyer_party, "cac:Contact/cbc:ElectronicMail") == "ola@nordlys.test"
    seller = doc.find("cac:SellerSupplierParty/cac:Party", NS)
    assert _text(seller, "cbc:EndpointID") == settings.KVOTE_SUPPLIER_ORG_NUMBER
    assert _text(seller, "cac:PartyName/cbc:Name") == settings.KVOTE_SUPPLIER_NAME
    assert _text(seller, "cac:PartyLegalEntity/cbc:CompanyID") == "987654325"
    address = doc.find("cac:Delivery/cac:DeliveryLocation/cac:Address", NS)
    assert [_text(address, f"cbc:{f}") for f in ("StreetName", "PostalZone", "CityName")] == [
        "Storgata 1",
        "0155",
        "Oslo",
    ]
    assert _text(address, "cac:Country/cbc:IdentificationCode") == "NO"
    assert _text(doc, "cac:Delivery/cac:DeliveryParty/cac:PartyName/cbc:Name") == "Ola Nordmann"
    assert _text(doc, "cac:TaxTotal/cbc:TaxAmount") == "374.93"
    totals = doc.find("cac:AnticipatedMonetaryTotal", NS)
    assert [el.text for el in totals] == ["1499.70", "1499.70", "1874.63", "1874.63"]
    assert {el.get("currencyID") for el in doc.iterfind(".//*[@currencyID]")} == {"NOK"}
    (line,) = doc.iterfind("cac:OrderLine", NS)
    assert _text(line, "cbc:Note") == "Ansatt 1001: Ola Nordmann"
    item = line.find("cac:LineItem", NS)
    assert _text(item, "cbc:ID") == "1"
    quantity = item.find("cbc:Quantity", NS)
    assert (quantity.text, quantity.get("unitCode")) == ("3", "H87")
    assert _text(item, "cbc:LineExtensionAmount") == "1499.70"
    assert _text(item, "cac:Price/cbc:PriceAmount") == "499.90"
    assert _text(item, "cac:Item/cbc:Name") == variant.product.name
    assert _text(item, "cac:Item/cac:SellersItemIdentification/cbc:ID") == "JK-100-M"
    properties = item.iterfind("cac:Item/cac:AdditionalItemProperty", NS)
    assert [(_text(p, "cbc:Name"), _text(p, "cbc:Value")) for p in properties] == [
        ("Farge", "Marine"),
        ("Størrelse", "M"),
    ]


def test_the_company_address_and_no_reference(customer, contact):
    address = DeliveryAddressFactory(
        company=customer, recipient_name="Varemottak", street="Industriveien 7", city="Bergen"
    )
    order = _order(contact, [(_variant(), 1, None)], address=address)

    doc = _checked(order)

    assert doc.find("cbc:CustomerReference", NS) is None
    location = doc.find("cac:Delivery/cac:DeliveryLocation/cac:Address", NS)
    assert _text(location, "cbc:StreetName") == "Industriveien 7"
    assert _text(location, "cbc:CityName") == "Bergen"
    assert _text(location, "cbc:PostalZone") == "0580"
    assert _text(doc, "cac:Delivery/cac:DeliveryParty/cac:PartyName/cbc:Name") == "Varemottak"


def test_many_lines_for_several_recipients_with_ore_and_big_quantities(customer, contact):
    kari = EmployeeFactory(company=customer, number="1004", name="Kari Nordmann")
    per = EmployeeFactory(company=customer, number="2002", name="Per Hansen")
    lines = [
        (_variant("199.99", item_number="A-1"), 7, kari),
        (_variant("0.01", item_number="A-2"), 1, per),
        (_variant("99999.99", item_number="A-3"), 999, kari),
        (_variant("33.33", item_number="A-4"), 3, None),
        (_variant("12.34", item_number="A-5"), 999, per),
    ]
    order = _order(contact, lines)

    doc = _checked(order)

    assert _all(doc, "cac:OrderLine/cac:LineItem/cbc:ID") == ["1", "2", "3", "4", "5"]
    assert _all(
        doc, "cac:OrderLine/cac:LineItem/cac:Item/cac:SellersItemIdentification/cbc:ID"
    ) == [
        "A-1",
        "A-2",
        "A-3",
        "A-4",
        "A-5",
    ]
    assert _all(doc, "cac:OrderLine/cbc:Note") == [
        "Ansatt 1004: Kari Nordmann",
        "Ansatt 2002: Per Hansen",
        "Ansatt 1004: Kari Nordmann",
        "Ansatt 1001: Ola Nordmann",
        "Ansatt 2002: Per Hansen",
    ]
    amounts = [Decimal(a) for a in _all(doc, "cac:OrderLine/cac:LineItem/cbc:LineExtensionAmount")]
    assert amounts == [
        Decimal("1399.93"),
        Decimal("0.01"),
        Decimal("99899990.01"),
        Decimal("99.99"),
        Decimal("12327.66"),
    ]
    excl, tax_excl, incl, payable = (
        Decimal(el.text) for el in doc.find("cac:AnticipatedMonetaryTotal", NS)
    )
    vat = Decimal(_text(doc, "cac:TaxTotal/cbc:TaxAmount"))
    assert excl == tax_excl == sum(amounts) == order.total_excl_vat == Decimal("99913817.60")
    assert incl == payable == excl + vat == order.total_incl_vat


def test_names_with_markup_characters_and_norwegian_letters_come_through_unchanged(settings):
    settings.KVOTE_SUPPLIER_NAME = f"AAPW {NASTY}"
    company = CompanyFactory(name=f"Bygg {NASTY} AS", customer_number=f"K {NASTY}")
    orderer = member(company, full_name=f"Øystein {NASTY}", number="ÆØÅ-1")
    recipient = EmployeeFactory(company=company, number="<7>", name=f"Åse {NASTY}")
    variant = _variant(item_number="X&<1>", colour=f"Rød {NASTY}", size='XL & <">')
    variant.product.name = f"Jakke {NASTY}"
    variant.product.save()
    cart_add(actor=orderer, variant_id=variant.pk, quantity=2, recipient_id=recipient.pk)
    checkout_details_save(
        actor=orderer,
        delivery_address_id=None,
        customer_reference=f"Ref {NASTY}",
        one_off_name=f"Mottak {NASTY}",
        one_off_street=f"Æsgata 1 {NASTY}",
        one_off_postal_code="9990",
        one_off_city=f"Båtsfjord {NASTY}",
    )
    order = order_submit(actor=orderer, idempotency_key="k")

    doc = _checked(order)

    assert _text(doc, "cbc:CustomerReference") == f"Ref {NASTY}"
    party = doc.find("cac:BuyerCustomerParty/cac:Party", NS)
    assert _text(party, "cac:PartyName/cbc:Name") == f"Bygg {NASTY} AS"
    assert _text(party, "cac:PartyIdentification/cbc:ID") == f"K {NASTY}"
    assert _text(party, "cac:Contact/cbc:Name") == f"Øystein {NASTY}"
    assert _text(doc, "cac:SellerSupplierParty//cbc:RegistrationName") == f"AAPW {NASTY}"
    address = doc.find("cac:Delivery/cac:DeliveryLocation/cac:Address", NS)
    assert _text(address, "cbc:StreetName") == f"Æsgata 1 {NASTY}"
    assert _text(address, "cbc:CityName") == f"Båtsfjord {NASTY}"
    assert _text(doc, "cac:Delivery//cbc:Name") == f"Mottak {NASTY}"
    line = doc.find("cac:OrderLine", NS)
    assert _text(line, "cbc:Note") == f"Ansatt <7>: Åse {NASTY}"
    assert _text(line, ".//cac:Item/cbc:Name") == f"Jakke {NASTY}"
    assert _text(line, ".//cac:SellersItemIdentification/cbc:ID") == "X&<1>"
    assert _all(line, ".//cac:AdditionalItemProperty/cbc:Value") == [f"Rød {NASTY}", 'XL & <">']


def test_no_customer_number_and_no_delivery_name_leave_their_elements_out(customer, contact):
    order = _order(contact, [(_variant(), 1, None)])
    Order.objects.filter(pk=order.pk).update(delivery_name="  ")
    customer.customer_number = ""
    customer.save()

    doc = _checked(Order.objects.get(pk=order.pk))

    assert doc.find("cac:BuyerCustomerParty/cac:Party/cac:PartyIdentification", NS) is None
    assert doc.find("cac:Delivery/cac:DeliveryParty", NS) is None


def test_characters_xml_cannot_carry_are_left_out(contact):
    order = _order(contact, [(_variant(), 1, None)])
    OrderLine.objects.filter(order=order).update(product_name="Jakke\x0b\x1b med glidelås\x7f")

    doc = _checked(Order.objects.get(pk=order.pk))

    assert _text(doc, ".//cac:Item/cbc:Name") == "Jakke med glidelås\x7f"


def test_issue_date_and_time_are_the_placing_moment_in_norway(contact):
    order = _order(contact, [(_variant(), 1, None)])
    order.placed_at = datetime(2025, 12, 31, 23, 30, 5, 123456, tzinfo=UTC)
    order.save()

    doc = _checked(Order.objects.get(pk=order.pk))

    assert (_text(doc, "cbc:IssueDate"), _text(doc, "cbc:IssueTime")) == ("2026-01-01", "00:30:05")


def test_the_same_order_gives_the_same_bytes_whatever_the_language(customer):
    english = member(customer, language="en", number="3003")
    order = _order(english, [(_variant("10.50"), 2, None), (_variant("7.25"), 1, None)])
    norwegian = order_document(Order.objects.get(pk=order.pk))

    with translation.override("en"):
        in_english = order_document(Order.objects.get(pk=order.pk))

    assert in_english == norwegian == order_document(order)
    assert "Ansatt 3003: " in norwegian.decode()


@override_settings(KVOTE_SUPPLIER_ORG_NUMBER="923456783", KVOTE_SUPPLIER_NAME="Leverandør AS")
def test_the_seller_is_the_supplier_in_the_settings(contact):
    doc = _checked(_order(contact, [(_variant(), 1, None)]))

    seller = doc.find("cac:SellerSupplierParty/cac:Party", NS)
    assert _text(seller, "cbc:EndpointID") == "923456783"
    assert _text(seller, "cac:PartyLegalEntity/cbc:CompanyID") == "923456783"
    assert _text(seller, "cac:PartyName/cbc:Name") == "Leverandør AS"


def test_a_document_costs_three_queries(contact, django_assert_num_queries):
    order = _order(contact, [(_variant(), 1, None), (_variant(), 2, None)])
    fresh = Order.objects.get(pk=order.pk)

    with django_assert_num_queries(3):  # the customer, the orderer, the lines
        order_document(fresh)


def test_every_order_of_the_demo_makes_a_valid_document():
    call_command("seed_demo", stdout=StringIO())
    orders = Order.objects.select_related("company", "placed_by").prefetch_related("lines")

    problems = {order.number: document_problems(order_document(order)) for order in orders}

    assert len(problems) > 20
    assert {number: found for number, found in problems.items() if found} == {}
