"""Assertions the tests of several apps share."""

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
