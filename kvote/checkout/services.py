"""Everything that writes to carts and orders: one function per use case.

Services validate what they are given (the web forms do too, for friendlier messages) and raise
`ServiceError` with an `OrderError` code; nothing is written when they refuse.
"""

import dataclasses
import hashlib
import json
import uuid
from collections.abc import Callable, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kvote.approvals.services import approvers_notify
from kvote.catalog.models import Variant
from kvote.catalog.prices import variant_prices
from kvote.catalog.selectors import orderable_variant
from kvote.catalog.sizes import ItemWithoutSize, items_without_size, sizes_of
from kvote.checkout.bulk import (
    PriceChange,
    QuickLine,
    QuickOrderOutcome,
    QuickRow,
    RefusedLine,
    ReorderOutcome,
    no_size_message,
    parse_quick_order,
    quick_added_message,
    quick_item,
    quick_recipient,
    too_many_lines,
)
from kvote.checkout.destinations import one_off_destination, saved_destination
from kvote.checkout.drafts import (
    LineRequest,
    OneOffAddress,
    OrderDraft,
    assess,
    clean_reference,
    draft_from_cart,
    draft_from_request,
    line_problem,
    orderable_product_ids,
    parse_quantity,
    recipient_for,
)
from kvote.checkout.models import Cart, CartLine
from kvote.checkout.selectors import access_cart_line, reorder_lines, variants_by_code
from kvote.common.errors import ServiceError
from kvote.common.tenancy import company_id_of
from kvote.common.text import fold_code, normalise_line
from kvote.companies.models import Company
from kvote.kits.errors import KitError
from kvote.kits.services import recipients_lock
from kvote.ordering.errors import OrderError
from kvote.ordering.models import MAX_QUANTITY, Order, OrderLine, OrderState
from kvote.ordering.states import order_record_creation
from kvote.people.models import Employee, User
from kvote.people.selectors import recipients_by_number


def _cart_for_update(*, actor: User) -> Cart:
    company_id = company_id_of(actor)
    cart, _created = Cart.objects.get_or_create(user=actor, defaults={"company_id": company_id})
    return Cart.objects.select_for_update().get(pk=cart.pk)


def cart_add(
    *, actor: User, variant_id: int, quantity: int | str, recipient_id: int | None = None
) -> CartLine:
    """Put a variant in the cart; the same variant for the same recipient adds to that line."""
    variant = orderable_variant(actor=actor, variant_id=variant_id)
    if variant is None:
        raise ServiceError(
            OrderError.UNKNOWN_ITEM, _("This product variant is not available to you.")
        )
    quantity = parse_quantity(quantity)
    recipient = recipient_for(actor=actor, recipient_id=recipient_id)
    put, refused = _cart_put_many(
        actor=actor, wanted=[_Wanted(variant=variant, quantity=quantity, recipient=recipient)]
    )
    if refused:
        raise ServiceError(OrderError.INVALID_QUANTITY, refused[0], field="quantity")
    return put[0]


def _line_limit_message(have: int) -> str:
    return _("You already have %(have)d in the cart; one line holds at most %(max)d.") % {
        "have": have,
        "max": MAX_QUANTITY,
    }


# --- Many lines at once: «Bestill igjen» and «Hurtigbestilling» (kvote.checkout.bulk) ---------


@dataclasses.dataclass(frozen=True)
class _Wanted:
    variant: Variant
    quantity: int
    recipient: Employee | None
    size_from_profile: bool = False  # a quick order's line named no size: the recipient's


def _cart_put_many(
    *, actor: User, wanted: Sequence[_Wanted]
) -> tuple[dict[int, CartLine], dict[int, str]]:
    """Put the wanted lines in the actor's cart in one transaction: the one home of how a cart
    takes a line. One for a variant and recipient already there adds to that line. One that
    would take a line past MAX_QUANTITY stays out. The answer: the cart line each wanted line
    went into, and each refused one's reason, both by its index in `wanted`. Nothing is written
    for nothing wanted. A fixed number of queries for any number of lines."""
    put: dict[int, CartLine] = {}
    refused: dict[int, str] = {}
    if not wanted:
        return put, refused
    with transaction.atomic():
        cart = _cart_for_update(actor=actor)
        lines: dict[tuple[int, int | None], CartLine] = {
            (line.variant_id, line.recipient_id): line
            for line in CartLine.objects.filter(
                cart=cart, variant_id__in={item.variant.pk for item in wanted}
            ).order_by("-id")  # the first of two alike wins, as a lookup of one did
        }
        changed: set[tuple[int, int | None]] = set()
        now = timezone.now()
        for index, item in enumerate(wanted):
            key = (item.variant.pk, item.recipient.pk if item.recipient else None)
            line = lines.get(key)
            have = line.quantity if line is not None else 0
            if have + item.quantity > MAX_QUANTITY:
                refused[index] = _line_limit_message(have)
                continue
            if line is None:
                line = lines[key] = CartLine(
                    company_id=cart.company_id,
                    cart=cart,
                    variant=item.variant,
                    quantity=item.quantity,
                    recipient=item.recipient,
                )
            else:
                line.quantity += item.quantity
                line.updated_at = now
                if line.pk is not None:
                    changed.add(key)
            put[index] = line
        CartLine.objects.bulk_create([line for line in lines.values() if line.pk is None])
        if changed:
            CartLine.objects.bulk_update(
                [lines[key] for key in changed], ["quantity", "updated_at"]
            )
    return put, refused


def _reorder_problem(*, actor: User, line: OrderLine, orderable: set[int]) -> str:
    """Why a line of an earlier order cannot come back ("" when it can): the rule of
    `line_problem` (kvote.checkout.drafts), in the words of «Bestill igjen»."""
    problem = line_problem(
        actor=actor,
        variant=line.variant,
        recipient=line.recipient,
        orderable_product_ids=orderable,
    )
    if problem is None:
        return ""
    code, message = problem
    if code == OrderError.INACTIVE_ITEM:
        if line.variant.is_active and line.variant.product.is_active:
            return _("No longer in your company's assortment.")
        return _("No longer sold.")
    if code == OrderError.RECIPIENT_NOT_ALLOWED and not line.recipient.is_active:
        code, message = (
            OrderError.RECIPIENT_INACTIVE,
            _("%(name)s is no longer an active employee.") % {"name": line.recipient.name},
        )
    elif code == OrderError.RECIPIENT_NOT_ALLOWED:
        message = _("You can only order for yourself.")
    return message


def cart_reorder(*, actor: User, order_id: int, recipient_id: int | None = None) -> ReorderOutcome:
    """«Bestill igjen»: an earlier order's lines, with their recipients, into the actor's cart at
    today's prices. The lines that cannot come back (item no longer sold or in the assortment,
    recipient gone or not one the actor orders for, a cart line that would pass the limit) stay
    out, each with its reason; the others go in together. Ordering the same order again adds
    its quantities again, as pressing «Legg i handlekurv» twice does. Which orders (and, with
    `recipient_id`, only that employee's lines): `selectors.reorder_lines`, NotFound for any
    other. A fixed number of queries."""
    lines = reorder_lines(actor=actor, order_id=order_id, recipient_id=recipient_id)
    orderable = orderable_product_ids(
        actor=actor, product_ids=[line.variant.product_id for line in lines]
    )
    reasons: dict[int, str] = {}
    coming: list[OrderLine] = []
    for line in lines:
        reason = _reorder_problem(actor=actor, line=line, orderable=orderable)
        if reason:
            reasons[line.pk] = reason
        else:
            coming.append(line)
    _put, over = _cart_put_many(
        actor=actor,
        wanted=[
            _Wanted(variant=line.variant, quantity=line.quantity, recipient=line.recipient)
            for line in coming
        ],
    )
    for index, reason in over.items():
        reasons[coming[index].pk] = reason
    added = [line for line in coming if line.pk not in reasons]
    prices = variant_prices(
        company_id=company_id_of(actor), variants=[line.variant for line in added]
    )
    return ReorderOutcome(
        order_id=lines[0].order_id,
        order_number=lines[0].order.number,
        added=len(added),
        refused=[
            RefusedLine(
                product=line.display_product_name,
                item_number=line.item_number,
                size=line.size,
                recipient=f"{line.recipient_name} ({line.recipient_number})",
                reason=reasons[line.pk],
            )
            for line in lines
            if line.pk in reasons
        ],
        price_changes=[
            PriceChange(
                product=line.display_product_name,
                item_number=line.item_number,
                size=line.size,
                now=prices[line.variant_id].amount,
                was=line.unit_price,
            )
            for line in added
            if prices[line.variant_id].amount != line.unit_price
        ],
    )


def cart_quick_order(*, actor: User, text: str) -> QuickOrderOutcome:
    """«Hurtigbestilling»: item numbers with quantities and, optionally, whom each line is for
    (an employee number), one a line (kvote.checkout.bulk reads them), into the actor's cart.
    Every line is checked at once; the good ones go in together (the same item number for the
    same recipient twice adds up), each bad one stays out with its reason: no such item number,
    not orderable, a quantity that is no whole number from 1 to MAX_QUANTITY or would take the
    cart's line past it, an employee number of nobody the actor may order for, an item number
    without its size that the recipient's sizes do not settle, a line after the first
    QUICK_ORDER_MAX_LINES. A line without an employee number is for the actor's own employee
    when there is one (`recipient_for`), else the cart asks whom it is for. An item number
    without its size (kvote.catalog.sizes.items_without_size) takes the size the recipient's
    sizes name for it. A fixed number of queries for any number of lines."""
    parsed = parse_quick_order(text)
    codes = {fold_code(code) for ln in parsed.lines for code in (ln.item, ln.whole) if code}
    variants = variants_by_code(codes=codes)
    short = items_without_size(codes=codes - variants.keys())
    orderable = orderable_product_ids(
        actor=actor,
        product_ids=[variant.product_id for variant in variants.values()]
        + [variant.product_id for item in short.values() for variant in item.variants],
    )
    own = recipient_for(actor=actor, recipient_id=None) if parsed.lines else None
    named = recipients_by_number(
        actor=actor, numbers={line.recipient for line in parsed.lines if line.recipient}
    )
    reasons: dict[int, str] = {line.number: too_many_lines()[1] for line in parsed.too_many}
    found: list[tuple[QuickLine, Variant | ItemWithoutSize, int, Employee | None]] = []
    for line in parsed.lines:
        try:
            target, quantity = quick_item(line, variants=variants, short=short)
            recipient = quick_recipient(actor=actor, line=line, own=own, named=named)
            if isinstance(target, Variant):
                problem = target.product_id not in orderable or not target.is_active
            else:
                problem = not target.sizes or target.variants[0].product_id not in orderable
            if problem:
                raise ServiceError(
                    OrderError.INACTIVE_ITEM,
                    _("Item number “%(item)s” cannot be ordered.")
                    % {"item": target.item_number if isinstance(target, Variant) else line.item},
                )
            count = parse_quantity(quantity or "1")
        except ServiceError as exc:
            reasons[line.number] = exc.message
            continue
        found.append((line, target, count, recipient))
    profiles = sizes_of(
        recipient.pk
        for _line, target, _count, recipient in found
        if recipient is not None and isinstance(target, ItemWithoutSize)
    )
    wanted: list[tuple[QuickLine, _Wanted]] = []
    for line, target, count, recipient in found:
        if isinstance(target, Variant):
            variant = target
        else:
            profile = profiles.get(recipient.pk, {}) if recipient is not None else {}
            picked = target.pick(profile)
            if picked is None:
                reasons[line.number] = no_size_message(
                    actor=actor, item=line.item, recipient=recipient, profile=profile, target=target
                )
                continue
            variant = picked
        item = _Wanted(
            variant=variant,
            quantity=count,
            recipient=recipient,
            size_from_profile=not isinstance(target, Variant),
        )
        wanted.append((line, item))
    _put, over = _cart_put_many(actor=actor, wanted=[item for _line, item in wanted])
    for index, reason in over.items():
        reasons[wanted[index][0].number] = reason
    went_in = {line.number: item for line, item in wanted if line.number not in reasons}
    return QuickOrderOutcome(
        rows=[
            QuickRow(
                number=line.number,
                shown=line.shown,
                raw=line.raw,
                added=line.number in went_in,
                message=quick_added_message(
                    actor=actor,
                    variant=went_in[line.number].variant,
                    quantity=went_in[line.number].quantity,
                    recipient=went_in[line.number].recipient,
                    size_from_profile=went_in[line.number].size_from_profile,
                )
                if line.number in went_in
                else reasons[line.number],
            )
            for line in parsed.lines + parsed.too_many
        ]
    )


def cart_line_update(
    *,
    actor: User,
    line_id: int,
    quantity: int | str | None = None,
    recipient_id: int | None = None,
) -> CartLine:
    """Change a line's quantity and/or recipient."""
    new_quantity = parse_quantity(quantity) if quantity is not None else None
    recipient = recipient_for(actor=actor, recipient_id=recipient_id) if recipient_id else None
    with transaction.atomic():
        line = access_cart_line(actor=actor, line_id=line_id, for_update=True)
        if new_quantity is not None:
            line.quantity = new_quantity
        if recipient is not None:
            line.recipient = recipient
        line.save(update_fields=["quantity", "recipient", "updated_at"])
        return line


def cart_line_remove(*, actor: User, line_id: int) -> None:
    line = access_cart_line(actor=actor, line_id=line_id)
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
    customer_reference = clean_reference(customer_reference)
    if delivery_address_id is not None:
        destination = saved_destination(actor=actor, address_id=delivery_address_id)
    else:
        destination = one_off_destination(
            name=one_off_name,
            street=one_off_street,
            postal_code=one_off_postal_code,
            city=one_off_city,
        )
    with transaction.atomic():
        cart = _cart_for_update(actor=actor)
        cart.delivery_address = destination.address
        cart.use_one_off_address = destination.address is None
        if destination.address is None:
            cart.one_off_name = destination.name
            cart.one_off_street = destination.street
            cart.one_off_postal_code = destination.postal_code
            cart.one_off_city = destination.city
        cart.customer_reference = customer_reference
        cart.save()
        return cart


# --- Placing orders ----------------------------------------------------------------------------


def order_submit(*, actor: User, idempotency_key: str) -> Order:
    """Turn the actor's cart into an order and empty the cart. The same key twice (a double
    click, a retried request) returns the first order instead of making a second one."""
    idempotency_key = idempotency_key.strip()[:64]
    if not idempotency_key:
        raise ServiceError(OrderError.EMPTY_CART, _("The order form has expired. Try again."))

    def place() -> Order:
        cart = _cart_for_update(actor=actor)  # one submit of a cart at a time
        existing = _order_with_key(actor=actor, idempotency_key=idempotency_key)
        if existing is not None:
            return existing
        order = _order_create(
            actor=actor, draft=draft_from_cart(actor=actor, cart=cart), key=idempotency_key
        )
        CartLine.objects.filter(cart=cart).delete()
        cart.customer_reference = ""
        cart.save(update_fields=["customer_reference", "updated_at"])
        return order

    return _placed_once(actor=actor, idempotency_key=idempotency_key, place=place)


def order_place(
    *,
    actor: User,
    lines: Sequence[LineRequest],
    delivery_address_id: int | None = None,
    one_off_address: OneOffAddress | None = None,
    reference: str = "",
    idempotency_key: str = "",
) -> Order:
    """Place an order from lines sent with the request (the API), leaving the cart alone. With
    an idempotency key, a retry returns the order the key first made; the same key with other
    lines, address or reference is refused (`idempotency_key_reused`)."""
    # A client's key is kept by its hash (any length and any characters fit the column);
    # without one, the order gets a key of its own and a retry makes another order.
    client_key = idempotency_key.strip()
    key = _hash(client_key) if client_key else uuid.uuid4().hex
    fingerprint = request_fingerprint(
        lines=lines,
        delivery_address_id=delivery_address_id,
        one_off_address=one_off_address,
        reference=reference,
    )

    def place() -> Order:
        existing = _order_with_key(actor=actor, idempotency_key=key)
        if existing is not None:
            return _same_request(existing, fingerprint)
        draft = draft_from_request(
            actor=actor,
            lines=lines,
            delivery_address_id=delivery_address_id,
            one_off_address=one_off_address,
            reference=reference,
        )
        return _order_create(actor=actor, draft=draft, key=key, fingerprint=fingerprint)

    order = _placed_once(actor=actor, idempotency_key=key, place=place)
    return _same_request(order, fingerprint)


def request_fingerprint(
    *,
    lines: Sequence[LineRequest],
    delivery_address_id: int | None,
    one_off_address: OneOffAddress | None,
    reference: str,
) -> str:
    """What was asked for, as a hash: a retried request has the same one."""
    asked = {
        "lines": [[ln.sku.strip().upper(), str(ln.quantity), ln.recipient_id] for ln in lines],
        "delivery_address_id": delivery_address_id,
        "one_off_address": dataclasses.asdict(one_off_address) if one_off_address else None,
        "reference": normalise_line(reference),
    }
    return _hash(json.dumps(asked, sort_keys=True))


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _order_with_key(*, actor: User, idempotency_key: str) -> Order | None:
    return Order.objects.filter(
        company_id=company_id_of(actor), placed_by=actor, idempotency_key=idempotency_key
    ).first()


def _same_request(order: Order, fingerprint: str) -> Order:
    if order.request_fingerprint != fingerprint:
        raise ServiceError(
            OrderError.IDEMPOTENCY_KEY_REUSED,
            _("This idempotency key was used for order %(number)s, with other contents.")
            % {"number": order.number},
        )
    return order


def _placed_once(*, actor: User, idempotency_key: str, place: Callable[[], Order]) -> Order:
    """Run `place` in one transaction; when a concurrent request with the same key won the
    race (the unique constraint says so), answer with the order it made."""
    try:
        with transaction.atomic():
            return place()
    except IntegrityError as exc:
        existing = _order_with_key(actor=actor, idempotency_key=idempotency_key)
        if existing is None:
            raise ServiceError(
                OrderError.STATE_CHANGED, _("The order could not be placed. Try again.")
            ) from exc
        return existing


def _order_create(*, actor: User, draft: OrderDraft, key: str, fingerprint: str = "") -> Order:
    """The one way an order comes to be, inside the caller's transaction: lock the recipients'
    budget rows, decide by the company's policy whether it waits for approval, write it with
    its lines and first history row, and tell the approvers."""
    company = Company.objects.get(pk=draft.company_id)
    placed_at = timezone.now()
    on = timezone.localdate(placed_at)
    amounts = draft.amounts
    # The budget rows and kits stay locked until the order is committed: two orders for one
    # recipient take turns, so both cannot skip approval on a budget that covers one of them,
    # nor both take the last jacket of a kit.
    recipients_lock(company_id=company.pk, employee_ids=[e.pk for e in amounts], on=on)
    assessment = assess(
        company=company,
        placed_by=actor,
        amounts=amounts,
        total_excl_vat=draft.totals.excl_vat,
        ordered=draft.ordered,
        on=on,
    )
    if assessment.blocked:
        raise ServiceError(KitError.OVER_ENTITLEMENT, " ".join(assessment.blocked))
    order = Order.objects.create(
        company_id=company.pk,
        number=f"tmp-{uuid.uuid4().hex}"[:20],
        state=OrderState.AWAITING_APPROVAL if assessment.approval.needed else OrderState.RELEASED,
        placed_by=actor,
        placed_at=placed_at,
        customer_reference=draft.reference,
        idempotency_key=key,
        request_fingerprint=fingerprint,
        total_excl_vat=draft.totals.excl_vat,
        vat=draft.totals.vat,
        total_incl_vat=draft.totals.incl_vat,
        **draft.delivery.order_fields(),
    )
    order.number = f"KV-{order.pk:06d}"
    order.save(update_fields=["number"])
    OrderLine.objects.bulk_create(
        OrderLine(
            company_id=company.pk,
            order=order,
            variant=line.variant,
            item_number=line.variant.item_number,
            product_name=line.variant.product.name,
            product_name_en=line.variant.product.name_en,
            colour=line.variant.colour,
            colour_en=line.variant.colour_en,
            size=line.variant.size,
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_total=line.line_total,
            recipient=line.recipient,
            recipient_name=line.recipient.name,
            recipient_number=line.recipient.number,
        )
        for line in draft.lines
    )
    order_record_creation(order=order, actor=actor)
    if order.state == OrderState.AWAITING_APPROVAL:
        approvers_notify(order=order)
    return order
