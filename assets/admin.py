from django.contrib import admin

from assets.models import Asset, Depot
from assets.resources import AssetResource, DepotResource
from contracts.models import ContractItem
from rentalbridge.customfields.admin import CustomFieldValueInline
from rentalbridge.imports.admin import BulkImportExportMixin


@admin.register(Depot)
class DepotAdmin(BulkImportExportMixin, admin.ModelAdmin):
    resource_classes = [DepotResource]
    list_display = ["name", "external_reference", "city", "country", "latitude", "longitude"]
    list_filter = ["country"]
    search_fields = ["name", "external_reference", "city"]
    fieldsets = [
        (None, {"fields": ["name", "external_reference"]}),
        ("Address", {"fields": ["street", "postal_code", "city", "country"]}),
        ("Geometry", {"fields": ["latitude", "longitude", "polygon"]}),
        ("Trackunit", {"fields": ["trackunit_site_id", "created_at", "updated_at"]}),
    ]
    readonly_fields = ["trackunit_site_id", "created_at", "updated_at"]
    inlines = [CustomFieldValueInline]


class RentalHistoryInline(admin.TabularInline):
    """The asset's rentals, newest first, read-only: they are edited on their contract."""

    model = ContractItem
    fields = ["contract", "external_reference", "on_rent_date", "off_rent_date"]
    readonly_fields = fields
    ordering = ["-on_rent_date"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "rentals"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Asset)
class AssetAdmin(BulkImportExportMixin, admin.ModelAdmin):
    resource_classes = [AssetResource]
    list_display = [
        "name",
        "external_reference",
        "pin",
        "serial_number",
        "make",
        "model",
        "rental_status",
        "owning_depot",
        "operating_hours",
        "last_location_at",
    ]
    list_filter = ["rental_status", "asset_type", "owning_depot"]
    list_select_related = ["owning_depot"]
    search_fields = ["name", "external_reference", "=pin", "=serial_number"]
    autocomplete_fields = ["owning_depot"]
    # Counting 100,000 rows twice per page is the slow part of a big changelist.
    show_full_result_count = False
    list_per_page = 100
    fieldsets = [
        (None, {"fields": ["name", "external_reference", "asset_type", "rental_status", "owning_depot"]}),
        (
            "Identification",
            {"fields": ["identifier_type", "identifier", "pin", "serial_number", "make", "model"]},
        ),
        (
            "Telematics (from Trackunit)",
            {
                "fields": [
                    "operating_hours",
                    "operating_hours_at",
                    "last_latitude",
                    "last_longitude",
                    "last_altitude",
                    "last_location_at",
                ]
            },
        ),
        ("Trackunit", {"fields": ["trackunit_asset_id", "created_at", "updated_at"]}),
    ]
    readonly_fields = [
        "operating_hours",
        "operating_hours_at",
        "last_latitude",
        "last_longitude",
        "last_altitude",
        "last_location_at",
        "trackunit_asset_id",
        "created_at",
        "updated_at",
    ]
    inlines = [RentalHistoryInline, CustomFieldValueInline]
