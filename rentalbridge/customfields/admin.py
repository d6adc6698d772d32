from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline

from rentalbridge.customfields import rules
from rentalbridge.customfields.models import ENTITY_MODELS, CustomFieldDefinition, CustomFieldValue
from rentalbridge.customfields.resources import CustomFieldDefinitionResource, CustomFieldValueResource
from rentalbridge.history_admin import ReadOnlyHistoryAdmin
from rentalbridge.imports.admin import BulkImportExportMixin


class CustomFieldValueForm(forms.ModelForm):
    """Staff type values as text ("yes", "2026-05-01", "red, blue"); the definition decides what it means."""

    value = forms.CharField(required=False, help_text="Multi-select: separate options with commas.")

    class Meta:
        model = CustomFieldValue
        fields = ["definition", "value"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["value"] = rules.to_text(self.instance.value, self.instance.definition.type)

    def clean(self) -> dict:
        cleaned = super().clean()
        assert cleaned is not None, "ModelForm.clean always returns cleaned_data"
        definition = cleaned.get("definition")
        if definition is not None:
            try:
                cleaned["value"] = rules.from_text(definition.rules, cleaned.get("value") or "")
            except rules.RuleViolation as exc:
                self.add_error("value", f"{definition.title}: {exc.message}")
        return cleaned


class CustomFieldValueInline(GenericTabularInline):
    """The custom-field values of the record on the page; only definitions for its entity type are offered."""

    model = CustomFieldValue
    form = CustomFieldValueForm
    extra = 0
    verbose_name = "custom field"
    verbose_name_plural = "custom fields"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "definition":
            opts = self.parent_model._meta
            entity = next(
                (e for e, key in ENTITY_MODELS.items() if key == (opts.app_label, opts.model_name)), None
            )
            kwargs["queryset"] = CustomFieldDefinition.objects.filter(entity_type=entity)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(CustomFieldDefinition)
class CustomFieldDefinitionAdmin(BulkImportExportMixin, ReadOnlyHistoryAdmin):
    resource_classes = [CustomFieldDefinitionResource]
    list_display = ["key", "title", "entity_type", "type", "scope", "ui_visible", "ui_editable"]
    sync_column_after = "type"
    list_filter = ["entity_type", "type", "scope"]
    search_fields = ["key", "title"]
    fieldsets = [
        (None, {"fields": ["entity_type", "key", "title", "description", "type"]}),
        (
            "Type settings",
            {
                "fields": [
                    "multi_select",
                    "options",
                    "value_replacements",
                    "currency",
                    "minimum",
                    "maximum",
                    "is_integer",
                    "unit_si",
                    "unit_us",
                    "min_length",
                    "max_length",
                    "pattern",
                    "default_string_value",
                ]
            },
        ),
        ("In Trackunit", {"fields": ["ui_visible", "ui_editable", "scope", "trackunit_id"]}),
    ]
    readonly_fields = ["trackunit_id"]

    def get_readonly_fields(self, request, obj=None):
        # Trackunit never lets a field change type; the form should not pretend otherwise.
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "type", "key"] if obj else readonly


@admin.register(CustomFieldValue)
class CustomFieldValueAdmin(BulkImportExportMixin, ReadOnlyHistoryAdmin):
    resource_classes = [CustomFieldValueResource]
    list_display = ["definition", "content_type", "object_id", "value", "updated_at"]
    list_filter = ["definition__entity_type", "definition"]
    list_select_related = ["definition", "content_type"]
    search_fields = ["definition__key"]
    show_full_result_count = False
