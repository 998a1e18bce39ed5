from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from pytest_django import DjangoDbBlocker

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded_demo(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, file_settings: dict[str, Any]
) -> Iterator[str]:
    """The demo, seeded once for a module of read-only tests and rolled back after them.
    Each test still runs in its own savepoint (the `db` fixture) inside this transaction.
    Yields what the command printed."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, **file_settings),
        transaction.atomic(),
    ):
        yield run_seed()
        transaction.set_rollback(True)
