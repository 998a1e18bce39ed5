from decimal import Decimal

import pytest

from kvote.common.money import Totals, format_amount, format_nok, parse_money, round_money


@pytest.mark.parametrize(
    ("raw", "rounded"),
    [
        ("0.005", "0.01"),
        ("0.004", "0.00"),
        ("2.675", "2.68"),
        ("-2.675", "-2.68"),
        ("10", "10.00"),
    ],
)
def test_round_money_rounds_half_away_from_zero_to_ore(raw: str, rounded: str) -> None:
    assert round_money(Decimal(raw)) == Decimal(rounded)


def test_totals_add_up_with_25_percent_vat() -> None:
    totals = Totals.of(Decimal("1234.50"))
    assert totals.excl_vat == Decimal("1234.50")
    assert totals.vat == Decimal("308.63")
    assert totals.incl_vat == Decimal("1543.13")
    assert totals.excl_vat + totals.vat == totals.incl_vat


def test_norwegian_and_english_formats() -> None:
    assert format_nok(Decimal("1234.5"), "nb") == "kr\u00a01\u00a0234,50"
    assert format_nok(Decimal("1234567.891"), "en") == "NOK\u00a01,234,567.89"
    assert format_amount(Decimal("-500"), "nb") == "-500,00"
    assert format_amount(Decimal("0"), "nb") == "0,00"
    assert format_amount(Decimal("999"), "nb") == "999,00"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 234,50", "1234.50"),
        ("kr 99", "99"),
        ("1.234,5", "1234.5"),
        ("12.5", "12.5"),
        ("5,000.00", "5000.00"),
        ("1.234.567,89", "1234567.89"),
    ],
)
def test_parse_money_reads_norwegian_and_english(text: str, value: str) -> None:
    assert parse_money(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "NaN", "Infinity"])
def test_parse_money_refuses_what_is_no_amount(text: str) -> None:
    with pytest.raises(ValueError):
        parse_money(text)
