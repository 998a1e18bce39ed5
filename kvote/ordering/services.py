"""Everything that writes to carts and orders: one function per use case.

Services validate what they are given (the web forms do too, for friendlier messages) and raise
`ServiceError` with an `OrderError` code; nothing is written when they refuse.
"""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kvote.approvals.selectors import order_approval_need
from kvote.approvals.services import approvers_notify
from kvote.budgets.selectors import order_budget_effects
from kvote.budgets.services import budgets_lock
from kvote.catalog.models import Variant
from kvote.catalog.selectors import prices_for, variant_with_price
from kvote.common.errors import ServiceError
from kvote.common.money import Totals, round_money
from kvote.common.tenancy import company_id_of, get_scoped_or_404, scoped
from kvote.companies.models import Company, DeliveryAddress, postal_code_validator
from kvote.ordering.errors import OrderError
from kvote.ordering.models import MAX_QUANTITY, Cart, CartLine, Order, OrderLine, OrderState
from kvote.ordering.selectors import cart_line_problem, orderable_product_ids, own_employee
from kvote.ordering.states import order_record_creation
from kvote.people.models import Employee, User


def parse_quantity(value: int | str | None) -> int:
    """A whole number from 1 to 999, or a clear refusal."""
    try:
        quantity = int(str(value).strip())
    except (TypeError, ValueError):
        quantity = 0
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ServiceError(
            OrderError.INVALID_QUANTITY,
            _("The quantity must be a whole number from 1 to %(max)d.") % {"max": MAX_QUANTITY},
        )
    return quantity


def _recipient(*, actor: User, recipient_id: int | None) -> Employee | None:
    """The employee a line is for: the actor's own by default; another one only when the role
    allows it."""
    if recipient_id is None:
        return own_employee(actor=actor)
    employee = scoped(Employee, actor).filter(pk=recipient_id, is_active=True).first()
    if employee is None:
        raise ServiceError(
            OrderError.RECIPIENT_NOT_ALLOWED, _("The chosen employee cannot receive orders.")
        )
    if not actor.may_choose_recipients and employee.user_id != actor.pk:
        raise ServiceError(OrderError.RECIPIENT_NOT_ALLOWED, _("You can only order for yourself."))
    return employee


def _cart_for_update(*, actor: User) -> Cart:
    company_id = company_id_of(actor)
    cart, _created = Cart.objects.get_or_create(user=actor, defaults={"company_id": company_id})
    return Cart.objects.select_for_update().get(pk=cart.pk)


def cart_add(
    *, actor: User, variant_id: int, quantity: int | str, recipient_id: int | None = None
) -> CartLine:
    """Put a variant in the cart; the same variant for the same recipient adds to that line."""
    found = variant_with_price(actor=actor, variant_id=variant_id)
    if found is None:
        raise ServiceError(
            OrderError.UNKNOWN_ITEM, _("This product variant is not available to you.")
        )
    variant, _price = found
    quantity = parse_quantity(quantity)
    recipient = _recipient(actor=actor, recipient_id=recipient_id)
    with transaction.atomic():
        cart = _cart_for_update(actor=actor)
        line = CartLine.objects.filter(cart=cart, variant=variant, recipient=recipient).first()
        if line is None:
            return CartLine.objects.create(
                company_id=cart.company_id,
                cart=cart,
                variant=variant,
                quantity=quantity,
                recipient=recipient,
            )
        if line.quantity + quantity > MAX_QUANTITY:
            raise ServiceError(
                OrderError.INVALID_QUANTITY,
                _("You already have %(have)d in the cart; one line holds at most %(max)d.")
                % {"have": line.quantity, "max": MAX_QUANTITY},
            )
        line.quantity += quantity
        line.save(update_fields=["quantity", "updated_at"])
        return line


def cart_add_by_item_number(*, actor: User, item_number: str, quantity: int | str) -> CartLine:
    """Quick order: an item number (varenummer) straight into the cart."""
    item_number = item_number.strip()
    variant = Variant.objects.filter(item_number__iexact=item_number).first()
    if variant is None:
        raise ServiceError(
            OrderError.UNKNOWN_ITEM,
            _("There is no item number “%(item)s”.") % {"item": item_number[:40]},
        )
    if not variant.is_active or variant_with_price(actor=actor, variant_id=variant.pk) is None:
        raise ServiceError(
            OrderError.INACTIVE_ITEM,
            _("Item number “%(item)s” cannot be ordered.") % {"item": variant.item_number},
        )
    return cart_add(actor=actor, variant_id=variant.pk, quantity=quantity)


def cart_line_update(
    *,
    actor: User,
    line_id: int,
    quantity: int | str | None = None,
    recipient_id: int | None = None,
) -> CartLine:
    """Change a line's quantity and/or recipient."""
    new_quantity = parse_quantity(quantity) if quantity is not None else None
    recipient = _recipient(actor=actor, recipient_id=recipient_id) if recipient_id else None
    with transaction.atomic():
        line = get_scoped_or_404(
            CartLine.objects.select_for_update(), actor, pk=line_id, cart__user=actor
        )
        if new_quantity is not None:
            line.quantity = new_quantity
        if recipient is not None:
            line.recipient = recipient
        line.save(update_fields=["quantity", "recipient", "updated_at"])
        return line


def cart_line_remove(*, actor: User, line_id: int) -> None:
    line = get_scoped_or_404(CartLine, actor, pk=line_id, cart__user=actor)
    line.delete()


def checkout_details_save(
    *,
    actor: User,
    delivery_address_id: int | None,
    one_off_name: str = "",
    one_off_street: str = "",
    one_off_postal_code: str = "",
    one_off_city: str = "",
    customer_reference: str = "",
) -> Cart:
    """Keep the delivery choice and the customer's reference on the cart. A saved address of the
    company, or (with no id) a one-off address that must be complete."""
    customer_reference = customer_reference.strip()
    if len(customer_reference) > 100:
        raise ServiceError(
            OrderError.INVALID_REFERENCE, _("Your reference can be at most 100 characters.")
        )
    address: DeliveryAddress | None = None
    if delivery_address_id is not None:
        address = (
            scoped(DeliveryAddress, actor).filter(pk=delivery_address_id, is_active=True).first()
        )
        if address is None:
            raise ServiceError(
                OrderError.INVALID_ADDRESS, _("Choose one of your company's delivery addresses.")
            )
    else:
        _validate_one_off(
            name=one_off_name,
            street=one_off_street,
            postal_code=one_off_postal_code,
            city=one_off_city,
        )
    with transaction.atomic():
        cart = _cart_for_update(actor=actor)
        cart.delivery_address = address
        cart.use_one_off_address = address is None
        if address is None:
            cart.one_off_name = one_off_name.strip()
            cart.one_off_street = one_off_street.strip()
            cart.one_off_postal_code = one_off_postal_code.strip()
            cart.one_off_city = one_off_city.strip()
        cart.customer_reference = customer_reference
        cart.save()
        return cart


def _validate_one_off(*, name: str, street: str, postal_code: str, city: str) -> None:
    if not (name.strip() and street.strip() and postal_code.strip() and city.strip()):
        raise ServiceError(
            OrderError.ADDRESS_REQUIRED,
            _("A one-off address needs a name, a street address, a postal code and a city."),
        )
    if len(name.strip()) > 200 or len(street.strip()) > 200 or len(city.strip()) > 100:
        raise ServiceError(OrderError.INVALID_ADDRESS, _("The address is too long."))
    try:
        postal_code_validator(postal_code.strip())
    except Exception as exc:
        raise ServiceError(
            OrderError.INVALID_ADDRESS, _("A Norwegian postal code has four digits.")
        ) from exc


def order_submit(*, actor: User, idempotency_key: str) -> Order:
    """Turn the actor's cart into an order. The same key twice (a double click, a retried
    request) returns the first order instead of making a second one."""
    idempotency_key = idempotency_key.strip()[:64]
    if not idempotency_key:
        raise ServiceError(OrderError.EMPTY_CART, _("The order form has expired. Try again."))
    company_id = company_id_of(actor)
    try:
        with transaction.atomic():
            cart = _cart_for_update(actor=actor)
            existing = Order.objects.filter(
                company_id=company_id, placed_by=actor, idempotency_key=idempotency_key
            ).first()
            if existing is not None:
                return existing
            return _order_from_cart(actor=actor, cart=cart, idempotency_key=idempotency_key)
    except IntegrityError as exc:
        existing = Order.objects.filter(
            company_id=company_id, placed_by=actor, idempotency_key=idempotency_key
        ).first()
        if existing is None:
            raise ServiceError(
                OrderError.EMPTY_CART, _("The order form has expired. Try again.")
            ) from exc
        return existing


def _order_from_cart(*, actor: User, cart: Cart, idempotency_key: str) -> Order:
    lines = list(
        CartLine.objects.filter(cart=cart)
        .select_related("variant__product", "recipient")
        .order_by("created_at", "id")
    )
    if not lines:
        raise ServiceError(OrderError.EMPTY_CART, _("Your cart is empty."))
    orderable = orderable_product_ids(actor=actor, lines=lines)
    for line in lines:
        problem = cart_line_problem(actor=actor, line=line, orderable_product_ids=orderable)
        if problem is not None:
            raise ServiceError(*problem)
    delivery = _delivery_of(actor=actor, cart=cart)
    prices = prices_for(company_id=cart.company_id, products=[ln.variant.product for ln in lines])
    line_totals = [round_money(prices[ln.variant.product_id] * ln.quantity) for ln in lines]
    totals = Totals.of(sum(line_totals, Decimal(0)))
    placed_at = timezone.now()
    state = _initial_state(
        actor=actor,
        company_id=cart.company_id,
        total=totals.excl_vat,
        amounts=amounts_by_recipient(lines=lines, line_totals=line_totals),
        on=timezone.localdate(placed_at),
    )
    order = Order.objects.create(
        company_id=cart.company_id,
        number=f"tmp-{idempotency_key}"[:20],
        state=state,
        placed_by=actor,
        placed_at=placed_at,
        customer_reference=cart.customer_reference,
        idempotency_key=idempotency_key,
        total_excl_vat=totals.excl_vat,
        vat=totals.vat,
        total_incl_vat=totals.incl_vat,
        **delivery,
    )
    order.number = f"KV-{order.pk:06d}"
    order.save(update_fields=["number"])
    OrderLine.objects.bulk_create(
        OrderLine(
            company_id=cart.company_id,
            order=order,
            variant=line.variant,
            item_number=line.variant.item_number,
            product_name=line.variant.product.name,
            product_name_en=line.variant.product.name_en,
            colour=line.variant.colour,
            colour_en=line.variant.colour_en,
            size=line.variant.size,
            quantity=line.quantity,
            unit_price=prices[line.variant.product_id],
            line_total=line_total,
            recipient=line.recipient,
            recipient_name=line.recipient.name,
            recipient_number=line.recipient.number,
        )
        for line, line_total in zip(lines, line_totals, strict=True)
    )
    order_record_creation(order=order, actor=actor)
    if order.state == OrderState.AWAITING_APPROVAL:
        approvers_notify(order=order)
    CartLine.objects.filter(cart=cart).delete()
    cart.customer_reference = ""
    cart.save(update_fields=["customer_reference", "updated_at"])
    return order


def amounts_by_recipient(
    *, lines: list[CartLine], line_totals: list[Decimal]
) -> dict[Employee, Decimal]:
    amounts: dict[Employee, Decimal] = {}
    for line, line_total in zip(lines, line_totals, strict=True):
        assert line.recipient is not None  # checked by cart_line_problem
        amounts[line.recipient] = amounts.get(line.recipient, Decimal(0)) + line_total
    return amounts


def _initial_state(
    *, actor: User, company_id: int, amounts: dict[Employee, Decimal], total: Decimal, on: date
) -> str:
    """Released at once, unless the company's approval policy holds the order (by default: when
    it takes a recipient's budget below zero). The recipients' budget rows stay locked until the
    order is committed, so two orders on one budget take turns."""
    budgets_lock(company_id=company_id, employee_ids=[e.pk for e in amounts], on=on)
    effects = order_budget_effects(company_id=company_id, amounts=amounts, on=on)
    need = order_approval_need(
        company=Company.objects.get(pk=company_id),
        placed_by=actor,
        effects=effects,
        total_excl_vat=total,
    )
    return OrderState.AWAITING_APPROVAL if need.needed else OrderState.RELEASED


def _delivery_of(*, actor: User, cart: Cart) -> dict[str, object]:
    if cart.use_one_off_address:
        _validate_one_off(
            name=cart.one_off_name,
            street=cart.one_off_street,
            postal_code=cart.one_off_postal_code,
            city=cart.one_off_city,
        )
        return {
            "delivery_address": None,
            "delivery_name": cart.one_off_name,
            "delivery_street": cart.one_off_street,
            "delivery_postal_code": cart.one_off_postal_code,
            "delivery_city": cart.one_off_city,
        }
    address = None
    if cart.delivery_address_id is not None:
        address = (
            scoped(DeliveryAddress, actor)
            .filter(pk=cart.delivery_address_id, is_active=True)
            .first()
        )
    if address is None:
        raise ServiceError(OrderError.ADDRESS_REQUIRED, _("Choose where the order goes."))
    return {
        "delivery_address": address,
        "delivery_name": address.recipient_name,
        "delivery_street": address.street,
        "delivery_postal_code": address.postal_code,
        "delivery_city": address.city,
        "delivery_country": address.country,
    }
