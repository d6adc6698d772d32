from datetime import timedelta

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.utils import timezone
from django.utils.html import format_html

from assets.models import Asset, AssetReading, Depot
from assets.resources import AssetResource, DepotResource
from contracts.models import ContractItem
from rentalbridge.customfields.admin import CustomFieldValueInline
from rentalbridge.history_admin import ReadOnlyHistoryAdmin
from rentalbridge.imports.admin import BulkImportExportMixin


@admin.register(Depot)
class DepotAdmin(BulkImportExportMixin, ReadOnlyHistoryAdmin):
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
    fields = readonly_fields = ("contract", "external_reference", "on_rent_date", "off_rent_date")
    ordering = ["-on_rent_date"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "rentals"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class NoReadingFilter(admin.SimpleListFilter):
    """Machines that went quiet: no telematics reading for N days (or none at all)."""

    title = "telematics"
    parameter_name = "no_reading_for"
    DAYS = (1, 7, 30)

    def lookups(self, request, model_admin):
        return [(str(days), f"No reading for {days} day{'s' if days > 1 else ''}") for days in self.DAYS] + [
            ("never", "Never read")
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "never":
            return queryset.filter(telematics_at__isnull=True)
        if value in {str(days) for days in self.DAYS}:
            cutoff = timezone.now() - timedelta(days=int(value))
            return queryset.exclude(telematics_at__gte=cutoff)
        return queryset


HOURS_CHART_POINTS = 400


# What the daily pull writes: shown on the asset, never typed in.
TELEMATICS_FIELDS = [
    "telematics_at",
    "operating_hours",
    "operating_hours_at",
    "map_link",
    "last_location_at",
    "last_altitude",
    "idle_hours",
    "fuel_used_litres",
    "fuel_remaining_percent",
    "odometer_km",
    "engine_running",
]


@admin.register(Asset)
class AssetAdmin(BulkImportExportMixin, ReadOnlyHistoryAdmin):
    resource_classes = [AssetResource]
    # Rental status and sync status first, so they stay on screen at 1400 px; the rest may scroll.
    list_display = [
        "name",
        "external_reference",
        "rental_status",
        "pin",
        "serial_number",
        "owning_depot",
        "make",
        "model",
        "operating_hours",
    ]
    sync_column_after = "rental_status"
    list_filter = ["rental_status", "asset_type", "owning_depot", NoReadingFilter]
    list_select_related = ["owning_depot"]
    # Any part of a PIN or serial number (from a machine plate) finds the asset: contains, not equals.
    # On PostgreSQL trigram indexes serve these searches (migration in assets/migrations).
    search_fields = ["name", "external_reference", "pin", "serial_number"]
    search_help_text = "Name, reference, PIN or serial number, or any part of them."
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
            {"fields": TELEMATICS_FIELDS},
        ),
        ("Trackunit", {"fields": ["trackunit_asset_id", "created_at", "updated_at"]}),
    ]
    readonly_fields = [*TELEMATICS_FIELDS, "trackunit_asset_id", "created_at", "updated_at"]
    inlines = [RentalHistoryInline, CustomFieldValueInline]
    change_form_template = "admin/assets/asset/change_form.html"

    @admin.display(description="last position")
    def map_link(self, asset: Asset) -> str:
        if asset.last_latitude is None or asset.last_longitude is None:
            return "—"
        lat, lon = asset.last_latitude, asset.last_longitude
        url = f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=15/{lat}/{lon}"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener" id="asset-map-link">{}, {} on the map</a>',
            url,
            lat,
            lon,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        asset = self.get_object(request, unquote(object_id))
        chart = _hours_chart(asset) if asset is not None else []
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "hours_chart": chart}
        )


def _hours_chart(asset: Asset) -> list[dict]:
    """The operating hours of the asset's readings, oldest first, as the chart on its page draws them."""
    readings = (
        AssetReading.objects.filter(asset=asset)
        .exclude(operating_hours=None)
        .order_by("-observed_at")
        .values_list("operating_hours_at", "operating_hours", "flag")[:HOURS_CHART_POINTS]
    )
    return [
        {"at": at.isoformat(), "hours": float(hours), "flagged": bool(flag)}
        for at, hours, flag in reversed(list(readings))
        if at is not None and hours is not None
    ]
