"""Schemathesis over the whole API schema (/api/v1/openapi.json), in-process through WSGI, as a
plain employee and as a supervisor of the test world (tests/world.py): no answer is a server
error, every status is one the operation documents, and every body matches its documented schema.

Each operation gets generated requests (valid and invalid ones) and, where the schema alone
would seldom reach the code behind validation, requests aimed at real rows: the company's own
ids, another company's ids, real item numbers. Every request runs in a savepoint that is rolled
back, so each one meets the same data. Derandomized: the same requests on every run.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from kvote.api.services import api_token_create
from kvote.budgets.services import budget_set
from kvote.catalog.models import AgreedPrice
from kvote.kits.models import Kit
from kvote.ordering.models import Order
from kvote.people.models import User
from tests.factories import (
    DeliveryAddressFactory,
    ProductFactory,
    VariantFactory,
    place_order,
)
from tests.urlmap import supplier_import
from tests.world import Fjord, World

pytestmark = pytest.mark.django_db

SCHEMA_PATH = "/api/v1/openapi.json"
EXAMPLES = 10  # per operation, role and kind (generated, aimed at real rows)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate, hypothesis.Phase.shrink],
)


@dataclass
class Demo:
    employee: User  # a budget holder with no other role
    supervisor: User  # also an approver
    ids: dict[str, list[int]]  # path parameter → ids worth trying (own and another company's)
    skus: list[str]
    address_id: int


@pytest.fixture
def demo(world: World, fjord: Fjord) -> Demo:
    """The world with budgets, products at an agreed price, and orders in each state."""
    employee, supervisor, team = world.holder, world.leader, world.team  # holder: kr 1 000
    own = employee.employee
    for person in team[:2]:
        budget_set(actor=supervisor, employee_id=person.pk, amount="1000")
    product = ProductFactory(list_price=Decimal("400.00"))
    variants = [VariantFactory(product=product, colour=c) for c in ("Marine", "Sort", "Rød")]
    AgreedPrice.objects.create(company=world.company, product=product, price=Decimal("350.00"))
    address = DeliveryAddressFactory(company=world.company)
    released = place_order(employee, "100.00", key="r1")
    waiting = place_order(employee, "2000.00", key="w1")  # over budget: awaits approval
    Order.objects.filter(pk=waiting.pk).update(state="awaiting_approval")
    by_supervisor = place_order(supervisor, "50.00", key="s1", recipient=team[0])
    foreign_order = place_order(fjord.leader, "10.00", key="f1")
    return Demo(
        employee=employee,
        supervisor=supervisor,
        ids={
            "employee_id": [
                own.pk,
                team[0].pk,
                team[2].pk,
                world.outsider.pk,  # another supervisor's: only an admin may change them
                fjord.leader.employee.pk,
            ],
            "order_id": [released.pk, waiting.pk, by_supervisor.pk, foreign_order.pk],
            "import_id": [supplier_import().pk],  # the supplier's: 403 to every customer
            "kit_id": [
                Kit.objects.create(company=world.company, name="Elektriker").pk,
                Kit.objects.create(company=fjord.company, name="Fjord").pk,
            ],
        },
        skus=[v.item_number for v in variants],
        address_id=address.pk,
    )


def _bodies(demo: Demo, recipient_ids: list[int]) -> dict[tuple[str, str], st.SearchStrategy]:
    """Bodies the schema alone would seldom produce: real item numbers, real recipients."""
    line = st.fixed_dictionaries(
        {"sku": st.sampled_from(demo.skus), "quantity": st.integers(1, 3)},
        optional={"recipient_id": st.sampled_from(recipient_ids)},
    )
    order = st.fixed_dictionaries(
        {"lines": st.lists(line, min_size=1, max_size=3)},
        optional={
            "delivery_address_id": st.just(demo.address_id),
            "reference": st.text(max_size=20),
        },
    )
    comment = st.fixed_dictionaries({}, optional={"comment": st.text(max_size=30)})
    return {
        ("POST", "/api/v1/orders/preview"): order,
        ("POST", "/api/v1/orders"): order,
        ("POST", "/api/v1/approvals/{order_id}/approve"): comment,
        ("POST", "/api/v1/approvals/{order_id}/reject"): comment,
        ("PUT", "/api/v1/employees/{employee_id}/budget"): st.fixed_dictionaries(
            {"amount": st.sampled_from(["0", "1500.50", "-1", "1e30", "12.345", 250])}
        ),
        ("PUT", "/api/v1/employees/{employee_id}/sizes"): st.fixed_dictionaries(
            {
                "sizes": st.dictionaries(
                    st.sampled_from(["tops", "shoes", "gloves", "hats"]),
                    st.sampled_from(["Marine", "L", "43", "", None]),
                    max_size=3,
                )
            }
        ),
        ("PATCH", "/api/v1/employees/{employee_id}"): st.fixed_dictionaries(
            {},
            optional={
                "name": st.text(max_size=10),
                "number": st.sampled_from(["777", "1 2", ""]),
                "active": st.booleans(),
            },
        ),
        ("POST", "/api/v1/employees"): st.fixed_dictionaries(
            {"name": st.text(min_size=1, max_size=10), "number": st.sampled_from(["777", "x"])}
        ),
    }


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler, run inside the test's transaction: like Django's test client, it
    must not close the connection at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _aimed(operation: Any, demo: Demo, bodies: dict) -> list[st.SearchStrategy]:
    """Strategies for one operation: generated by the schema, and aimed at real rows."""
    strategies = [
        operation.as_strategy(),
        operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
    ]
    names = {p.name for p in operation.path_parameters}
    fixed = st.fixed_dictionaries({name: st.sampled_from(demo.ids[name]) for name in names})
    body = bodies.get((operation.method.upper(), operation.path))
    if names or body is not None:

        @st.composite
        def aimed(draw: Callable) -> Any:
            kwargs: dict[str, Any] = {"path_parameters": draw(fixed)} if names else {}
            if body is not None:
                kwargs["body"] = draw(body)
            return draw(operation.as_strategy(**kwargs))

        strategies.append(aimed())
    return strategies


def _run(operation: Any, strategy: st.SearchStrategy, app: Any, headers: dict[str, str]) -> None:
    @SETTINGS
    @hypothesis.given(case=strategy)
    def check(case: Any) -> None:
        with transaction.atomic():
            response = case.call(app=app, headers=headers)
            transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS, headers=headers)

    check.__qualname__ = f"{operation.method.upper()} {operation.path}"
    check()


@pytest.mark.parametrize("role", ["employee", "supervisor"])
def test_every_operation_answers_as_documented(role: str, demo: Demo, wsgi_app: Any) -> None:
    schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, wsgi_app)
    actor: User = getattr(demo, role)
    headers = {"Authorization": f"Bearer {api_token_create(actor=actor, label='fuzz').secret}"}
    bodies = _bodies(demo, demo.ids["employee_id"])
    failures: list[str] = []
    operations = []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations.append(f"{operation.method.upper()} {operation.path}")
        for strategy in _aimed(operation, demo, bodies):
            try:
                _run(operation, strategy, wsgi_app, headers)
            except Exception as exc:
                failures.append(f"{operations[-1]}:\n{exc}")
                break
    assert len(operations) >= 21, operations
    assert not failures, "\n\n".join(failures)
