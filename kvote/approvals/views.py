"""«Til godkjenning» (the approver's queue), deciding orders one at a time or several at once,
substitutes, and the company's approval policy.

Every page is for a logged-in user of a customer company. Who may decide which order is the
selectors' rule (kvote.approvals.selectors.orders_to_decide); another company's ids answer 404.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from kvote.approvals import selectors, services
from kvote.approvals.forms import DecideManyForm, DecisionForm, PolicyForm, SubstituteForm
from kvote.budgets.forms import amount_value
from kvote.common.errors import ServiceError
from kvote.common.http import money_context, portal_login_required, post_only
from kvote.ordering.models import OrderState
from kvote.people import roles
from kvote.people.http import ActorRequest


def _render_queue(
    request: ActorRequest,
    *,
    failed_order_id: int | None = None,
    failed_form: DecisionForm | None = None,
    many_form: DecideManyForm | None = None,
) -> HttpResponse:
    actor = request.user
    queue = selectors.approval_queue(actor=actor)
    chosen = set(many_form.order_ids) if many_form is not None else set()
    return render(
        request,
        "approvals/queue.html",
        {
            "queue": queue,
            "responsible_for": list(selectors.responsible_for(actor=actor)),
            "failed_order_id": failed_order_id,
            "failed_form": failed_form,
            "many_form": many_form,
            "chosen_ids": chosen,
            **money_context(),
        },
    )


@portal_login_required
@require_safe
def queue(request: ActorRequest) -> HttpResponse:
    """«Til godkjenning»: the orders awaiting the user's decision, oldest first. Users who decide
    nothing see an empty queue."""
    return _render_queue(request)


@portal_login_required
@post_only("approvals:queue")
def decide(request: ActorRequest, order_id: int) -> HttpResponse:
    """Approve or reject one order. A refused decision changes nothing: a missing comment on a
    rejection comes back with what was typed; anything else is told above the queue."""
    actor = request.user
    form = DecisionForm(request.POST)
    if not form.is_valid():
        selectors.access_decidable_order(actor=actor, order_id=order_id)  # not theirs: 404
        return _render_queue(request, failed_order_id=order_id, failed_form=form)
    decision = form.cleaned_data["decision"]
    try:
        order = services.approval_decide(
            actor=actor, order_id=order_id, decision=decision, comment=form.cleaned_data["comment"]
        )
    except ServiceError as exc:
        if exc.field in form.fields:  # a comment missing or too long: shown by the comment
            form.add_error(exc.field, exc.message)
            return _render_queue(request, failed_order_id=order_id, failed_form=form)
        messages.error(request, exc.message)
        return redirect("approvals:queue")
    if order.state == OrderState.RELEASED:
        text = _("Order %(number)s approved. It goes on to the supplier.")
    else:
        text = _("Order %(number)s rejected. It no longer counts against any budget.")
    messages.success(request, text % {"number": order.number})
    return redirect("approvals:queue")


@portal_login_required
@post_only("approvals:queue")
def decide_many(request: ActorRequest) -> HttpResponse:
    """Approve the ticked orders: all or nothing. A refusal names each order that cannot be
    approved, and nothing is approved; the queue comes back with the same ticks."""
    form = DecideManyForm(request.POST)
    if not form.is_valid():
        return _render_queue(request, many_form=form)
    try:
        decided = services.approval_decide_many(
            actor=request.user, order_ids=form.order_ids, decision=services.Decision.APPROVE
        )
    except ServiceError as exc:  # nothing approved: told above the queue, the ticks kept
        form.add_error(None, exc.message)
        for error in getattr(exc, "errors", []):
            form.add_error(None, error.message)
        return _render_queue(request, many_form=form)
    messages.success(
        request,
        ngettext(
            "%(count)d order approved: %(numbers)s.",
            "%(count)d orders approved: %(numbers)s.",
            len(decided),
        )
        % {"count": len(decided), "numbers": ", ".join(o.number for o in decided)},
    )
    return redirect("approvals:queue")


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def substitutes(request: ActorRequest) -> HttpResponse:
    """The approver's substitutes, and a form to name one for a date range."""
    actor = request.user
    roles.require(actor, roles.may_decide_orders)
    if request.method == "POST":
        form = SubstituteForm(request.POST, actor=actor)
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = services.substitute_set(
                    actor=actor,
                    substitute_id=data["substitute"].pk,
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("%(name)s decides in your place from %(start)s to and including %(end)s.")
                    % {
                        "name": row.substitute.full_name,
                        "start": date_format(row.starts_on, "SHORT_DATE_FORMAT"),
                        "end": date_format(row.ends_on, "SHORT_DATE_FORMAT"),
                    },
                )
                return redirect("approvals:substitutes")
    else:
        form = SubstituteForm(actor=actor)
    return render(
        request,
        "approvals/substitutes.html",
        {"form": form, "substitutes": list(selectors.substitutes_of(actor=actor))},
    )


@portal_login_required
@post_only("approvals:substitutes")
def substitute_remove(request: ActorRequest, substitute_id: int) -> HttpResponse:
    services.substitute_remove(actor=request.user, substitute_row_id=substitute_id)
    messages.success(request, _("The substitute is removed."))
    return redirect("approvals:substitutes")


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def policy_settings(request: ActorRequest) -> HttpResponse:
    """The company's approval policy and threshold, and what happens to an order beyond a kit
    (company admins only; others 404)."""
    actor = request.user
    roles.require(actor, roles.is_company_admin)
    company = selectors.company_policy(actor=actor)
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                company = services.approval_policy_set(
                    actor=actor,
                    policy=form.cleaned_data["policy"],
                    threshold=form.cleaned_data["threshold"],
                    over_entitlement=form.cleaned_data["over_entitlement"],
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The approval policy is saved."))
                return redirect("approvals:settings")
    else:
        threshold = company.approval_threshold
        form = PolicyForm(
            initial={
                "policy": company.approval_policy,
                "over_entitlement": company.over_entitlement,
                "threshold": amount_value(threshold) if threshold is not None else "",
            }
        )
    return render(request, "approvals/settings.html", {"form": form, "company": company})
