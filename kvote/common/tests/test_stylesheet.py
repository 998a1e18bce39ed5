"""The portal's stylesheet is whole: every block it opens it closes (a merge that drops one
brace pulls every rule after it into a phone-only @media block, and the desktop goes bare)."""

import re
from pathlib import Path

CSS = Path(__file__).resolve().parents[2] / "static" / "kvote" / "kvote.css"


def test_every_block_of_the_stylesheet_is_closed_where_it_is_opened() -> None:
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        for char in line:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert 0 <= depth <= 2, f"kvote.css line {number}: blocks nested {depth} deep"
    assert depth == 0, f"kvote.css ends with {depth} block(s) open"
