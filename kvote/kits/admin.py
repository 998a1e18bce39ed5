"""Back office: kits with their items, who has which kit, and the change log (read-only).

The same rules as the portal (kvote.kits.items: a product or a category, never both nor twice,
a quantity from 1 to 999, a name no other kit of the company has; an employee's kit from the
employee's own company, and nobody sets their own), shown as form errors before anything is
saved; every save is logged like the portal's (kvote.kits.services)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from kvote.common.errors import ServiceError
from kvote.kits.items import KitItemIn, kit_items_check, kit_name_check, name_taken
from kvote.kits.models import Kit, KitAssignment, KitChange, KitItem
from kvote.kits.services import (
    kit_back_office_assign,
    kit_back_office_delete,
    kit_back_office_logged,
    kit_text_of,
)
from kvote.people.models import User


class KitForm(forms.ModelForm):
    class Meta:
        model = Kit
        fields = ("company", "name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        company = cleaned.get("company") or getattr(self.instance, "company", None)
        name = cleaned.get("name")
        if company is None or name is None:
            return cleaned
        try:
            cleaned["name"] = kit_name_check(name)
            taken = name_taken(company_id=company.pk, name=cleaned["name"], kit_id=self.instance.pk)
            if taken is not None:
                raise taken
        except ServiceError as exc:
            self.add_error("name", exc.message)
        return cleaned


class KitItemFormSet(forms.BaseInlineFormSet):
    """The items of one kit, checked together by kvote.kits.items."""

    def clean(self) -> None:
        super().clean()
        kit = self.instance
        if any(self.errors) or kit.company_id is None:
            return
        kept = [f.instance.product_id for f in self.forms if f.instance.product_id]
        items = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if not data or data.get("DELETE"):
                continue
            product, category = data.get("product"), data.get("category")
            items.append(
                KitItemIn(
                    product_number=product.code if product else "",
                    category=category.slug if category else "",
                    quantity=data.get("quantity") or "",
                )
            )
        try:
            kit_items_check(
                actor=None, company_id=kit.company_id, items=items, kept_product_ids=kept
            )
        except ServiceError as exc:
            fields = getattr(exc, "fields", {exc.field: exc.message})
            raise forms.ValidationError(list(dict.fromkeys(fields.values()))) from exc


class KitItemInline(admin.TabularInline):
    model = KitItem
    formset = KitItemFormSet
    fields = ("product", "category", "quantity")
    autocomplete_fields = ("product", "category")
    extra = 1


@admin.register(Kit)
class KitAdmin(admin.ModelAdmin):
    form = KitForm
    list_display = ("name", "company")
    list_filter = ("company",)
    list_select_related = ("company",)
    search_fields = ("name", "company__name")
    ordering = ("company__name", "name")
    inlines = (KitItemInline,)

    def delete_model(self, request: HttpRequest, obj: Kit) -> None:
        assert isinstance(request.user, User)
        kit_back_office_delete(actor=request.user, kit=obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, so each deletion is logged
        return actions

    def get_readonly_fields(self, request: HttpRequest, obj: Kit | None = None) -> tuple[str, ...]:
        return ("company",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Kit, form: forms.Form, change: bool) -> None:
        request._kit_before = kit_text_of(obj.pk) if change else ""  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        items = formset.save(commit=False)
        for item in formset.deleted_objects:
            item.delete()
        for item in items:
            item.company_id = form.instance.company_id  # an item belongs to its kit's company
            item.save()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        assert isinstance(request.user, User)
        kit_back_office_logged(
            actor=request.user,
            kit=form.instance,
            before=request._kit_before,  # type: ignore[attr-defined]
        )


class KitAssignmentForm(forms.ModelForm):
    actor: User  # who saves: set by KitAssignmentAdmin.get_form

    class Meta:
        model = KitAssignment
        fields = ("employee", "kit")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        employee, kit = cleaned.get("employee"), cleaned.get("kit")
        if employee is not None and kit is not None:
            try:
                kit_back_office_assign(actor=self.actor, employee=employee, kit=kit, check=True)
            except ServiceError as exc:
                raise forms.ValidationError(exc.message) from exc
        return cleaned


@admin.register(KitAssignment)
class KitAssignmentAdmin(admin.ModelAdmin):
    form = KitAssignmentForm
    list_display = ("employee", "kit", "company")
    list_filter = ("company",)
    list_select_related = ("employee", "kit", "company")
    search_fields = ("employee__name", "employee__number", "kit__name")
    autocomplete_fields = ("employee", "kit")
    fields = ("employee", "kit")

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> "type[forms.ModelForm[Any]]":
        form = super().get_form(request, obj, change, **kwargs)
        assert isinstance(request.user, User)
        form.actor = request.user  # type: ignore[attr-defined]
        return form

    def get_readonly_fields(
        self, request: HttpRequest, obj: KitAssignment | None = None
    ) -> tuple[str, ...]:
        return ("employee",) if obj is not None else ()

    def save_model(
        self, request: HttpRequest, obj: KitAssignment, form: forms.Form, change: bool
    ) -> None:
        assert isinstance(request.user, User)
        kit_back_office_assign(actor=request.user, employee=obj.employee, kit=obj.kit)

    def delete_model(self, request: HttpRequest, obj: KitAssignment) -> None:
        assert isinstance(request.user, User)
        kit_back_office_assign(actor=request.user, employee=obj.employee, kit=None)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return obj is not None  # one at a time, so each removal is logged

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(KitChange)
class KitChangeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "company", "kind", "kit", "employee", "actor", "before", "after")
    list_filter = ("company", "kind")
    list_select_related = ("company", "kit", "employee", "actor")
    search_fields = ("kit__name", "employee__name", "employee__number", "actor__email")
    ordering = ("-created_at", "-id")
    fields = list_display
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # changes are written when a kit changes, never made up

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
