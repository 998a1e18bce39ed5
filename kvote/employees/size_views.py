"""Sizes: «Mine størrelser» (a user's own, from Min side), an employee's sizes on their edit page
in «Mine ansatte» (the same form and service), and the sizes of «Mine ansatte» in and out of a
spreadsheet (export as a template to fill in, import from CSV: all or nothing)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from kvote.catalog.services import employee_sizes_set
from kvote.catalog.size_profiles import SizeProfile, SizesError, own_size_profile
from kvote.catalog.sizes import size_groups, sizes_of
from kvote.common.errors import not_found
from kvote.common.exports import export_response
from kvote.common.http import portal_login_required
from kvote.employees.exchange_views import CsvUploadForm
from kvote.employees.forms import SizesForm
from kvote.employees.services import SizesImportError, employee_sizes_import
from kvote.employees.size_exchange import (
    SizeRow,
    parse_sizes_csv,
    sizes_sheet,
)
from kvote.people import roles
from kvote.people.http import ActorRequest
from kvote.people.models import Employee, User


def sizes_post(request: ActorRequest, profile: SizeProfile) -> SizesForm | None:
    """The POST of a sizes form (Min side, an employee's edit page): saved → None (the caller
    says so and redirects); refused → the form with each error at its group and what was
    chosen kept."""
    form = SizesForm(request.POST, profile=profile)
    if form.is_valid():
        try:
            employee_sizes_set(
                actor=request.user, employee_id=profile.employee.pk, sizes=form.changes()
            )
        except SizesError as exc:
            form.refused(exc)
        else:
            return None
    return form


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_sizes(request: ActorRequest) -> HttpResponse:
    """«Mine størrelser»: the user's own sizes, for a user with an employee record (others:
    404)."""
    profile = own_size_profile(actor=request.user)
    if profile is None:
        raise not_found()
    form: SizesForm | None = SizesForm(profile=profile)
    status = 200
    if request.method == "POST":
        form = sizes_post(request, profile)
        if form is None:
            messages.success(request, _("Your sizes are saved."))
            return redirect("my_sizes")
        status = 400
    return render(
        request, "employees/my_sizes.html", {"profile": profile, "form": form}, status=status
    )


# --- «Mine ansatte»: the sizes in and out of a spreadsheet -----------------------------------


def _manager(request: HttpRequest) -> User:
    actor = request.user
    assert isinstance(actor, User)
    roles.require(actor, roles.may_manage_employees)
    return actor


def _sized(actor: User) -> list[Employee]:
    """The active employees whose sizes the actor keeps, by name: one query."""
    employees = roles.sized_employees(actor, Employee.objects.filter(is_active=True))
    return list(employees.order_by("name", "number", "pk"))


@portal_login_required
@require_safe
def sizes_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The sizes of the employees whose sizes the actor keeps, one column per size group: the
    template the import reads. Three queries besides the session's."""
    employees = _sized(_manager(request))
    sheet = sizes_sheet(employees, sizes_of(e.pk for e in employees), size_groups())
    return export_response(sheet, fmt, _("employee sizes"))


class SizesUploadForm(CsvUploadForm):
    help = gettext_lazy(
        "Columns: employee number, and one column per size group, named as in the export "
        "(“Shoes (EU)”) or by its key (“shoes”). Comma or semicolon separated, UTF-8, at most "
        "5 000 rows and 1 MB."
    )

    def parse(self, content: bytes) -> list[SizeRow]:
        return parse_sizes_csv(content)


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def sizes_import(request: HttpRequest) -> HttpResponse:
    """Upload → every row checked and, when all are good, every size saved at once; else
    nothing is, and each bad cell is listed («Row 3, Shoes (EU): 49 is not in the catalogue…»)."""
    actor = _manager(request)
    form = SizesUploadForm(request.POST or None, request.FILES or None)
    bad: list[SizeRow] = []
    if request.method == "POST" and form.is_valid():
        try:
            count = employee_sizes_import(actor=actor, rows=form.cleaned_data["file"])
        except SizesImportError as exc:
            bad = exc.rows
        else:
            messages.success(
                request, _("Saved the sizes of %(count)s employees.") % {"count": count}
            )
            return redirect("sizes_import")
    status = 400 if request.method == "POST" else 200
    errors = [error for row in bad for error in row.errors]
    context = {"form": form, "bad": bad, "errors": errors, "groups": size_groups()}
    return render(request, "employees/sizes_import.html", context, status=status)
