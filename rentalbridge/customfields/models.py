"""Custom-field definitions and the values they hold on assets, depots, customers and contracts.

Definitions mirror Trackunit's Custom Fields API; values attach to any local record through a generic
relation, because the same definition mechanism extends several apps (which must not import each other).
"""

from decimal import Decimal

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q

from rentalbridge.customfields import rules
from rentalbridge.customfields.changes import adapt_values
from rentalbridge.customfields.standard import standard_mismatch
from rentalbridge.history import RecordHistory


class EntityType(models.TextChoices):
    ASSET = "ASSET", "Asset"
    ACCOUNT = "ACCOUNT", "Account"
    GROUP = "GROUP", "Group"
    SITE = "SITE", "Site (depot)"
    CUSTOMER = "CUSTOMER", "Customer"
    RENTAL_CONTRACT = "RENTAL_CONTRACT", "Rental contract"


# The local record each entity type's values hang on; accounts and groups have none in RentalBridge.
ENTITY_MODELS: dict[str, tuple[str, str]] = {
    EntityType.ASSET: ("assets", "asset"),
    EntityType.SITE: ("assets", "depot"),
    EntityType.CUSTOMER: ("customers", "customer"),
    EntityType.RENTAL_CONTRACT: ("contracts", "contract"),
}


class FieldType(models.TextChoices):
    BOOLEAN = rules.BOOLEAN, "Boolean"
    DATE = rules.DATE, "Date"
    DROPDOWN = rules.DROPDOWN, "Dropdown"
    EMAIL = rules.EMAIL, "E-mail"
    MONETARY = rules.MONETARY, "Monetary"
    NUMBER = rules.NUMBER, "Number"
    PHONE_NUMBER = rules.PHONE_NUMBER, "Phone number"
    STRING = rules.STRING, "String"
    WEB_ADDRESS = rules.WEB_ADDRESS, "Web address"
    JSON = rules.JSON, "JSON"


class Scope(models.TextChoices):
    ACCOUNT = "ACCOUNT", "Account"
    ACCOUNT_WRITE_GLOBAL_READ = "ACCOUNT_WRITE_GLOBAL_READ", "Account write, global read"
    GLOBAL = "GLOBAL", "Global"


class CustomFieldDefinition(models.Model):
    entity_type = models.CharField(max_length=16, choices=EntityType.choices)
    key = models.CharField(
        max_length=100,
        unique=True,
        validators=[
            # Trackunit's own standard keys include a hyphen (oem-licensed).
            RegexValidator(r"^[A-Za-z][A-Za-z0-9_-]*$", "Letters, digits, _ and -; start with a letter.")
        ],
        help_text="Trackunit's key for the field; unique, never changes. Values are set by this key. "
        "A key of one of Trackunit's standard asset fields (e.g. licensePlate) stands for that field.",
    )
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    type = models.CharField(
        max_length=16, choices=FieldType.choices, help_text="Cannot be changed once the definition exists."
    )
    multi_select = models.BooleanField(default=False, help_text="Dropdowns: allow several options.")
    options = models.JSONField(default=list, blank=True, help_text="Dropdowns: the allowed values.")
    currency = models.CharField(
        max_length=3,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code, e.g. EUR.")],
        help_text="Monetary fields: ISO 4217 code.",
    )
    minimum = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    maximum = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    unit_si = models.CharField(
        "unit (metric)", max_length=32, blank=True, help_text="Number fields: unit for metric users, e.g. L."
    )
    unit_us = models.CharField(
        "unit (US)", max_length=32, blank=True, help_text="Number fields: unit for US users, e.g. gal."
    )
    is_integer = models.BooleanField(
        "whole numbers only", default=False, help_text="Number fields; not together with a unit."
    )
    min_length = models.PositiveIntegerField(null=True, blank=True, help_text="String fields.")
    max_length = models.PositiveIntegerField(null=True, blank=True, help_text="String fields.")
    pattern = models.CharField(
        max_length=255,
        blank=True,
        help_text="String fields: a regular expression in RE2 syntax (Trackunit's) the whole value matches.",
    )
    default_string_value = models.CharField(
        max_length=255, blank=True, help_text="String fields: Trackunit's default value."
    )
    value_replacements = models.JSONField(
        default=dict,
        blank=True,
        help_text='Dropdowns: when options are removed, the option each one becomes, e.g. {"Old": "New"}. '
        "Values holding a removed option change to its replacement here and in Trackunit.",
    )
    ui_visible = models.BooleanField("visible in Trackunit", default=True)
    ui_editable = models.BooleanField("editable in Trackunit", default=True)
    scope = models.CharField(max_length=32, choices=Scope.choices, default=Scope.ACCOUNT)
    trackunit_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = RecordHistory(bookkeeping=["trackunit_id", "created_at", "updated_at"])

    class Meta:
        permissions = [
            ("import_customfielddefinition", "Can import custom-field definitions from CSV"),
            ("export_customfielddefinition", "Can export custom-field definitions to CSV/XLSX"),
        ]
        ordering = ["entity_type", "key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(entity_type__in=EntityType.values), name="cfdef_entity_type_valid"
            ),
            models.CheckConstraint(condition=Q(type__in=FieldType.values), name="cfdef_type_valid"),
            models.CheckConstraint(condition=Q(scope__in=Scope.values), name="cfdef_scope_valid"),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True) | Q(maximum__isnull=True) | Q(minimum__lte=F("maximum")),
                name="cfdef_minimum_not_above_maximum",
                violation_error_message="The minimum cannot be above the maximum.",
            ),
            models.CheckConstraint(
                condition=Q(max_length__isnull=True) | Q(max_length__gt=0), name="cfdef_max_length_positive"
            ),
            models.CheckConstraint(
                condition=Q(min_length__isnull=True)
                | Q(max_length__isnull=True)
                | Q(min_length__lte=F("max_length")),
                name="cfdef_min_length_not_above_max",
                violation_error_message="The minimum length cannot be above the maximum length.",
            ),
            models.CheckConstraint(
                condition=Q(is_integer=False) | (Q(unit_si="") & Q(unit_us="")),
                name="cfdef_integer_without_unit",
                violation_error_message="A whole-number field cannot have a unit (Trackunit's rule).",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.key})"

    def save(self, *args, **kwargs) -> None:
        stored = self._stored()
        # Trackunit never lets a field's type or key change; guard every write path, not only the forms.
        if stored is not None and stored.type != self.type:
            raise ValidationError({"type": "The type of a custom field cannot change after it is created."})
        if stored is not None and stored.key != self.key:
            raise ValidationError({"key": "The key of a custom field cannot change after it is created."})
        super().save(*args, **kwargs)
        if stored is not None and stored.rules != self.rules:
            adapt_values(self, self.value_replacements or {})

    def _stored(self) -> "CustomFieldDefinition | None":
        return CustomFieldDefinition.objects.filter(pk=self.pk).first() if self.pk else None

    def clean(self) -> None:
        if not isinstance(self.options, list) or not all(isinstance(o, str) for o in self.options):
            raise ValidationError({"options": "Options are a list of texts."})
        stored = self._stored()
        if stored is not None and stored.type != self.type:
            raise ValidationError({"type": "The type of a custom field cannot change after it is created."})
        if stored is not None and stored.key != self.key:
            raise ValidationError({"key": "The key of a custom field cannot change after it is created."})
        mismatch = standard_mismatch(self.key, self.type, self.entity_type)
        if mismatch:
            raise ValidationError({"key": mismatch})
        if stored is not None and self.type == FieldType.DROPDOWN:
            self._check_replacements(stored)
        if self.type and self.key:
            try:
                rules.check_definition(self.rules)
            except rules.RuleViolation as exc:
                field = exc.rule if exc.rule in {"options", "currency", "minimum", "pattern"} else "type"
                raise ValidationError({field: exc.message}) from exc

    @property
    def rules(self) -> rules.FieldRules:
        return rules.FieldRules(
            key=self.key,
            type=self.type,
            options=tuple(self.options or ()),
            multi_select=self.multi_select,
            minimum=_decimal_or_none(self.minimum),
            maximum=_decimal_or_none(self.maximum),
            max_length=self.max_length,
            min_length=self.min_length,
            pattern=self.pattern,
            currency=self.currency,
            is_integer=self.is_integer,
            unit_si=self.unit_si,
            unit_us=self.unit_us,
        )

    def removed_options(self, previous: list[str]) -> list[str]:
        return [option for option in previous if option not in (self.options or [])]

    def _check_replacements(self, stored: "CustomFieldDefinition") -> None:
        """Trackunit refuses to drop an option without "a valid replacement value" (custom-field-intro.md)."""
        replacements = self.value_replacements if isinstance(self.value_replacements, dict) else {}
        missing = [
            option
            for option in self.removed_options(stored.options or [])
            if replacements.get(option) not in (self.options or [])
        ]
        if missing:
            raise ValidationError(
                {
                    "value_replacements": "Removed option(s) need a replacement that is still an option: "
                    + ", ".join(f"{option!r}" for option in missing)
                    + f' (e.g. {{"{missing[0]}": "{(self.options or ["..."])[0]}"}}).'
                }
            )

    def content_type(self) -> ContentType | None:
        natural_key = ENTITY_MODELS.get(self.entity_type)
        return ContentType.objects.get_by_natural_key(*natural_key) if natural_key else None


def _decimal_or_none(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value)


class CustomFieldValue(models.Model):
    definition = models.ForeignKey(CustomFieldDefinition, on_delete=models.CASCADE, related_name="values")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    value = models.JSONField(null=True, blank=True)
    trackunit_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = RecordHistory(bookkeeping=["trackunit_id", "updated_at"], indexed=["id", "object_id"])

    class Meta:
        permissions = [
            ("import_customfieldvalue", "Can import custom-field values from CSV"),
            ("export_customfieldvalue", "Can export custom-field values to CSV/XLSX"),
        ]
        ordering = ["definition__key"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="cfvalue_record_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "content_type", "object_id"], name="cfvalue_one_per_record_and_field"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition.key} = {self.value!r}"

    def clean(self) -> None:
        if not self.definition_id:
            return
        expected = self.definition.content_type()
        if self.content_type_id and (expected is None or expected.pk != self.content_type_id):
            raise ValidationError(
                {
                    "definition": f"{self.definition.key} holds values of "
                    f"{self.definition.get_entity_type_display()} records only."
                }
            )
        try:
            self.value = rules.check_value(self.definition.rules, self.value)
        except rules.RuleViolation as exc:
            raise ValidationError({"value": f"{self.definition.title}: {exc.message}"}) from exc
