"""«Mine ansatte»: Ansattliste and Alle ansatte with what each bought, the drill-down, and adding,
editing (name, number, sizes) and deactivating employees. Supervisors and company admins only
(others: 404)."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kvote.budgets.selectors import BudgetFigures, figures_for_employees
from kvote.catalog.size_profiles import profile_chosen, profile_sizes, size_profile
from kvote.catalog.sizes import sizes_of
from kvote.common.errors import ServiceError
from kvote.common.http import portal_login_required, post_only, refusal_to_form
from kvote.common.money import ZERO
from kvote.companies.periods import Period
from kvote.employees import selectors
from kvote.employees.forms import (
    EmployeeAddForm,
    EmployeeForm,
    EmployeeListForm,
    PeriodForm,
    SizesForm,
)
from kvote.employees.periods import PRESETS
from kvote.employees.size_views import sizes_post
from kvote.kits.definitions import employee_kit_choice
from kvote.kits.forms import NO_KIT
from kvote.kits.selectors import EmployeeKit, kits_for_employees
from kvote.ordering.selectors import lines_shown
from kvote.people import roles, services
from kvote.people import selectors as people_selectors
from kvote.people.http import ActorRequest
from kvote.people.models import Employee, User


def _export_links(name: str, query: str, **kwargs: int) -> list[tuple[str, str]]:
    """(label, URL) of the CSV and Excel exports of what the page shows."""
    return [
        (label, reverse(name, kwargs={**kwargs, "fmt": fmt}) + "?" + query)
        for fmt, label in (("xlsx", _("Excel (xlsx)")), ("csv", "CSV"))
    ]


def _check_role(actor: User) -> None:
    roles.require(actor, roles.may_manage_employees)


def _list_url(mine: bool, query: str = "") -> str:
    url = reverse("employees_mine" if mine else "employees_all")
    return f"{url}?{query}" if query else url


def _clean_query(raw: str) -> str:
    """A list's query string from a hidden field or a parameter, re-encoded (never a URL of
    its own)."""
    return QueryDict(raw[:2000]).urlencode()


def _edit_url(employee: Employee, *, mine: bool, back: str) -> str:
    """The edit page of `employee`, remembering the list (and its query) to go back to."""
    query = urlencode({"list": "mine" if mine else "all", "back": back})
    return f"{reverse('employee_update', args=[employee.pk])}?{query}"


def _add_form(actor: User, *, mine: bool, data: QueryDict | None = None) -> EmployeeAddForm:
    """«Legg til ansatt»: on «Alle ansatte» a company admin also picks the supervisor."""
    choices = None if mine else selectors.supervisor_choices(actor=actor)
    return EmployeeAddForm(data, actor=actor, supervisors=choices)


def _render_list(
    request: ActorRequest,
    *,
    mine: bool,
    params: QueryDict,
    add_form: EmployeeAddForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.user
    company = actor.company
    assert company is not None
    today = timezone.localdate()
    filter_form = EmployeeListForm(params)
    chosen = filter_form.chosen(actor, today)
    cleaned = getattr(filter_form, "cleaned_data", {})
    query, sort = cleaned.get("q") or "", cleaned.get("sort") or "name"
    employees = selectors.employee_list(
        actor=actor, mine=mine, period=chosen.range, query=query, sort=sort
    )
    paginator = Paginator(employees, settings.KVOTE_PAGE_SIZE)
    # The count without the totals' join (cached_property: set before the page is taken).
    paginator.__dict__["count"] = selectors.employee_count(actor=actor, mine=mine, query=query)
    page = paginator.get_page(params.get("page"))
    rows = list(page.object_list)
    figures = figures_for_employees(
        company_id=company.pk, employee_ids=[e.pk for e in rows], on=today
    )
    kits = kits_for_employees(company=company, employee_ids=[e.pk for e in rows], on=today)
    budget_period = company.budget_period_of(today)
    period_query = chosen.query()
    keep = {"q": query} if query else {}
    drill_query = urlencode(period_query)
    current = urlencode({**period_query, **keep, "sort": sort})
    if page.number > 1:
        current += f"&page={page.number}"
    context: dict[str, Any] = {
        "mine": mine,
        "filter_form": filter_form,
        "chosen": chosen,
        "budget_period": budget_period,
        "same_period": chosen.range == budget_period.days,
        "quick_links": [
            (key, label, _list_url(mine, urlencode({"period": key, **keep, "sort": sort})))
            for key, label in PRESETS
        ],
        "sort_links": {
            key: _list_url(
                mine,
                urlencode({**period_query, **keep, "sort": f"-{key}" if sort == key else key}),
            )
            for key in ("name", "number", "total")
        },
        "sort": sort,
        "query": query,
        "page_obj": page,
        "page_query": urlencode({**period_query, **keep, "sort": sort}),
        "rows": [
            _row(
                actor,
                e,
                figures.get(e.pk),
                kits.get(e.pk),
                budget_period,
                drill_query,
                mine,
                current,
            )
            for e in rows
        ],
        "page_total": sum((e.total for e in rows), ZERO),
        "exports": _export_links(
            "employees_export" if mine else "employees_all_export",
            urlencode({**period_query, **keep, "sort": sort}),
        ),
        "back": current,
        "add_form": add_form or _add_form(actor, mine=mine),
    }
    return render(request, "employees/employee_list.html", context, status=status)


def _row(
    actor: User,
    employee: Employee,
    figures: BudgetFigures | None,
    kit: EmployeeKit | None,
    budget_period: Period,
    drill_query: str,
    mine: bool,
    back: str,
) -> dict[str, Any]:
    """One employee of a list: their budget figures (with their period when it is not the
    company's current one), their kit and how much of it is used, the drill-down and, when the
    actor may change them, the edit page."""
    may_edit = roles.may_manage_employees(actor, employee)
    return {
        "employee": employee,
        "figures": figures,
        "kit": kit,
        "own_period": figures.period.label()
        if figures is not None and figures.period != budget_period
        else "",
        "drill_url": reverse("employee_purchases", args=[employee.pk]) + "?" + drill_query,
        "edit_url": _edit_url(employee, mine=mine, back=back) if may_edit else "",
    }


def _add(request: ActorRequest, *, mine: bool) -> HttpResponse:
    """POST of «Legg til ansatt» on either list: the employee is added and the list shown again
    (where it was); refused, the list shows the form open at the top with the error summary
    (which takes focus) and what was typed."""
    actor = request.user
    back = _clean_query(request.POST.get("back", ""))
    form = _add_form(actor, mine=mine, data=request.POST)
    if form.is_valid():
        try:
            employee = services.employee_create(
                actor=actor,
                name=form.cleaned_data["name"],
                number=form.cleaned_data["number"],
                email=form.cleaned_data["email"],
                supervisor_id=form.supervisor_id(),
            )
        except ServiceError as exc:
            refusal_to_form(form, exc)
        else:
            facts = {"name": employee.name, "number": employee.number}
            if employee.supervisor_id == actor.pk:
                message = _("%(name)s (%(number)s) is added to your employees.") % facts
            else:
                supervisor = employee.supervisor
                assert supervisor is not None
                message = _(
                    "%(name)s (%(number)s) is added, with %(supervisor)s as supervisor."
                ) % {
                    **facts,
                    "supervisor": supervisor.full_name or supervisor.email,
                }
            messages.success(request, message)
            return redirect(_list_url(mine, back))
    return _render_list(request, mine=mine, params=QueryDict(back), add_form=form, status=400)


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def employees_mine(request: ActorRequest) -> HttpResponse:
    """«Ansattliste»: the employees I supervise; POST adds one (supervised by me)."""
    _check_role(request.user)
    if request.method == "POST":
        return _add(request, mine=True)
    return _render_list(request, mine=True, params=request.GET)


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def employees_all(request: ActorRequest) -> HttpResponse:
    """«Alle ansatte»: every active employee of the company; POST adds one (a company admin
    names the supervisor)."""
    _check_role(request.user)
    if request.method == "POST":
        return _add(request, mine=False)
    return _render_list(request, mine=False, params=request.GET)


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def employee_update(request: ActorRequest, employee_id: int) -> HttpResponse:
    """«Endre»: a page of its own for one employee's name and number, their sizes (a POST
    with `form=sizes`) and deactivating them, for whoever may change them (others: 404). A
    refused change shows the form again, with the error and what was typed, at this same URL:
    a reload or a shared link opens the form.
    `list` and `back` (GET) say which list, with which query, to go back to."""
    actor = request.user
    employee = people_selectors.access_employee(actor=actor, employee_id=employee_id)
    roles.require(actor, lambda user: roles.may_manage_employees(user, employee))
    chosen_list = request.GET.get("list")
    mine = (
        chosen_list == "mine"
        if chosen_list in ("mine", "all")
        else (employee.supervisor_id == actor.pk)
    )
    back = _clean_query(request.GET.get("back", ""))
    edit_url = _edit_url(employee, mine=mine, back=back)
    profile = size_profile(actor=actor, employee_id=employee.pk)
    status = 200
    form = EmployeeForm(initial={"name": employee.name, "number": employee.number})
    sizes_form: SizesForm | None = SizesForm(profile=profile)
    if request.method == "POST" and request.POST.get("form") == "sizes":
        # «Størrelser»: saved, the page again with the sizes and the confirmation.
        sizes_form = sizes_post(request, profile)
        if sizes_form is None:
            messages.success(
                request, _("The sizes of %(name)s are saved.") % {"name": employee.name}
            )
            return redirect(edit_url)
        status = 400
    elif request.method == "POST":
        form = EmployeeForm(request.POST)
        if form.is_valid():
            try:
                employee = services.employee_update(
                    actor=actor,
                    employee_id=employee.pk,
                    name=form.cleaned_data["name"],
                    number=form.cleaned_data["number"],
                )
            except ServiceError as exc:
                refusal_to_form(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s (%(number)s) is saved.")
                    % {"name": employee.name, "number": employee.number},
                )
                return redirect(_list_url(mine, back))
        status = 400
    context = {
        "employee": employee,
        "form": form,
        "sizes_form": sizes_form,
        "mine": mine,
        "back": back,
        "back_url": _list_url(mine, back),
        "edit_url": edit_url,
        "kit_choice": employee_kit_choice(actor=actor, employee=employee),
        "no_kit": NO_KIT,
    }
    return render(request, "employees/employee_edit.html", context, status=status)


@portal_login_required
@post_only("employee_update")
def employee_deactivate(request: ActorRequest, employee_id: int) -> HttpResponse:
    """An employee who left (from the edit page): gone from the lists, history kept."""
    mine = request.POST.get("list") != "all"
    back = _clean_query(request.POST.get("back", ""))
    try:
        employee = services.employee_deactivate(actor=request.user, employee_id=employee_id)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "%(name)s is deactivated: no longer listed or chosen as recipient. "
                "Their orders stay."
            )
            % {"name": employee.name},
        )
    return redirect(_list_url(mine, back))


@portal_login_required
@require_safe
def employee_purchases(request: ActorRequest, employee_id: int) -> HttpResponse:
    """What one employee bought in the period, newest first, with the total of all of it."""
    actor = request.user
    _check_role(actor)
    form = PeriodForm(request.GET)
    chosen = form.chosen(actor, timezone.localdate())
    employee, lines = selectors.employee_purchases(
        actor=actor, employee_id=employee_id, period=chosen.range
    )
    total: Decimal = lines.aggregate(total=Sum("line_total"))["total"] or ZERO
    page = Paginator(lines.select_related("variant"), settings.KVOTE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = lines_shown(page.object_list)  # each line's picture: one query
    here = reverse("employee_purchases", args=[employee.pk])
    company = actor.company
    assert company is not None
    kit = kits_for_employees(company=company, employee_ids=[employee.pk]).get(employee.pk)
    context = {
        "employee": employee,
        "kit": kit,
        "form": form,
        "chosen": chosen,
        "quick_links": [
            (key, label, f"{here}?{urlencode({'period': key})}") for key, label in PRESETS
        ],
        "page_obj": page,
        "page_query": urlencode(chosen.query()),
        "total": total,
        "exports": _export_links(
            "employee_purchases_export", urlencode(chosen.query()), employee_id=employee.pk
        ),
        "sizes": profile_chosen(profile_sizes(sizes_of([employee.pk])[employee.pk])),
        "sizes_url": _edit_url(employee, mine=employee.supervisor_id == actor.pk, back="")
        + "#sizes"
        if roles.may_manage_employees(actor, employee)
        else "",
        "back_mine": employee.supervisor_id == actor.pk,
        "back_url": _list_url(employee.supervisor_id == actor.pk, urlencode(chosen.query())),
        # «Bestill igjen» of the employee's lines of each order on the page, for whom manages
        # the employee (kvote.checkout.selectors.reorder_lines).
        "orders": list({line.order_id: line.order for line in page.object_list}.values())
        if roles.may_manage_employees(actor, employee)
        else [],
    }
    return render(request, "employees/employee_purchases.html", context)
