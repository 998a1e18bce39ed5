"""What a kit may hold: the one check of a kit's name and items, for the pages, the API and the
back office alike, and the text the change log keeps of a kit.

A kit item names a product by its product number (Product.code, the API's `product_number`;
typed with or without dashes, in any case: kvote.common.text.fold_code) or a category by its
slug, never both, with a quantity per budget period from 1 to MAX_KIT_QUANTITY. A product must
be in the company's catalogue (kvote.catalog.selectors.visible_products), or already in the kit
(one the supplier has since withdrawn stays until it is taken out). No product or category twice
in one kit. Every problem is found at once, each under its field (`items.<n>.<field>`).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from kvote.catalog.models import Category, Product
from kvote.catalog.selectors import visible_products
from kvote.common.errors import ServiceError
from kvote.common.text import clean_line, fold_code, has_visible_text
from kvote.kits.errors import KitError
from kvote.kits.models import MAX_KIT_QUANTITY, Kit
from kvote.people.models import User

MAX_KIT_NAME = 100
MAX_KIT_ITEMS = 100


@dataclass(frozen=True)
class KitItemIn:
    """One item as a person or a program gives it: a product number or a category slug, and
    the quantity (a number, or text as typed)."""

    product_number: str = ""
    category: str = ""
    quantity: int | str = ""


@dataclass(frozen=True)
class CheckedItem:
    product: Product | None
    category: Category | None
    quantity: int


class KitInputError(ServiceError):
    """A kit's input breaks one rule or several: `fields` maps each field (`name`,
    `items.<n>.product_number`, `items.<n>.category`, `items.<n>.quantity`, `items`) to its
    message; `field` and `message` are the first."""

    def __init__(self, fields: dict[str, str]) -> None:
        field, message = next(iter(fields.items()))
        super().__init__(KitError.INVALID_KIT, message, field=field)
        self.fields = fields


def kit_name_check(name: str) -> str:
    """A kit's name as it is kept: one clean line, something visible, at most MAX_KIT_NAME."""
    cleaned = clean_line(
        str(name),
        max_length=MAX_KIT_NAME,
        label=_("The name"),
        code=KitError.INVALID_KIT,
        field="name",
    )
    if not has_visible_text(cleaned):
        raise ServiceError(KitError.INVALID_KIT, _("Give the kit a name."), field="name")
    return cleaned


def name_taken(*, company_id: int, name: str, kit_id: int | None = None) -> ServiceError | None:
    """The refusal of a name another kit of the company has (whatever its case), or None."""
    others = Kit.objects.filter(company_id=company_id, name__iexact=name)
    if kit_id is not None:
        others = others.exclude(pk=kit_id)
    if others.exists():
        return ServiceError(
            KitError.KIT_NAME_TAKEN,
            _("Another kit is already called “%(name)s”.") % {"name": name},
            field="name",
        )
    return None


def _quantity(value: int | str) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 6):
            return None
        number = int(text)
    return number if 1 <= number <= MAX_KIT_QUANTITY else None


def kit_items_check(
    *,
    actor: User | None,
    company_id: int,
    items: Sequence[KitItemIn],
    kept_product_ids: Iterable[int] = (),
) -> list[CheckedItem]:
    """The items, checked (see the module's docstring), or KitInputError naming every bad
    field. `actor`: whose catalogue the products must be in (None: the back office, any
    active product); `kept_product_ids`: the products the kit already holds. Two queries
    (products, categories) whatever the number of items."""
    problems: dict[str, str] = {}
    if len(items) > MAX_KIT_ITEMS:
        raise KitInputError(
            {"items": _("A kit can have at most %(max)d items.") % {"max": MAX_KIT_ITEMS}}
        )
    numbers = {fold_code(i.product_number): i.product_number for i in items if i.product_number}
    slugs = {i.category.strip().lower() for i in items if i.category}
    products: dict[str, Product] = {}
    if numbers:
        shown = visible_products(actor=actor) if actor is not None else Product.objects.all()
        candidates = Product.objects.filter(search_code__in=list(numbers)).filter(
            Q(pk__in=shown.filter(is_active=True).values("pk")) | Q(pk__in=list(kept_product_ids))
        )
        products = {fold_code(p.code): p for p in candidates.defer("search_name", "search_text")}
    categories = {c.slug: c for c in Category.objects.filter(slug__in=slugs)} if slugs else {}
    checked: list[CheckedItem] = []
    seen: set[tuple[str, int]] = set()
    for index, item in enumerate(items):
        at = f"items.{index}"
        product = category = None
        if item.product_number and item.category:
            problems[f"{at}.product_number"] = _(
                "Choose a product or a category, not both: an item is one of them."
            )
        elif item.product_number:
            product = products.get(fold_code(item.product_number))
            if product is None:
                problems[f"{at}.product_number"] = _(
                    "No product in your catalogue has the product number “%(number)s”."
                ) % {"number": str(item.product_number)[:40]}
            elif ("product", product.pk) in seen:
                problems[f"{at}.product_number"] = _("%(name)s is already an item of this kit.") % {
                    "name": product.display_name
                }
        elif item.category:
            category = categories.get(item.category.strip().lower())
            if category is None:
                problems[f"{at}.category"] = _("There is no category “%(slug)s”.") % {
                    "slug": str(item.category)[:40]
                }
            elif ("category", category.pk) in seen:
                problems[f"{at}.category"] = _("%(name)s is already an item of this kit.") % {
                    "name": category.display_name
                }
        else:
            problems[f"{at}.product_number"] = _("Choose a product or a category.")
        quantity = _quantity(item.quantity)
        if quantity is None:
            problems[f"{at}.quantity"] = _(
                "Write the number of pieces per period, from 1 to %(max)d."
            ) % {"max": MAX_KIT_QUANTITY}
        if product is not None:
            seen.add(("product", product.pk))
        if category is not None:
            seen.add(("category", category.pk))
        if quantity is not None and (product or category):
            checked.append(CheckedItem(product=product, category=category, quantity=quantity))
    if problems:
        raise KitInputError(problems)
    return checked


def kit_text(name: str, items: Iterable[CheckedItem]) -> str:
    """A kit as the change log keeps it: «Elektriker: Arbeidsjakke × 2, Jakker × 3» (the
    catalogue's names; the text stays true when the kit later changes or goes)."""
    parts = [
        f"{(item.product or item.category).name} × {item.quantity}"  # type: ignore[union-attr]
        for item in items
    ]
    return f"{name}: {', '.join(parts)}" if parts else name
