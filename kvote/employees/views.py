"""«Mine ansatte»: Ansattliste and Alle ansatte with what each bought, the drill-down, and adding,
editing and deactivating employees. Supervisors and company admins only (others: 404)."""

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

from kvote.budgets.selectors import figures_for_employees
from kvote.common.errors import ServiceError
from kvote.common.http import portal_login_required, post_only, refusal_to_form
from kvote.common.money import ZERO
from kvote.employees import selectors
from kvote.employees.forms import (
    EmployeeAddForm,
    EmployeeForm,
    EmployeeListForm,
    PeriodForm,
)
from kvote.employees.periods import PRESETS
from kvote.people import roles, services
from kvote.people import selectors as people_selectors
from kvote.people.http import ActorRequest
from kvote.people.models import User


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
    """A list's query string from a hidden field, re-encoded (never a URL of its own)."""
    return QueryDict(raw[:2000]).urlencode()


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
    filter_form = EmployeeListForm(params)
    chosen = filter_form.chosen(actor, timezone.localdate())
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
    figures = figures_for_employees(company_id=company.pk, employee_ids=[e.pk for e in rows])
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
            {
                "employee": e,
                "figures": figures.get(e.pk),
                "drill_url": reverse("employee_purchases", args=[e.pk]) + "?" + drill_query,
                "may_edit": roles.may_manage_employees(actor, e),
            }
            for e in rows
        ],
        "page_total": sum((e.total for e in rows), ZERO),
        "name_label": EmployeeForm.base_fields["name"].label,
        "number_label": EmployeeForm.base_fields["number"].label,
        "exports": _export_links(
            "employees_export" if mine else "employees_all_export",
            urlencode({**period_query, **keep, "sort": sort}),
        ),
        "back": current,
        "add_form": add_form or (EmployeeAddForm(auto_id="id_add_%s") if mine else None),
    }
    return render(request, "employees/employee_list.html", context, status=status)


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def employees_mine(request: ActorRequest) -> HttpResponse:
    """«Ansattliste»: the employees I supervise; POST adds one (supervised by me)."""
    _check_role(request.user)
    if request.method != "POST":
        return _render_list(request, mine=True, params=request.GET)
    back = _clean_query(request.POST.get("back", ""))
    form = EmployeeAddForm(request.POST, auto_id="id_add_%s")
    if form.is_valid():
        try:
            employee = services.employee_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                number=form.cleaned_data["number"],
                email=form.cleaned_data["email"],
            )
        except ServiceError as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s (%(number)s) is added to your employees.")
                % {"name": employee.name, "number": employee.number},
            )
            return redirect(_list_url(True, back))
    return _render_list(request, mine=True, params=QueryDict(back), add_form=form, status=400)


@portal_login_required
@require_safe
def employees_all(request: ActorRequest) -> HttpResponse:
    """«Alle ansatte»: every active employee of the company."""
    _check_role(request.user)
    return _render_list(request, mine=False, params=request.GET)


@portal_login_required
@post_only("employees_mine")
def employee_update(request: ActorRequest, employee_id: int) -> HttpResponse:
    """Edit one employee's name and number. Errors show the form again with what was typed."""
    employee = people_selectors.access_employee(actor=request.user, employee_id=employee_id)
    mine = request.POST.get("list") != "all"
    back = _clean_query(request.POST.get("back", ""))
    form = EmployeeForm(request.POST, auto_id=f"id_e{employee.pk}_%s")
    if form.is_valid():
        try:
            employee = services.employee_update(
                actor=request.user,
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
    context = {"employee": employee, "form": form, "mine": mine, "back": back}
    context["back_url"] = _list_url(mine, back)
    return render(request, "employees/employee_edit.html", context, status=400)


@portal_login_required
@post_only("employees_mine")
def employee_deactivate(request: ActorRequest, employee_id: int) -> HttpResponse:
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
    page = Paginator(lines, settings.KVOTE_PAGE_SIZE).get_page(request.GET.get("page"))
    here = reverse("employee_purchases", args=[employee.pk])
    context = {
        "employee": employee,
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
        "back_mine": employee.supervisor_id == actor.pk,
        "back_url": _list_url(employee.supervisor_id == actor.pk, urlencode(chosen.query())),
    }
    return render(request, "employees/employee_purchases.html", context)
