"""The one cleaning rule for free text (kvote.common.text)."""

from collections.abc import Iterator

import pytest
from django.utils import translation

from kvote.common.errors import ServiceError
from kvote.common.text import TextError, clean_line, clean_text, normalise_line


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  a\u00a0 b  ", "a b"),
        ("a\tb\r\nc\u2028d", "a b c d"),
        ("N\x00ul", "Nul"),
        ("bel\x07\x1b\x7f\x9f", "bel"),
        ("ab\u202ecd\u202c", "abcd"),
        ("\u2066isolert\u2069 \u202a\u202b\u202d", "isolert"),
        ("x\ud800y", "xy"),
        ("Cafe\u0301", "Café"),
        ("A\u030angstr\u00f8m", "\u00c5ngstr\u00f8m"),
        ("", ""),
        (" \x00 \u202e ", ""),
    ],
)
def test_a_line_is_cleaned(typed: str, kept: str) -> None:
    assert normalise_line(typed) == kept
    assert clean_line(typed, max_length=100, label="The name") == kept


def test_a_line_longer_than_the_limit_once_cleaned_is_refused_naming_the_limit() -> None:
    assert clean_line(" " + "x" * 10 + " ", max_length=10, label="The name") == "x" * 10
    assert clean_line("e\u0301" * 10, max_length=10, label="The name") == "é" * 10
    with pytest.raises(ServiceError) as caught:
        clean_line("x" * 11, max_length=10, label="Your reference", field="reference")
    assert caught.value.code == TextError.TOO_LONG
    assert caught.value.message == "Your reference can be at most 10 characters."
    assert caught.value.field == "reference"
    with pytest.raises(ServiceError) as caught:
        clean_line("x" * 11, max_length=10, label="The name", code="name_too_long")
    assert caught.value.code == "name_too_long"


def test_the_limit_message_is_norwegian_in_norwegian() -> None:
    with translation.override("nb"), pytest.raises(ServiceError) as caught:
        clean_line("x" * 101, max_length=100, label=translation.gettext("Your reference"))
    assert caught.value.message == "Deres referanse kan være på høyst 100 tegn."


def test_a_text_keeps_its_lines() -> None:
    typed = "\r\n  \r\nHei\u00a0 du\r\n\r\n  linje\u202e to \x00\rtre\n\n \n"
    assert clean_text(typed, max_length=100, label="The comment") == "Hei du\n\nlinje to\ntre"
    assert clean_text("Cafe\u0301", max_length=100, label="The comment") == "Café"
    assert clean_text("a\r\nb", max_length=3, label="The comment") == "a\nb"
    with pytest.raises(ServiceError) as caught:
        clean_text("ab\ncd", max_length=4, label="The comment")
    assert caught.value.message == "The comment can be at most 4 characters."
