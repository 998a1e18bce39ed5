"""Factories for tests: a company with its people, a catalogue, carts and orders."""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from kvote.budgets.models import Budget
from kvote.catalog.models import (
    AgreedPrice,
    Category,
    ImageStatus,
    Product,
    ProductImage,
    Variant,
)
from kvote.companies.models import Company, DeliveryAddress
from kvote.people.models import Employee, User

if TYPE_CHECKING:
    from kvote.kits.models import Kit
    from kvote.ordering.models import Order

PASSWORD = "demo1234"


def org_number(n: int) -> str:
    """A distinct valid Norwegian organisation number for each n (mod 11, as PEPPOL checks it).

    Eight digits from 2n or, when no check digit fits that one (remainder 1), from 2n + 1.
    """
    for prefix in (f"{90000000 + 2 * n}", f"{90000000 + 2 * n + 1}"):
        remainder = (
            sum(int(d) * w for d, w in zip(prefix, (3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
        )
        if remainder != 1:
            return f"{prefix}{(11 - remainder) % 11}"
    raise AssertionError("unreachable: 2n and 2n + 1 never both leave remainder 1")


class CompanyFactory(DjangoModelFactory[Company]):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Firma {n} AS")
    org_number = factory.Sequence(lambda n: org_number(n))
    customer_number = factory.Sequence(lambda n: f"K{10000 + n}")


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name", locale="no_NO")
    company = factory.SubFactory(CompanyFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class EmployeeFactory(DjangoModelFactory[Employee]):
    class Meta:
        model = Employee

    company = factory.SubFactory(CompanyFactory)
    number = factory.Sequence(lambda n: str(5000 + n))
    name = factory.Faker("name", locale="no_NO")


class DeliveryAddressFactory(DjangoModelFactory[DeliveryAddress]):
    class Meta:
        model = DeliveryAddress

    company = factory.SubFactory(CompanyFactory)
    label = factory.Sequence(lambda n: f"Lager {n}")
    recipient_name = "Varemottak"
    street = factory.Sequence(lambda n: f"Industriveien {n}")
    postal_code = "0580"
    city = "Oslo"


class CategoryFactory(DjangoModelFactory[Category]):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = "Jakker"
    name_en = "Jackets"
    slug = "jakker"


class ProductFactory(DjangoModelFactory[Product]):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{1000 + n}")
    name = factory.Sequence(lambda n: f"Arbeidsjakke {n}")
    name_en = factory.Sequence(lambda n: f"Work jacket {n}")
    description = "Slitesterk jakke."
    category = factory.SubFactory(CategoryFactory)
    list_price = Decimal("500.00")


class VariantFactory(DjangoModelFactory[Variant]):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    item_number = factory.Sequence(lambda n: f"V{100000 + n}")
    colour = "Marine"
    colour_en = "Navy"
    size = factory.Sequence(lambda n: f"S{n}")


class AgreedPriceFactory(DjangoModelFactory[AgreedPrice]):
    class Meta:
        model = AgreedPrice

    company = factory.SubFactory(CompanyFactory)
    product = factory.SubFactory(ProductFactory)
    price = Decimal("400.00")


def give_budget(
    employee: Employee, amount: str | Decimal = "1000.00", *, on: date | None = None
) -> Budget:
    """A budget for `employee` in their company's budget period holding `on` (today), written
    directly (no change log). It makes the employee's login a budget holder: that is what a
    budget holder is (kvote.people.roles.is_budget_holder)."""
    period = employee.company.budget_period_of(on or timezone.localdate())
    return Budget.objects.create(
        company_id=employee.company_id,
        employee=employee,
        period_start=period.start,
        period_end=period.end,
        amount=Decimal(amount),
    )


def member(
    company: Company,
    *,
    number: str | None = None,
    budget: str | Decimal | None = None,
    **fields: Any,
) -> User:
    """A user of `company` with an employee record of their own (the usual portal user); with
    `budget`, that employee has a budget of this amount for the current period: a budget
    holder. Roles other than budget holder are flags: `is_supervisor=True` and so on."""
    user = UserFactory(company=company, **fields)
    employee = EmployeeFactory(
        company=company, user=user, name=user.full_name, **({"number": number} if number else {})
    )
    if budget is not None:
        give_budget(employee, budget)
    return user


ONE_OFF_ADDRESS = {
    "one_off_name": "Ola Nordmann",
    "one_off_street": "Storgata 1",
    "one_off_postal_code": "0155",
    "one_off_city": "Oslo",
}


def fill_cart(
    actor: User,
    variant: Variant,
    *,
    quantity: int = 1,
    recipient: Employee | None = None,
    reference: str = "",
) -> None:
    """Put `variant` in the actor's cart and choose a one-off delivery address: ready to order."""
    from kvote.checkout.services import cart_add, checkout_details_save

    cart_add(
        actor=actor,
        variant_id=variant.pk,
        quantity=quantity,
        recipient_id=recipient.pk if recipient else None,
    )
    checkout_details_save(
        actor=actor, delivery_address_id=None, customer_reference=reference, **ONE_OFF_ADDRESS
    )


def place_order(
    actor: User, price: str = "100.00", *, key: str = "k", recipient: Employee | None = None
) -> "Order":
    """An order of one new variant at `price`, placed by `actor` through the services."""
    from kvote.checkout.services import order_submit

    fill_cart(actor, VariantFactory(product__list_price=Decimal(price)), recipient=recipient)
    return order_submit(actor=actor, idempotency_key=key)


def ready_image(product: Product, position: int = 0, colour: str = "") -> ProductImage:
    """A ready picture with a renditions record (no files: the pages only name them)."""
    stem = f"products/renditions/t/{product.pk}-{position}"
    renditions = {
        name: {"webp": f"{stem}-{name}.webp", "jpeg": f"{stem}-{name}.jpg", "width": w, "height": w}
        for name, w in (("card", 400), ("page", 800), ("zoom", 1600))
    }
    return ProductImage.objects.create(
        product=product,
        position=position,
        colour=colour,
        source_url=f"https://pictures.example/{product.pk}/{position}.jpg",
        renditions=renditions,
        status=ImageStatus.READY,
    )


def give_kit(
    employee: Employee,
    *items: tuple[Product | Category, int],
    name: str = "Elektriker",
) -> "Kit":
    """A kit of `items` (a product or a category, with the pieces per period) assigned to
    `employee`, written directly (no change log). A kit of that name in the company is reused."""
    from kvote.kits.models import Kit, KitAssignment, KitItem

    kit, created = Kit.objects.get_or_create(company_id=employee.company_id, name=name)
    if created:
        KitItem.objects.bulk_create(
            KitItem(
                company_id=employee.company_id,
                kit=kit,
                product=target if isinstance(target, Product) else None,
                category=target if isinstance(target, Category) else None,
                quantity=quantity,
            )
            for target, quantity in items
        )
    KitAssignment.objects.update_or_create(
        employee=employee, defaults={"kit": kit, "company_id": employee.company_id}
    )
    return kit
