from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.urls import reverse

from contracts.models import Contract, ContractItem, ContractStatus
from contracts.overlaps import clashes_of_items, lock_assets, overlap_messages, period_of_item
from contracts.resources import ContractItemResource, ContractResource
from rentalbridge.customfields.admin import CustomFieldValueInline
from rentalbridge.history_admin import ReadOnlyHistoryAdmin
from rentalbridge.imports.admin import BulkImportExportMixin

if TYPE_CHECKING:  # django-stubs-ext is a dev dependency: only the type checker reads it
    from django_stubs_ext import WithAnnotations


class _ItemCount(TypedDict):
    item_count: int


class ContractItemFormSet(BaseInlineFormSet):
    """Checks the submitted items against each other, which no single item's clean() can see.

    Each item's own clean() already checks it against the items stored on other contracts.
    """

    def full_clean(self) -> None:
        # Lock every submitted asset at once, in id order, before the items check themselves one by one:
        # locking item by item, in form order, could deadlock with a save of the same assets in another order.
        lock_assets(_submitted_asset_ids(self.forms))
        super().full_clean()

    def clean(self) -> None:
        super().clean()
        if any(self.errors) or self.instance.status != ContractStatus.OPEN:
            return
        items = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.instance.asset_id
        ]
        messages = overlap_messages([period_of_item(item) for item in items], against_stored=False)
        if messages:
            raise ValidationError(messages)


def _submitted_asset_ids(forms) -> list[int]:
    """The asset ids as posted; anything that is not an id is left to the form's own validation."""
    ids = []
    for form in forms:
        raw = form["asset"].data if form.is_bound and "asset" in form.fields else None
        if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 18:  # fits a bigint
            ids.append(int(raw))
    return ids


def _overlap_clashes(contract: Contract, inline_admin_formsets) -> list[dict]:
    """The posted items' clashes, each with a link to the other contract (none when it is this one)."""
    if contract.status != ContractStatus.OPEN:
        return []
    items = [
        form.instance
        for inline in inline_admin_formsets
        if isinstance(inline.formset, ContractItemFormSet)
        for form in inline.formset.forms
        if form.is_bound
        and not getattr(form, "cleaned_data", {}).get("DELETE")
        and form.instance.asset_id
        and form.instance.on_rent_date
    ]
    clashes = clashes_of_items(items) if items else []
    others = {other.contract_reference for _, other in clashes} - {contract.external_reference}
    pks = dict(Contract.objects.filter(external_reference__in=others).values_list("external_reference", "pk"))
    return [
        {
            "asset": here.asset_label,
            "here": here.item_text(),
            "other_contract": other.contract_reference,
            "other_url": (
                reverse("admin:contracts_contract_change", args=[pks[other.contract_reference]])
                if other.contract_reference in pks
                else None
            ),
            "there": other.item_text(),
        }
        for here, other in clashes
    ]


class ContractItemInline(admin.StackedInline):
    model = ContractItem
    formset = ContractItemFormSet
    extra = 0
    autocomplete_fields = ["asset", "hiring_depot"]
    fieldsets = [
        (None, {"fields": [("external_reference", "asset"), ("on_rent_date", "off_rent_date")]}),
        (
            "Rate and logistics",
            {
                "fields": [
                    ("rate_amount", "rate_currency", "rate_period"),
                    "hiring_depot",
                    ("delivery_address", "pickup_address"),
                ]
            },
        ),
    ]


@admin.register(Contract)
class ContractAdmin(BulkImportExportMixin, ReadOnlyHistoryAdmin):
    resource_classes = [ContractResource]
    list_display = ["external_reference", "customer", "status", "start_date", "end_date", "item_count"]
    sync_column_after = "status"
    list_filter = ["status", ("customer", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["customer"]
    search_fields = ["external_reference", "customer__name", "customer__external_reference"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["customer"]
    readonly_fields = ["trackunit_id", "created_at", "updated_at"]
    inlines = [ContractItemInline, CustomFieldValueInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count("items"))

    @admin.display(description="items", ordering="item_count")
    def item_count(self, contract: "WithAnnotations[Contract, _ItemCount]") -> int:
        return contract.item_count

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The overlap errors sit at each item, far below the page's banner: name them at the top as well.
        if context.get("errors"):
            context["overlap_clashes"] = _overlap_clashes(
                context["adminform"].form.instance, context.get("inline_admin_formsets", [])
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(ContractItem)
class ContractItemAdmin(BulkImportExportMixin, ReadOnlyHistoryAdmin):
    resource_classes = [ContractItemResource]
    list_display = [
        "external_reference",
        "contract",
        "contract_status",
        "asset",
        "on_rent_date",
        "off_rent_date",
        "rate",
        "hiring_depot",
    ]
    sync_column_after = "contract_status"
    list_filter = ["contract__status", "hiring_depot", "rate_period"]
    list_select_related = ["contract", "asset", "hiring_depot"]
    search_fields = [
        "external_reference",
        "contract__external_reference",
        "asset__external_reference",
        "asset__name",
        # Any part of the PIN or serial number off a machine plate, as on the asset list (contains, served
        # by the assets' trigram indexes on PostgreSQL).
        "asset__pin",
        "asset__serial_number",
    ]
    search_help_text = (
        "Item, contract or asset reference, asset name, or any part of its PIN or serial number."
    )
    autocomplete_fields = ["contract", "asset", "hiring_depot"]
    date_hierarchy = "on_rent_date"
    show_full_result_count = False

    @admin.display(description="rental status", ordering="contract__status")
    def contract_status(self, item: ContractItem) -> str:
        return item.contract.get_status_display()

    @admin.display(description="rental rate", ordering="rate_amount")
    def rate(self, item: ContractItem) -> str:
        if item.rate_amount is None:
            return "—"
        return f"{item.rate_amount} {item.rate_currency} {item.get_rate_period_display()}".strip()
