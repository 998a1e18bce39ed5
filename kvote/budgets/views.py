"""The pages where company admins and supervisors set budgets: the list of employees with
their figures (one at a time or many at once), an employee's history, and the company's
budget period.

Every page is for a logged-in user of a customer company; the selectors answer 404 to anyone
who may not set budgets and for any employee the actor is not responsible for (another
company's ids included)."""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from kvote.budgets import selectors, services
from kvote.budgets.errors import BudgetError
from kvote.budgets.forms import (
    BudgetAmountForm,
    BudgetFilterForm,
    BudgetPeriodForm,
    BulkBudgetForm,
    amount_value,
)
from kvote.common.errors import ServiceError
from kvote.common.http import first_error, portal_login_required, post_only, safe_next
from kvote.common.money import format_nok
from kvote.common.text import search_text
from kvote.companies.models import Company
from kvote.companies.periods import Period, PeriodKind
from kvote.people.http import ActorRequest


@dataclass(frozen=True)
class RowError:
    """A refused amount on one row: what was typed stays in the row's input, with the reason."""

    employee_id: int
    value: str
    message: str


@dataclass(frozen=True)
class ListState:
    """Where on the list the user was: the search and the page, kept through a POST."""

    url: str
    query: str
    page: str | None


def _list_state(request: HttpRequest, url: str | None) -> ListState:
    """The list URL a form came from (its `next`), when it points back into this site."""
    url = safe_next(request, url) or reverse("budgets:list")
    params = QueryDict(urlsplit(url).query)
    return ListState(url=url, query=search_text(params.get("q", "")), page=params.get("page"))


def _render_list(
    request: ActorRequest,
    state: ListState,
    *,
    bulk_form: BulkBudgetForm | None = None,
    row_error: RowError | None = None,
) -> HttpResponse:
    actor = request.user
    listing = selectors.budget_list(actor=actor, query=state.query, page_number=state.page)
    page = listing.page
    rows = [
        {
            "employee": row.employee,
            "figures": row.figures,
            "value": amount_value(row.figures.amount) if row.figures else "",
            "other_period": row.figures is not None and row.figures.period != listing.period,
        }
        for row in page.object_list
    ]
    if row_error is not None:
        for row in rows:
            if row["employee"].pk == row_error.employee_id:
                row["value"], row["error"] = row_error.value, row_error.message
    bulk_form = bulk_form or BulkBudgetForm()
    return render(
        request,
        "budgets/list.html",
        {
            "listing": listing,
            "page_obj": page,
            "page_query": urlencode({"q": state.query}) if state.query else "",
            "rows": rows,
            "filter_form": BudgetFilterForm({"q": state.query}),
            "query": state.query,
            "list_url": reverse("budgets:list"),
            "next_url": state.url,
            "bulk_form": bulk_form,
            "chosen_ids": set(bulk_form.chosen_ids),
        },
    )


@portal_login_required
@require_safe
def budget_list(request: ActorRequest) -> HttpResponse:
    query = BudgetFilterForm(request.GET).query()
    state = ListState(url=request.get_full_path(), query=query, page=request.GET.get("page"))
    return _render_list(request, state)


@portal_login_required
@post_only("budgets:history")
def budget_set(request: ActorRequest, employee_id: int) -> HttpResponse:
    """One employee's budget for the company's current period, from the row's inline form."""
    actor = request.user
    employee = selectors.access_budget_employee(actor=actor, employee_id=employee_id)
    state = _list_state(request, request.POST.get("next"))
    form = BudgetAmountForm(request.POST)
    if form.is_valid():
        try:
            budget = services.budget_set(
                actor=actor, employee_id=employee.pk, amount=form.cleaned_data["amount"]
            )
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("%(name)s now has a budget of %(amount)s for %(period)s.")
                % {
                    "name": employee.name,
                    "amount": format_nok(budget.amount),
                    "period": _period_label(budget.period_start, budget.period_end),
                },
            )
            return redirect(state.url)
    else:
        error = first_error(form.errors)
    messages.error(
        request,
        _("The budget of %(name)s is not changed: %(reason)s")
        % {
            "name": employee.name,
            "reason": error,
        },
    )
    typed = str(request.POST.get("amount", ""))[:30]
    return _render_list(
        request, state, row_error=RowError(employee_id=employee.pk, value=typed, message=error)
    )


@portal_login_required
@post_only("budgets:list")
def budget_set_many(request: ActorRequest) -> HttpResponse:
    """The same amount for the chosen employees, or for every employee the list holds (all of
    My employees for a supervisor, all the employees found for an admin). All or nothing."""
    actor = request.user
    state = _list_state(request, request.POST.get("next"))
    form = BulkBudgetForm(request.POST)
    if form.is_valid():
        if form.cleaned_data["scope"] == BulkBudgetForm.ALL:
            employees = selectors.employees_matching(actor=actor, query=state.query)
            employee_ids = list(employees.values_list("pk", flat=True))
        else:
            employee_ids = form.chosen_ids
        try:
            budgets = services.budget_set_many(
                actor=actor, employee_ids=employee_ids, amount=form.cleaned_data["amount"]
            )
        except ServiceError as exc:
            field = "amount" if exc.code == BudgetError.INVALID_AMOUNT else None
            form.add_error(field, exc.message)
        else:
            first = budgets[0]
            messages.success(
                request,
                ngettext(
                    "%(count)d employee now has a budget of %(amount)s for %(period)s.",
                    "%(count)d employees now have a budget of %(amount)s for %(period)s.",
                    len(budgets),
                )
                % {
                    "count": len(budgets),
                    "amount": format_nok(first.amount),
                    "period": _period_label(first.period_start, first.period_end),
                },
            )
            return redirect(state.url)
    return _render_list(request, state, bulk_form=form)


@portal_login_required
@require_safe
def budget_history(request: ActorRequest, employee_id: int) -> HttpResponse:
    history = selectors.budget_history(actor=request.user, employee_id=employee_id)
    return render(request, "budgets/history.html", {"history": history})


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def budget_settings(request: ActorRequest) -> HttpResponse:
    """The company's budget period (company admins only)."""
    actor = request.user
    company = selectors.budget_settings(actor=actor)
    if request.method == "POST":
        form = BudgetPeriodForm(request.POST)
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            try:
                company = services.company_budget_period_set(
                    actor=actor, kind=kind, year_start=form.year_start_value()
                )
            except ServiceError as exc:
                form.add_error(
                    "year_start" if kind == PeriodKind.CUSTOM_YEAR else None, exc.message
                )
            else:
                messages.success(
                    request,
                    _("New budgets now cover %(period)s. Budgets already set keep their periods.")
                    % {"period": _period_of(company)},
                )
                return redirect("budgets:settings")
    else:
        form = BudgetPeriodForm(
            initial={"kind": company.budget_period, "year_start": company.budget_year_start}
        )
    return render(
        request,
        "budgets/settings.html",
        {"form": form, "company": company, "current_period": _period_of(company)},
    )


def _period_of(company: Company) -> str:
    return company.budget_period_of(timezone.localdate()).label()


def _period_label(start: date, end: date) -> str:
    return Period(start, end).label()
