"""The company's settings a company admin may read and change: the approval policy.

`mode`: `none` (every order goes to the supplier at once), `over_budget` (orders that take a
recipient over budget wait for approval; the default) or `always` (every order placed by a
budget holder waits). `threshold`: an order above this amount excl. VAT waits whatever the
mode; null for none. `over_entitlement`: what happens to an order that takes an employee beyond
their kit: `allow` (only the budget in kroner matters), `approval` (the order waits, with reason
`over_entitlement`; the default) or `block` (the order is refused with code
`over_entitlement`). Other users: 403.
"""

from decimal import Decimal
from typing import Literal, get_args

from ninja import Router, Schema
from pydantic import Field

from kvote.api.employee_schemas import ObjectIn
from kvote.api.errors import ApiError
from kvote.api.schemas import AUTH_ERRORS, Money, error_responses
from kvote.api.types import ApiRequest
from kvote.approvals.errors import ApprovalError
from kvote.approvals.selectors import company_policy
from kvote.approvals.services import approval_policy_set
from kvote.common.errors import ServiceError
from kvote.companies.models import Company, EntitlementPolicy
from kvote.people.models import User

router = Router(tags=["company"])

Mode = Literal["none", "over_budget", "always"]
OverEntitlement = Literal["allow", "approval", "block"]
assert set(get_args(OverEntitlement)) == set(EntitlementPolicy.values)


class ApprovalPolicyOut(Schema):
    mode: Mode
    threshold: Money | None = Field(description="Orders above this amount excl. VAT need approval.")
    over_entitlement: OverEntitlement = Field(
        description="What happens to an order that takes an employee beyond their kit."
    )


class ApprovalPolicyPatch(ObjectIn):
    mode: Mode | None = None
    threshold: Decimal | None = Field(
        default=None, description='NOK excl. VAT ("5000.00"); null removes the threshold.'
    )
    over_entitlement: OverEntitlement | None = None


def _admin_company(actor: User) -> Company:
    return company_policy(actor=actor)


def _out(company: Company) -> ApprovalPolicyOut:
    return ApprovalPolicyOut(
        mode=company.approval_policy,  # type: ignore[arg-type]
        threshold=company.approval_threshold,
        over_entitlement=company.over_entitlement,  # type: ignore[arg-type]
    )


POLICY_ERRORS = (*AUTH_ERRORS, 403, 404)


@router.get(
    "/approval-policy",
    response={200: ApprovalPolicyOut, **error_responses(*POLICY_ERRORS)},
    summary="The approval policy",
)
def approval_policy(request: ApiRequest) -> ApprovalPolicyOut:
    """Which orders must wait for a manager's decision (company admins)."""
    return _out(_admin_company(request.auth))


@router.patch(
    "/approval-policy",
    response={200: ApprovalPolicyOut, **error_responses(*POLICY_ERRORS)},
    summary="Change the approval policy",
)
def approval_policy_update(request: ApiRequest, payload: ApprovalPolicyPatch) -> ApprovalPolicyOut:
    """Change the mode, the threshold, the kit policy or any of them; a field left out stays as
    it is."""
    actor = request.auth
    company = _admin_company(actor)
    given = payload.model_fields_set
    mode = payload.mode if "mode" in given and payload.mode is not None else company.approval_policy
    threshold = payload.threshold if "threshold" in given else company.approval_threshold
    over_entitlement = payload.over_entitlement  # null or left out: stays as it is
    try:
        company = approval_policy_set(
            actor=actor, policy=mode, threshold=threshold, over_entitlement=over_entitlement
        )
    except ServiceError as exc:
        if exc.code == ApprovalError.INVALID_POLICY:
            field = exc.field or "threshold"
            raise ApiError(400, exc.code, exc.message, {field: exc.message}) from exc
        raise
    return _out(company)
