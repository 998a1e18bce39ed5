"""The approval policy: which orders must wait for a manager's decision. Pure rules."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _

from kvote.common.money import format_nok
from kvote.companies.models import ApprovalPolicy, EntitlementPolicy


class ApprovalReason(models.TextChoices):
    """Why an order waits, by name (the API's `approval_reason`)."""

    OVER_BUDGET = "over_budget"
    ALWAYS = "always"
    THRESHOLD = "threshold"
    OVER_ENTITLEMENT = "over_entitlement"


@dataclass(frozen=True)
class ApprovalNeed:
    reasons: list[str] = field(default_factory=list)  # for people, in the active language
    kinds: list[ApprovalReason] = field(default_factory=list)  # the same, by name

    @property
    def needed(self) -> bool:
        return bool(self.reasons)


def approval_need(
    *,
    policy: str,
    threshold: Decimal | None,
    placed_by_budget_holder: bool,
    over_budget_names: Iterable[str],
    total_excl_vat: Decimal,
    entitlement_policy: str = EntitlementPolicy.ALLOW,
    over_entitlement_names: Iterable[str] = (),
) -> ApprovalNeed:
    """Why an order needs approval (no reasons: it is released at once). The threshold applies
    whatever the policy; an order over a kit waits when the company's kit policy says
    `approval`, whatever the budget policy."""
    reasons: list[str] = []
    kinds: list[ApprovalReason] = []
    over = list(over_budget_names)
    if policy == ApprovalPolicy.OVER_BUDGET and over:
        reasons.append(_("The order takes %(names)s over budget.") % {"names": ", ".join(over)})
        kinds.append(ApprovalReason.OVER_BUDGET)
    if policy == ApprovalPolicy.ALWAYS and placed_by_budget_holder:
        reasons.append(_("Your company approves every order placed by an employee with a budget."))
        kinds.append(ApprovalReason.ALWAYS)
    over_kit = list(over_entitlement_names)
    if entitlement_policy == EntitlementPolicy.APPROVAL and over_kit:
        reasons.append(
            _("The order goes beyond the kit of %(names)s.") % {"names": ", ".join(over_kit)}
        )
        kinds.append(ApprovalReason.OVER_ENTITLEMENT)
    if threshold is not None and total_excl_vat > threshold:
        reasons.append(
            _("The order is above %(threshold)s excl. VAT, which needs approval.")
            % {"threshold": format_nok(threshold)}
        )
        kinds.append(ApprovalReason.THRESHOLD)
    return ApprovalNeed(reasons=reasons, kinds=kinds)
