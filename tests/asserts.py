"""Assertions the tests of several apps share."""

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from kvote.common.errors import NotFound


@contextmanager
def raises_not_found() -> Iterator[None]:
    """The block is refused with the one "not found" answer (kvote.common.errors), never
    Http404 or a ServiceError."""
    with pytest.raises(NotFound):
        yield


# A table of a page (its HTML), for assert_each_row_is_a_card.
TABLE = re.compile(r"<table[^>]*>.*?</table>", re.S)


def assert_each_row_is_a_card(table: str) -> int:
    """Every body cell of a .kv-rtable table says what it is: its data-label is its column's
    heading (the card shows it), except the row's heading (<th scope="row">, the card's title).
    Returns the number of rows."""
    assert "kv-rtable" in table.split(">", 1)[0], table[:120]
    heads = [
        html.unescape(re.sub(r"<[^>]+>", "", h)).strip()
        for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table, re.S)
    ]
    body = table.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    for row in rows:
        cells = re.findall(r"<(td|th)([^>]*)>", row)
        assert len(cells) == len(heads), (heads, row)
        assert [tag for tag, attrs in cells].count("th") == 1, row
        for (tag, attrs), head in zip(cells, heads, strict=True):
            if tag == "th":
                assert 'scope="row"' in attrs
            else:
                assert f'data-label="{html.escape(head)}"' in attrs, (head, attrs)
    return len(rows)
