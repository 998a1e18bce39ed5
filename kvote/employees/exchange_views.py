"""«Mine ansatte» as CSV and xlsx, and the employee import (upload → preview → confirm)."""

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from kvote.budgets.selectors import figures_for_employees
from kvote.common.exports import export_response
from kvote.common.http import portal_login_required
from kvote.employees.exchange import (
    MAX_IMPORT_BYTES,
    ImportFileError,
    ImportRow,
    bad_rows,
    employees_sheet,
    parse_employee_csv,
    purchases_sheet,
    validate_employee_rows,
)
from kvote.employees.periods import ChosenPeriod, PeriodError, parse_period
from kvote.employees.selectors import employee_list, employee_purchases
from kvote.employees.services import EmployeeImportError, employee_import
from kvote.kits.selectors import kits_for_employees
from kvote.people import roles
from kvote.people.models import User

SESSION_KEY = "kvote_employee_import"


def _actor(request: HttpRequest) -> User:
    """The logged-in supervisor or company admin; anyone else: 404."""
    actor = request.user
    assert isinstance(actor, User)
    roles.require(actor, roles.may_manage_employees)
    return actor


def _period(request: HttpRequest, actor: User) -> ChosenPeriod:
    """The period the page's export link carries (kvote.employees.periods: the same parser, the
    same default as the page)."""
    return parse_period(
        actor=actor,
        preset=request.GET.get("period", ""),
        first=request.GET.get("from", ""),
        last=request.GET.get("to", ""),
    )


def _bad_period(exc: PeriodError) -> HttpResponse:
    return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")


def _list_export(request: HttpRequest, *, fmt: str, mine: bool) -> HttpResponse:
    actor = _actor(request)
    try:
        chosen = _period(request, actor)
    except PeriodError as exc:
        return _bad_period(exc)
    employees = list(
        employee_list(
            actor=actor,
            mine=mine,
            period=chosen.range,
            query=request.GET.get("q", ""),
            sort=request.GET.get("sort", "name"),
        )
    )
    company = actor.company
    assert company is not None
    today = timezone.localdate()
    figures = figures_for_employees(
        company_id=company.pk, employee_ids=[e.pk for e in employees], on=today
    )
    kits = kits_for_employees(company=company, employee_ids=[e.pk for e in employees], on=today)
    name = _("employees") if mine else _("all employees")
    sheet = employees_sheet(
        employees,
        figures,
        budget_period=company.budget_period_of(today),
        chosen=chosen,
        kits=kits,
    )
    return export_response(sheet, fmt, name)


@portal_login_required
@require_safe
def employees_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """«Ansattliste» (the employees I supervise) as CSV or xlsx, with the list's filters."""
    return _list_export(request, fmt=fmt, mine=True)


@portal_login_required
@require_safe
def employees_all_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """«Alle ansatte» as CSV or xlsx, with the list's filters."""
    return _list_export(request, fmt=fmt, mine=False)


@portal_login_required
@require_safe
def employee_purchases_export(request: HttpRequest, employee_id: int, fmt: str) -> HttpResponse:
    """What one employee bought in the period, with a total row."""
    actor = _actor(request)
    try:
        chosen = _period(request, actor)
    except PeriodError as exc:
        return _bad_period(exc)
    employee, lines = employee_purchases(actor=actor, employee_id=employee_id, period=chosen.range)
    company = actor.company
    assert company is not None
    kit = kits_for_employees(company=company, employee_ids=[employee.pk]).get(employee.pk)
    name = _("employee %(number)s purchases") % {"number": employee.number}
    return export_response(purchases_sheet(lines, kit), fmt, name)


# --- Import ---------------------------------------------------------------------------------


class CsvUploadForm(forms.Form):
    """The file of one of the imports of «Mine ansatte»: refused above 1 MB, read by `parse`
    (its ImportFileError becomes the field's error), `help` under the field."""

    help: Any = ""
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.help

    def parse(self, content: bytes) -> Any:
        raise NotImplementedError

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        try:
            return self.parse(upload.read())
        except ImportFileError as exc:
            raise forms.ValidationError(exc.message) from exc


class ImportUploadForm(CsvUploadForm):
    help = gettext_lazy(
        "Columns: name, number, email, supervisor email. The first row names the columns. "
        "Comma or semicolon separated, UTF-8, at most 5 000 rows and 1 MB."
    )

    def parse(self, content: bytes) -> list[ImportRow]:
        return parse_employee_csv(content)


def _preview(request: HttpRequest, rows: list[ImportRow], *, stored: str = "") -> HttpResponse:
    bad = bad_rows(rows)
    return render(
        request,
        "employees/import_preview.html",
        {"rows": rows, "bad": bad, "count": len(rows), "token": stored},
    )


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def employees_import(request: HttpRequest) -> HttpResponse:
    """Step 1: upload → a preview of every row (nothing written). Step 2: confirm → all or none."""
    actor = _actor(request)
    if request.method == "POST" and "token" in request.POST:
        return _import_confirm(request, actor)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        rows = validate_employee_rows(actor=actor, rows=form.cleaned_data["file"])
        token = ""
        if not bad_rows(rows):
            token = uuid.uuid4().hex
            request.session[SESSION_KEY] = {
                "token": token,
                "user": actor.pk,
                "rows": [row.as_data() for row in rows],
            }
        else:
            request.session.pop(SESSION_KEY, None)
        return _preview(request, rows, stored=token)
    return render(request, "employees/import.html", {"form": form})


def _import_confirm(request: HttpRequest, actor: User) -> HttpResponse:
    stored = request.session.get(SESSION_KEY) or {}
    if stored.get("token") != request.POST.get("token") or stored.get("user") != actor.pk:
        messages.error(request, _("The preview has expired. Upload the file again."))
        return redirect("employees_import")
    rows = [ImportRow.from_data(data) for data in stored["rows"]]
    try:
        employees = employee_import(actor=actor, rows=rows)
    except EmployeeImportError:
        # The company changed since the preview: the rows now carry their reasons.
        request.session.pop(SESSION_KEY, None)
        return _preview(request, rows)
    request.session.pop(SESSION_KEY, None)
    messages.success(request, _("Imported %(count)s employees.") % {"count": len(employees)})
    return redirect("employees_import")
