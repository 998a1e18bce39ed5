"""Back office: the catalogue's and the customer price lists' imports (issue 15).

Supplier staff (kvote.catalog.access.may_manage_catalogue, nobody else) upload a CSV, XLSX or
JSON file, see what it would change (new, changed with old → new, deactivated, and every bad
row), and apply it; a large file is read and applied in the job queue while the import's page
shows how far it has come. Every import stays as the history (who, when, file, counts).

The pages only parse and render: kvote.catalog.imports reads, checks and applies the file.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kvote.catalog.access import may_manage_catalogue
from kvote.catalog.errors import CatalogueError
from kvote.catalog.imports import catalogue_rows, price_lists
from kvote.catalog.imports.exports import catalogue_sheet, price_list_sheet
from kvote.catalog.imports.selectors import access_import, import_progress
from kvote.catalog.imports.services import import_apply, import_start
from kvote.catalog.models import CatalogueImport, ImportKind, ImportMode, ImportStatus
from kvote.common.admin import fits
from kvote.common.errors import NotFound, ServiceError
from kvote.common.exports import FORMATS, export_response
from kvote.people.models import User

TEMPLATES = "admin/catalog/catalogueimport/"
# While these last, the import's page shows a progress bar and reloads itself.
RUNNING = (ImportStatus.QUEUED, ImportStatus.APPLYING)
# Kept as history: an import being read, applied or applied is never deleted.
KEPT = (ImportStatus.QUEUED, ImportStatus.APPLYING, ImportStatus.APPLIED)
CHANGE_KINDS = ("new", "changed", "deactivated")
# The modes as the history's narrow column names them.
MODE_SHORT: dict[str, Any] = {
    ImportMode.UPSERT: gettext_lazy("Add and change"),
    ImportMode.FULL: gettext_lazy("Full"),
}


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: Any  # a lazy translation, or ""


# What each column holds, for the upload page (the columns themselves, and which are required,
# are the import's: kvote.catalog.imports.catalogue_rows and .price_lists).
COLUMN_HELP: dict[str, dict[str, Any]] = {
    ImportKind.CATALOGUE: {
        "product_number": gettext_lazy("the product's number"),
        "product_name": gettext_lazy("name in Norwegian"),
        "product_name_en": gettext_lazy("name in English"),
        "category": gettext_lazy("name or slug; a new one is created"),
        "description": gettext_lazy("description"),
        "description_en": gettext_lazy("description in English"),
        "item_number": gettext_lazy("one per colour and size"),
        "colour": gettext_lazy("colour in Norwegian"),
        "colour_en": gettext_lazy("colour in English"),
        "colour_hex": gettext_lazy("for example #1f3a5f"),
        "size": gettext_lazy("size"),
        "size_order": gettext_lazy("whole number: where the size sorts"),
        "list_price": gettext_lazy("excl. VAT, for example 499.00"),
        "stock": gettext_lazy("whole number"),
        "restock_date": gettext_lazy("YYYY-MM-DD"),
        "lead_time_days": gettext_lazy("days, for items not in stock"),
        "image_urls": gettext_lazy("web addresses, separated by spaces"),
        "active": gettext_lazy("true or false"),
    },
    ImportKind.PRICE_LIST: {
        "customer_number": gettext_lazy("the customer company's number"),
        "item_number": gettext_lazy("an item number, or else:"),
        "product_number": gettext_lazy("a product number (all its items)"),
        "price": gettext_lazy("agreed price excl. VAT"),
        "valid_from": gettext_lazy("YYYY-MM-DD; empty: from now"),
        "valid_to": gettext_lazy("YYYY-MM-DD; empty: until further notice"),
    },
}
# The worker's phases (kvote.catalog.imports.progress) as the progress bar names them.
PHASES: dict[str, Any] = {
    "reading": gettext_lazy("reading"),
    "checking": gettext_lazy("checking"),
    "writing": gettext_lazy("writing"),
}


def columns(kind: str) -> list[Column]:
    names, required = (
        (catalogue_rows.COLUMNS, catalogue_rows.REQUIRED)
        if kind == ImportKind.CATALOGUE
        else (price_lists.COLUMNS, price_lists.REQUIRED)
    )
    return [Column(n, n in required, COLUMN_HELP[kind].get(n, "")) for n in names]


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("The file holds"),
        choices=ImportKind.choices,
        initial=ImportKind.CATALOGUE,
        widget=forms.RadioSelect,
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Mode"),
        choices=ImportMode.choices,
        initial=ImportMode.UPSERT,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8, comma or semicolon), Excel (.xlsx) or JSON rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.json"}),
    )


@dataclass
class ChangeRow:
    """One entry of a preview's changes, as the page shows it, whatever keys it came with."""

    key: str
    summary: str = ""
    fields: list[tuple[str, str, str]] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ChangeSection:
    name: str
    title: str
    rows: list[ChangeRow]
    total: int

    @property
    def cut(self) -> bool:
        return self.total > len(self.rows)

    @property
    def has_details(self) -> bool:
        return any(row.summary or row.fields or row.details for row in self.rows)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def change_row(entry: object) -> ChangeRow:
    if not isinstance(entry, dict):
        return ChangeRow(key=_text(entry))
    fields = [
        (_text(f.get("field")), _text(f.get("old")), _text(f.get("new")))
        for f in entry.get("fields") or []
        if isinstance(f, dict)
    ]
    item = _text(entry.get("item_number") or entry.get("product_number"))
    customer = _text(entry.get("customer_number"))
    key = _text(entry.get("key")) or (f"{customer} / {item}" if customer else item)
    shown_as_key = {"key", "customer_number", "item_number"} | (
        {"product_number"} if not entry.get("item_number") else set()
    )
    details = [
        (str(name), _text(value))
        for name, value in entry.items()
        if name not in {"summary", "fields", "row", *shown_as_key}
        and not isinstance(value, (dict, list))
        and _text(value)
    ]
    return ChangeRow(
        key=key,
        summary=_text(entry.get("summary")),
        fields=fields,
        details=details,
    )


def change_sections(imp: CatalogueImport) -> list[ChangeSection]:
    changes = imp.changes if isinstance(imp.changes, dict) else {}
    titles = {
        "new": _("New"),
        "changed": _("Changed"),
        "deactivated": (_("Removed") if imp.kind == ImportKind.PRICE_LIST else _("Deactivated")),
    }
    sections = []
    for name in CHANGE_KINDS:
        entries = changes.get(name) or []
        rows = [change_row(e) for e in entries] if isinstance(entries, list) else []
        total = max(_count(imp, name), len(rows))
        if rows:  # a preview that lists none (a file with bad rows) has only its counts
            sections.append(ChangeSection(name, titles[name], rows, total))
    return sections


def _count(imp: CatalogueImport, name: str) -> int:
    counts = imp.counts if isinstance(imp.counts, dict) else {}
    value = counts.get(name)
    return value if isinstance(value, int) else 0


def _moment(value: datetime | None) -> str:
    if value is None:
        return "-"
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _person(user: Model | None) -> str:
    if user is None:
        return "-"
    return str(getattr(user, "full_name", "") or getattr(user, "email", "") or user)


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the admin's pages have a logged-in user
    return user


def status_badge(imp: CatalogueImport) -> str:
    return format_html(
        '<span class="kvote-import-status kvote-import-status--{}">{}</span>',
        imp.status,
        imp.get_status_display(),
    )


@admin.register(CatalogueImport)
class CatalogueImportAdmin(admin.ModelAdmin):
    """The history (changelist), the upload form (add view) and each import's page (change
    view, read-only, with its Apply button)."""

    list_display = (
        "file",
        "kind",
        "mode_shown",
        "status_shown",
        "new",
        "changed",
        "deactivated",
        "errors_found",
        "uploaded_by",
        "uploaded_at",
        "applied_by_shown",
        "applied_at_shown",
    )
    list_display_links = ("file",)
    list_filter = ("kind", "status")
    list_select_related = ("created_by", "applied_by")
    search_fields = ("filename",)
    ordering = ("-created_at", "-id")
    actions = None
    change_list_template = TEMPLATES + "change_list.html"

    # --- who may: the supplier's staff, nobody else -----------------------------------------

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_manage_catalogue(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return may_manage_catalogue(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may_manage_catalogue(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # an import is changed only by applying it

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if not may_manage_catalogue(request.user):
            return False
        return obj is None or getattr(obj, "status", None) not in KEPT

    def delete_model(self, request: HttpRequest, obj: CatalogueImport) -> None:
        source = obj.source
        super().delete_model(request, obj)
        if source:
            source.delete(save=False)

    # --- the history's columns --------------------------------------------------------------

    @admin.display(description=gettext_lazy("file name"), ordering="filename")
    def file(self, imp: CatalogueImport) -> str:
        return imp.filename or "-"

    @admin.display(description=gettext_lazy("mode"), ordering="mode")
    def mode_shown(self, imp: CatalogueImport) -> str:
        return str(MODE_SHORT.get(imp.mode, imp.get_mode_display()))

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_shown(self, imp: CatalogueImport) -> str:
        return status_badge(imp)

    @admin.display(description=gettext_lazy("new"))
    def new(self, imp: CatalogueImport) -> int:
        return _count(imp, "new")

    @admin.display(description=gettext_lazy("changed"))
    def changed(self, imp: CatalogueImport) -> int:
        return _count(imp, "changed")

    @admin.display(description=gettext_lazy("deactivated or removed"))
    def deactivated(self, imp: CatalogueImport) -> int:
        return _count(imp, "deactivated")

    @admin.display(description=gettext_lazy("bad rows"))
    def errors_found(self, imp: CatalogueImport) -> int:
        return _count(imp, "errors")

    @admin.display(description=gettext_lazy("uploaded by"), ordering="created_by__full_name")
    def uploaded_by(self, imp: CatalogueImport) -> str:
        return _person(imp.created_by)

    @admin.display(description=gettext_lazy("uploaded"), ordering="created_at")
    def uploaded_at(self, imp: CatalogueImport) -> str:
        return _moment(imp.created_at)

    @admin.display(description=gettext_lazy("applied by"), ordering="applied_by__full_name")
    def applied_by_shown(self, imp: CatalogueImport) -> str:
        return _person(imp.applied_by)

    @admin.display(description=gettext_lazy("applied at"), ordering="applied_at")
    def applied_at_shown(self, imp: CatalogueImport) -> str:
        return _moment(imp.applied_at)

    # --- the pages ---------------------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "export/<str:kind>/<str:fmt>/",
                wrap(self.export_view),
                name="{}_{}_export".format(*info),
            ),
            path(
                "<path:object_id>/apply/",
                wrap(self.apply_view),
                name="{}_{}_apply".format(*info),
            ),
            *super().get_urls(),
        ]

    def _url(self, view: str, *args: object) -> str:
        return reverse(f"admin:catalog_catalogueimport_{view}", args=args)

    def _exports(self) -> list[dict[str, str]]:
        """The download links of the catalogue and the price lists, to edit and import back."""
        names = {
            ImportKind.CATALOGUE: _("Export catalogue"),
            ImportKind.PRICE_LIST: _("Export price lists"),
        }
        return [
            {"kind": kind, "label": names[kind], "fmt": fmt, "url": self._url("export", kind, fmt)}
            for kind in (ImportKind.CATALOGUE, ImportKind.PRICE_LIST)
            for fmt in ("csv", "xlsx")
        ]

    def _refuse_unless_allowed(self, request: HttpRequest) -> None:
        if not may_manage_catalogue(request.user):
            raise PermissionDenied

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._refuse_unless_allowed(request)
        context = {"exports": self._exports(), **(extra_context or {})}
        return super().changelist_view(request, context)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The upload form: kind, mode and file; the file is read (or queued to be) at once."""
        self._refuse_unless_allowed(request)
        if request.method == "POST":
            form = ImportUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    imp = import_start(
                        actor=_actor(request),
                        kind=ImportKind(form.cleaned_data["kind"]),
                        mode=ImportMode(form.cleaned_data["mode"]),
                        file=upload,
                        filename=upload.name or "",
                    )
                except ServiceError as exc:
                    form.add_error("file", exc.message)
                else:
                    return HttpResponseRedirect(self._url("change", imp.pk))
        else:
            kind = request.GET.get("kind")
            form = ImportUploadForm(initial={"kind": kind} if kind in ImportKind.values else None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import a file"),
            "form": form,
            "columns": [
                {"kind": kind, "label": ImportKind(kind).label, "columns": columns(kind)}
                for kind in (ImportKind.CATALOGUE, ImportKind.PRICE_LIST)
            ],
            "modes": [
                {
                    "label": ImportMode.UPSERT.label,
                    "text": _(
                        "Adds what is new and changes what differs. What the file does not hold "
                        "is left as it is."
                    ),
                },
                {
                    "label": ImportMode.FULL.label,
                    "text": _(
                        "Also deactivates the item numbers (for a price list: removes the agreed "
                        "prices of the customers in the file) that the file no longer holds. Use "
                        "it with a complete export from your system."
                    ),
                },
            ],
            "exports": self._exports(),
            **(extra_context or {}),
        }
        return TemplateResponse(request, TEMPLATES + "upload.html", context)

    def _import(self, request: HttpRequest, object_id: str) -> CatalogueImport | None:
        """The import `object_id` names, or None when there is no such import."""
        self._refuse_unless_allowed(request)
        if not fits(self.opts.pk, object_id):
            return None
        try:
            return access_import(actor=_actor(request), import_id=int(object_id))
        except NotFound:
            return None
        except ServiceError as exc:
            if exc.code == CatalogueError.NOT_ALLOWED:
                raise PermissionDenied from exc
            return None

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The import's page: its preview, its bad rows, its progress, its Apply button."""
        imp = self._import(request, object_id)
        if imp is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
        running = imp.status in RUNNING
        progress = import_progress(catalogue_import=imp) if running else None
        counts = [
            (_("rows"), _count(imp, "rows")),
            (_("new"), _count(imp, "new")),
            (_("changed"), _count(imp, "changed")),
            (_("unchanged"), _count(imp, "unchanged")),
            (
                _("removed") if imp.kind == ImportKind.PRICE_LIST else _("deactivated"),
                _count(imp, "deactivated"),
            ),
            (_("bad rows"), _count(imp, "errors")),
        ]
        if imp.kind == ImportKind.CATALOGUE:
            counts.insert(2, (_("new products"), _count(imp, "new_products")))
        bad_rows = [
            {
                "row": _text(e.get("row")),
                "column": _text(e.get("column")),
                "message": _text(e.get("message")),
            }
            for e in (imp.errors if isinstance(imp.errors, list) else [])
            if isinstance(e, dict)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": imp.filename or str(imp),
            "imp": imp,
            "status": status_badge(imp),
            "running": running,
            "progress": progress,
            "phase": PHASES.get(progress.phase, progress.phase) if progress else "",
            "waiting": progress is None or progress.total <= 0,
            "counts": counts if imp.counts else [],
            "bad_rows": bad_rows,
            "bad_total": max(_count(imp, "errors"), len(bad_rows)),
            "sections": change_sections(imp),
            "can_apply": imp.status == ImportStatus.PREVIEWED,
            "full": imp.mode == ImportMode.FULL,
            "to_deactivate": _count(imp, "deactivated"),
            "price_list": imp.kind == ImportKind.PRICE_LIST,
            "uploaded_by": _person(imp.created_by),
            "uploaded_at": _moment(imp.created_at),
            "applied_by": _person(imp.applied_by),
            "applied_at": _moment(imp.applied_at),
            "apply_url": self._url("apply", imp.pk),
            "delete_url": (
                self._url("delete", imp.pk) if self.has_delete_permission(request, imp) else ""
            ),
            "history_url": self._url("changelist"),
            "upload_url": self._url("add") + f"?kind={imp.kind}",
            **(extra_context or {}),
        }
        return TemplateResponse(request, TEMPLATES + "import.html", context)

    def apply_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST: apply the import's preview (at once, or in the job queue for a large file)."""
        imp = self._import(request, object_id)
        if imp is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
        if request.method == "POST":
            try:
                done = import_apply(actor=_actor(request), import_id=imp.pk)
            except ServiceError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                if done.status == ImportStatus.APPLIED:
                    self.message_user(request, _("The file was applied."), messages.SUCCESS)
                else:
                    self.message_user(
                        request,
                        _("The file is being applied: this page shows how far it has come."),
                        messages.INFO,
                    )
        return HttpResponseRedirect(self._url("change", imp.pk))

    def export_view(self, request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
        """The catalogue or the customer price lists as a file to edit and import back."""
        self._refuse_unless_allowed(request)
        if kind not in ImportKind.values or fmt not in FORMATS:
            raise Http404
        if kind == ImportKind.CATALOGUE:
            return export_response(catalogue_sheet(), fmt, _("catalogue"))
        return export_response(price_list_sheet(), fmt, _("price lists"))


# The changelist template of an admin with ImportLinks.
LINKED_CHANGE_LIST = TEMPLATES + "linked_change_list.html"


class ImportLinks:
    """A changelist (products, agreed prices) with a button to the import of its kind; the
    admin sets `change_list_template = LINKED_CHANGE_LIST`."""

    import_kind: str

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        link = None
        if may_manage_catalogue(request.user):
            label = (
                _("Import catalogue")
                if self.import_kind == ImportKind.CATALOGUE
                else _("Import price list")
            )
            url = reverse("admin:catalog_catalogueimport_add") + f"?kind={self.import_kind}"
            link = {"url": url, "label": label}
        context = {"import_link": link, **(extra_context or {})}
        return super().changelist_view(request, context)  # type: ignore[misc]
