from django.contrib import admin
from django.db import models

from customers.models import Customer, CustomerContact
from customers.resources import CustomerContactResource, CustomerResource
from rentalbridge.customfields.admin import CustomFieldValueInline
from rentalbridge.history_admin import ReadOnlyHistoryAdmin
from rentalbridge.imports.admin import BulkImportExportMixin


class CustomerContactInline(admin.TabularInline):
    model = CustomerContact
    extra = 1
    fields = ["name", "role", "email", "phone"]


@admin.register(Customer)
class CustomerAdmin(BulkImportExportMixin, ReadOnlyHistoryAdmin):
    resource_classes = [CustomerResource]
    list_display = ["name", "external_reference", "type", "city", "phone", "email"]
    sync_column_after = "type"
    list_filter = ["type", "country"]
    search_fields = ["name", "external_reference", "email"]
    fieldsets = [
        (None, {"fields": ["name", "external_reference", "type"]}),
        ("Address", {"fields": ["street", "postal_code", "city", "country"]}),
        ("Reach", {"fields": ["phone", "email", "web_address"]}),
        ("Trackunit", {"fields": ["trackunit_id", "created_at", "updated_at"]}),
    ]
    readonly_fields = ["trackunit_id", "created_at", "updated_at"]
    inlines = [CustomerContactInline, CustomFieldValueInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(CustomerContact)
class CustomerContactAdmin(BulkImportExportMixin, ReadOnlyHistoryAdmin):
    resource_classes = [CustomerContactResource]
    list_display = ["name", "customer", "role", "email", "phone"]
    sync_column_after = "role"
    list_select_related = ["customer"]
    search_fields = ["name", "email", "customer__name", "customer__external_reference"]
    autocomplete_fields = ["customer"]
    list_filter = ["customer__type"]
