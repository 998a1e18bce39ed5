"""«Utstyrspakker»: company admins define the company's kits (name and items), delete them and
read each kit's change log; «Tildel utstyrspakke»: company admins and supervisors give the
employees they are responsible for a kit, many at once or one at a time (from the employee's
edit page in «Mine ansatte»), and read an employee's change log.

Thin: the rules are kvote.kits.items and kvote.kits.services; the reads kvote.kits.definitions.
To anyone whose role does not reach a page it does not exist (404), as another company's ids.
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from kvote.common.errors import ServiceError
from kvote.common.http import (
    first_error,
    parse_id,
    portal_login_required,
    post_only,
    safe_next,
)
from kvote.kits import definitions, services
from kvote.kits.forms import (
    EMPTY_ROWS,
    AssignFilterForm,
    KitChoiceForm,
    KitForm,
    KitItemFormSet,
    items_of,
)
from kvote.kits.items import KitInputError
from kvote.kits.models import Kit
from kvote.people import roles
from kvote.people.http import ActorRequest

# A service's item field → the row's form field.
_ROW_FIELDS = {"product_number": "product", "category": "category", "quantity": "quantity"}


@portal_login_required
@require_safe
def kit_list(request: ActorRequest) -> HttpResponse:
    roles.require(request.user, roles.may_define_kits)
    rows = definitions.kit_rows(actor=request.user)
    return render(request, "kits/list.html", {"rows": rows})


def _formset(request: ActorRequest, initial: list[dict[str, Any]] | None = None) -> Any:
    categories = definitions.category_choices()
    data = request.POST if request.method == "POST" else None
    return KitItemFormSet(
        data, initial=initial, prefix="items", form_kwargs={"categories": categories}
    )


def _more_rows(formset: Any, request: ActorRequest) -> Any:
    """The same rows with EMPTY_ROWS more (the «More rows» button, without JavaScript)."""
    data = request.POST.copy()
    total = int(formset.management_form.cleaned_data["TOTAL_FORMS"]) + EMPTY_ROWS
    data["items-TOTAL_FORMS"] = str(min(total, KitItemFormSet.absolute_max))
    return KitItemFormSet(
        data, prefix="items", form_kwargs={"categories": definitions.category_choices()}
    )


def _show_refusal(form: KitForm, formset: Any, rows: list[int], exc: ServiceError) -> None:
    """A service's refusal at the field it names: the name, or the row and field of an item
    (`items.<n>.<field>`, n counting the items given), else above the form."""
    fields = exc.fields if isinstance(exc, KitInputError) else {exc.field or "": exc.message}
    for field, message in fields.items():
        parts = field.split(".")
        index = parse_id(parts[1]) if len(parts) == 3 else None
        if field == "name":
            form.add_error("name", message)
        elif index is not None and index < len(rows) and parts[2] in _ROW_FIELDS:
            formset.forms[rows[index]].add_error(_ROW_FIELDS[parts[2]], message)
        else:
            form.add_error(None, message)


def _kit_form_page(request: ActorRequest, kit: Kit | None) -> HttpResponse:
    actor = request.user
    if kit is None:
        form, formset = KitForm(request.POST or None), _formset(request)
    else:
        row = definitions.kit_row(actor=actor, kit_id=kit.pk)
        initial = [
            {
                "product": item.product_number or "",
                "category": item.category or "",
                "quantity": str(item.quantity),
            }
            for item in row.items
        ]
        form = KitForm(request.POST or None, initial={"name": kit.name})
        formset = _formset(request, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if formset.is_valid() and "more_rows" in request.POST:
            formset, status = _more_rows(formset, request), 200
        elif form.is_valid() and formset.is_valid():
            items, rows = items_of(formset)
            try:
                if kit is None:
                    kit = services.kit_create(
                        actor=actor, name=form.cleaned_data["name"], items=items
                    )
                    done = _("The kit “%(name)s” is created.")
                else:
                    kit = services.kit_update(
                        actor=actor, kit_id=kit.pk, name=form.cleaned_data["name"], items=items
                    )
                    done = _("The kit “%(name)s” is saved.")
            except ServiceError as exc:
                _show_refusal(form, formset, rows, exc)
            else:
                messages.success(request, done % {"name": kit.name})
                return redirect("kits:list")
    context = {
        "kit": kit,
        "form": form,
        "formset": formset,
        "products": definitions.product_choices(actor=actor),
    }
    return render(request, "kits/form.html", context, status=status)


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def kit_create(request: ActorRequest) -> HttpResponse:
    roles.require(request.user, roles.may_define_kits)
    return _kit_form_page(request, None)


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def kit_update(request: ActorRequest, kit_id: int) -> HttpResponse:
    kit = definitions.access_kit(actor=request.user, kit_id=kit_id)
    return _kit_form_page(request, kit)


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def kit_delete(request: ActorRequest, kit_id: int) -> HttpResponse:
    """A confirmation page; its POST deletes the kit (the employees who had it have none)."""
    row = definitions.kit_row(
        actor=request.user, kit_id=definitions.access_kit(actor=request.user, kit_id=kit_id).pk
    )
    if request.method == "POST":
        holders = services.kit_delete(actor=request.user, kit_id=row.kit.pk)
        messages.success(
            request,
            ngettext(
                "The kit “%(name)s” is deleted; %(count)d employee no longer has a kit.",
                "The kit “%(name)s” is deleted; %(count)d employees no longer have a kit.",
                holders,
            )
            % {"name": row.kit.name, "count": holders},
        )
        return redirect("kits:list")
    return render(request, "kits/delete.html", {"row": row})


@portal_login_required
@require_safe
def kit_history(request: ActorRequest, kit_id: int) -> HttpResponse:
    history = definitions.kit_history(actor=request.user, kit_id=kit_id)
    return render(request, "kits/history.html", {"history": history})


def _assigned_message(assigned: services.KitAssigned) -> str:
    count = len(assigned.employees)
    if assigned.kit is None:
        return ngettext(
            "%(count)d employee now has no kit.", "%(count)d employees now have no kit.", count
        ) % {"count": count}
    return ngettext(
        "%(count)d employee now has the kit “%(kit)s”.",
        "%(count)d employees now have the kit “%(kit)s”.",
        count,
    ) % {"count": count, "kit": assigned.kit.name}


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def kit_assign(request: ActorRequest) -> HttpResponse:
    """«Tildel utstyrspakke»: tick employees (searchable, paginated) and choose a kit or «No
    kit». All or nothing. The search and page are kept through the POST."""
    actor = request.user
    roles.require(actor, roles.may_assign_kits)
    query = AssignFilterForm(request.GET).query()
    kits = definitions.kit_choices(actor=actor)
    form = KitChoiceForm(request.POST if request.method == "POST" else None, kits=kits)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                assigned = services.kit_assign_many(
                    actor=actor, employee_ids=form.chosen_ids, kit_id=form.kit_id()
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _assigned_message(assigned))
                return redirect(request.get_full_path())
    page = definitions.assign_page(actor=actor, query=query, page_number=request.GET.get("page"))
    context = {
        "form": form,
        "kits": kits,
        "page_obj": page,
        "filter_form": AssignFilterForm({"q": query}),
        "query": query,
        "page_query": urlencode({"q": query}) if query else "",
        "list_url": reverse("kits:assign"),
        "action_url": request.get_full_path(),
        "chosen_ids": set(form.chosen_ids),
    }
    return render(request, "kits/assign.html", context, status=status)


@portal_login_required
@post_only("kits:employee_history")
def employee_kit_set(request: ActorRequest, employee_id: int) -> HttpResponse:
    """One employee's kit, from their edit page in «Mine ansatte» (`next`: back there)."""
    actor = request.user
    employee = definitions.access_kit_employee(actor=actor, employee_id=employee_id)
    back = safe_next(request, request.POST.get("next")) or reverse(
        "kits:employee_history", args=[employee.pk]
    )
    form = KitChoiceForm(request.POST, kits=definitions.kit_choices(actor=actor))
    if form.is_valid():
        try:
            assigned = services.kit_assign(
                actor=actor, employee_id=employee.pk, kit_id=form.kit_id()
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            kit = assigned.kit
            messages.success(
                request,
                _("%(name)s now has the kit “%(kit)s”.") % {"name": employee.name, "kit": kit.name}
                if kit
                else _("%(name)s now has no kit.") % {"name": employee.name},
            )
    else:
        messages.error(
            request,
            _("The kit of %(name)s is not changed: %(reason)s")
            % {"name": employee.name, "reason": first_error(form.errors)},
        )
    return redirect(back)


@portal_login_required
@require_safe
def employee_kit_history(request: ActorRequest, employee_id: int) -> HttpResponse:
    history = definitions.employee_kit_history(actor=request.user, employee_id=employee_id)
    return render(request, "kits/employee_history.html", {"history": history})
