"""The back office's one guard against hostile input (issue 13): no 500 from /admin/.

Django's admin hands request values to the database in three places without asking whether
the column can hold them; each answered 500 to the form fuzzer (tests/fuzz/):

- a changelist action's `_selected_action` ids (`queryset.filter(pk__in=...)`);
- the autocomplete widget of a foreign key (or many-to-many) field, which looks up the posted
  value to show it again when the form has errors (`pk__in=...`);
- a changelist's lookup parameters that pass the filter but not the compiler
  (`?placed_at__gte=0001-01-01`: OverflowError when the date is converted).

`HardenedAdmin` closes the three for a ModelAdmin and its inlines; `KvoteAdminSite` (the
project's `admin.site`, installed by kvote.common.apps.KvoteAdminConfig) puts it in front of
every admin class registered, ours and third-party ones (axes, auth), so no admin can forget it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import EmptyResultSet, FullResultSet, ValidationError
from django.db import connections
from django.db.models import Field, Model, QuerySet
from django.forms import Field as FormField
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

# The errors a value the column cannot hold raises when a query is built or compiled.
BAD_VALUE = (ValueError, TypeError, OverflowError, ValidationError)


def fits(field: Field[Any, Any], value: object, using: str = "default") -> bool:
    """Whether `value` (as posted) is one the column of `field` can hold: its type's
    `to_python` takes it and, for an integer column, it lies in the database's range."""
    try:
        python = field.to_python(value)
        if python is None:
            return False
        field.get_db_prep_value(field.get_prep_value(python), connections[using])
    except BAD_VALUE:
        return False
    if isinstance(python, int):
        try:
            low, high = connections[using].ops.integer_field_range(field.get_internal_type())
        except KeyError:  # not an integer column
            return True
        return (low is None or python >= low) and (high is None or python <= high)
    return True


def fitting(field: Field[Any, Any], values: Iterable[object], using: str = "default") -> list[Any]:
    """The values of `values` the column of `field` can hold (the others are dropped)."""
    return [v for v in values if fits(field, v, using)]


def _target(db_field: Any) -> Field[Any, Any]:
    """The field a relation points at (its `to_field`, else the pk)."""
    remote = db_field.remote_field
    name = getattr(remote, "field_name", None) or remote.model._meta.pk.name
    target: Field[Any, Any] = remote.model._meta.get_field(name)
    return target


class _AutocompleteFits:
    """An autocomplete widget that shows again only the values its target column can hold
    (Django's looks up every posted value with `__in` and crashes on one that is no id)."""

    field: Any
    db: str | None

    def optgroups(self, name: str, value: Sequence[Any], attr: Any = None) -> Any:
        kept = fitting(_target(self.field), value, self.db or "default")
        return super().optgroups(name, kept, attr)  # type: ignore[misc]


class FittingAutocompleteSelect(_AutocompleteFits, AutocompleteSelect):
    pass


class FittingAutocompleteSelectMultiple(_AutocompleteFits, AutocompleteSelectMultiple):
    pass


class FittingModelMultipleChoiceField(ModelMultipleChoiceField):
    """A many-to-many field whose ids the target column cannot hold are its error: Django's
    checks each id only by building a filter, so one beyond the integer range reaches the
    database (OverflowError on SQLite)."""

    def _check_values(self, value: Any) -> QuerySet[Any]:
        queryset = self.queryset
        if isinstance(value, (list, tuple)) and queryset is not None:
            key = self.to_field_name or queryset.model._meta.pk.name
            field = queryset.model._meta.get_field(key)
            for pk in value:
                if not fits(field, pk, queryset.db):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)  # type: ignore[misc]


class HardenedFields:
    """Form fields of a ModelAdmin or an inline whose relation widgets never query with a
    value the target column cannot hold: a bad id is the field's error, not a crash."""

    admin_site: admin.AdminSite

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> FormField | None:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):  # type: ignore[attr-defined]
            kwargs["widget"] = FittingAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> FormField | None:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):  # type: ignore[attr-defined]
            kwargs["widget"] = FittingAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        kwargs.setdefault("form_class", FittingModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class HardenedChangeList(ChangeList):
    """A changelist whose queryset is compiled before it is used: lookup values the columns
    cannot hold (NUL included) are `IncorrectLookupParameters`, which Django answers with a
    redirect to `?e=1` (where HardenedAdmin says so), as for any other wrong filter."""

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet[Any]:
        try:
            # Django's own parsing of the date hierarchy (`?placed_at__year=`) lets an
            # OverflowError through; the compiler raises those of the values it converts.
            qs = super().get_queryset(request, exclude_parameters)
            _sql, params = qs.query.sql_with_params()
        except (EmptyResultSet, FullResultSet):
            pass  # a filter that matches nothing (or everything) is no error
        except (ValueError, OverflowError, ValidationError) as exc:
            raise IncorrectLookupParameters(exc) from exc
        else:
            # PostgreSQL's text cannot hold NUL: psycopg refuses it only when the query runs.
            if any(isinstance(p, str) and "\x00" in p for p in params):
                raise IncorrectLookupParameters("NUL in a lookup value")
        return qs


def hardened(cls: type[Any], mixin: type[Any]) -> type[Any]:
    """`cls` with `mixin` in front (itself if it has it already), made once per class."""
    if issubclass(cls, mixin):
        return cls
    made = _MADE.get((cls, mixin))
    if made is None:
        made = type(cls.__name__, (mixin, cls), {"__module__": cls.__module__})
        _MADE[(cls, mixin)] = made
    return made


_MADE: dict[tuple[type[Any], type[Any]], type[Any]] = {}


class HardenedAdmin(HardenedFields):
    """The mixin KvoteAdminSite puts in front of every ModelAdmin (see the module's text)."""

    model: type[Model]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        base = super().get_changelist(request, **kwargs)  # type: ignore[misc]
        return hardened(base, HardenedChangeList)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Django sends a filter it cannot use back to `?e=1` and says nothing there.
        if request.method == "GET" and list(request.GET) == [ERROR_FLAG]:
            self.message_user(  # type: ignore[attr-defined]
                request,
                _("The filter could not be used: the list is shown without it."),
                messages.ERROR,
            )
        return super().changelist_view(request, extra_context)  # type: ignore[misc]

    def get_inlines(self, request: HttpRequest, obj: Model | None) -> list[type[Any]]:
        inlines = super().get_inlines(request, obj)  # type: ignore[misc]
        return [hardened(inline, HardenedFields) for inline in inlines]

    def response_action(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        """Only the selected ids the pk column can hold reach the action; when none is left,
        Django does nothing and says "Items must be selected…", as for a selection of none."""
        name = helpers.ACTION_CHECKBOX_NAME
        selected = request.POST.getlist(name)
        kept = fitting(self.model._meta.pk, selected, queryset.db)
        if len(kept) != len(selected):
            post = request.POST.copy()
            post.setlist(name, kept)
            request.POST = post  # type: ignore[assignment]
        return super().response_action(request, queryset)  # type: ignore[misc]


class KvoteAdminSite(admin.AdminSite):
    """The back office: every admin class registered gets HardenedAdmin in front."""

    def register(
        self,
        model_or_iterable: Any,
        admin_class: type[admin.ModelAdmin[Any]] | None = None,
        **options: Any,
    ) -> None:
        admin_class = hardened(admin_class or admin.ModelAdmin, HardenedAdmin)
        super().register(model_or_iterable, admin_class, **options)
