"""The approval policy: which orders must wait for a manager's decision. Pure rules."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kvote.common.money import format_nok


class ApprovalPolicy(models.TextChoices):
    NONE = "none", gettext_lazy("No approval: every order goes to the supplier at once")
    OVER_BUDGET = "over_budget", gettext_lazy("Orders that go over a recipient's budget")
    ALWAYS = "always", gettext_lazy("Every order placed by an employee with a budget")


@dataclass(frozen=True)
class ApprovalNeed:
    reasons: list[str] = field(default_factory=list)

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
) -> ApprovalNeed:
    """Why an order needs approval (no reasons: it is released at once). The threshold applies
    whatever the policy."""
    reasons: list[str] = []
    over = list(over_budget_names)
    if policy == ApprovalPolicy.OVER_BUDGET and over:
        reasons.append(_("The order takes %(names)s over budget.") % {"names": ", ".join(over)})
    if policy == ApprovalPolicy.ALWAYS and placed_by_budget_holder:
        reasons.append(_("Your company approves every order placed by an employee with a budget."))
    if threshold is not None and total_excl_vat > threshold:
        reasons.append(
            _("The order is above %(threshold)s excl. VAT, which needs approval.")
            % {"threshold": format_nok(threshold)}
        )
    return ApprovalNeed(reasons=reasons)
