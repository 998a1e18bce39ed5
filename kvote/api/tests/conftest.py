import pytest

from kvote.api.tests.core_helpers import Shop
from tests.world import World


@pytest.fixture
def shop(world: World) -> Shop:
    """The world with a default delivery address and two products (core_helpers.Shop)."""
    return Shop.of(world)
