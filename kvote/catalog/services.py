from django.db import IntegrityError, transaction

from kvote.catalog.models import Favourite
from kvote.catalog.selectors import visible_products
from kvote.common.errors import not_found
from kvote.common.tenancy import company_id_of, scoped
from kvote.people.models import User


def favourite_add(*, actor: User, product_id: int) -> None:
    """Save a product the actor can see; saving it twice is no error."""
    if not visible_products(actor=actor).filter(pk=product_id).exists():
        raise not_found()
    try:
        with transaction.atomic():
            Favourite.objects.get_or_create(
                company_id=company_id_of(actor), user=actor, product_id=product_id
            )
    except IntegrityError:  # the same favourite saved at the same moment by a double click
        pass


def favourite_remove(*, actor: User, product_id: int) -> None:
    scoped(Favourite, actor).filter(user=actor, product_id=product_id).delete()
