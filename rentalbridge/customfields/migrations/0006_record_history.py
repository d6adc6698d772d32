"""Field-level history of the app's records (rentalbridge/history.py), append-only on PostgreSQL."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from rentalbridge.history_guard import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("customfields", "0005_pattern_help_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalCustomFieldDefinition",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                (
                    "entity_type",
                    models.CharField(
                        choices=[
                            ("ASSET", "Asset"),
                            ("ACCOUNT", "Account"),
                            ("GROUP", "Group"),
                            ("SITE", "Site (depot)"),
                            ("CUSTOMER", "Customer"),
                            ("RENTAL_CONTRACT", "Rental contract"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "key",
                    models.CharField(
                        help_text="Trackunit's key for the field; unique, never changes. Values are set by this key. A key of one of Trackunit's standard asset fields (e.g. licensePlate) stands for that field.",
                        max_length=100,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Za-z][A-Za-z0-9_-]*$", "Letters, digits, _ and -; start with a letter."
                            )
                        ],
                    ),
                ),
                ("title", models.CharField(max_length=255)),
                ("description", models.TextField(blank=True)),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("BOOLEAN", "Boolean"),
                            ("DATE", "Date"),
                            ("DROPDOWN", "Dropdown"),
                            ("EMAIL", "E-mail"),
                            ("MONETARY", "Monetary"),
                            ("NUMBER", "Number"),
                            ("PHONE_NUMBER", "Phone number"),
                            ("STRING", "String"),
                            ("WEB_ADDRESS", "Web address"),
                            ("JSON", "JSON"),
                        ],
                        help_text="Cannot be changed once the definition exists.",
                        max_length=16,
                    ),
                ),
                (
                    "multi_select",
                    models.BooleanField(default=False, help_text="Dropdowns: allow several options."),
                ),
                (
                    "options",
                    models.JSONField(blank=True, default=list, help_text="Dropdowns: the allowed values."),
                ),
                (
                    "currency",
                    models.CharField(
                        blank=True,
                        help_text="Monetary fields: ISO 4217 code.",
                        max_length=3,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Z]{3}$", "Use a three-letter ISO 4217 code, e.g. EUR."
                            )
                        ],
                    ),
                ),
                ("minimum", models.DecimalField(blank=True, decimal_places=6, max_digits=20, null=True)),
                ("maximum", models.DecimalField(blank=True, decimal_places=6, max_digits=20, null=True)),
                (
                    "unit_si",
                    models.CharField(
                        blank=True,
                        help_text="Number fields: unit for metric users, e.g. L.",
                        max_length=32,
                        verbose_name="unit (metric)",
                    ),
                ),
                (
                    "unit_us",
                    models.CharField(
                        blank=True,
                        help_text="Number fields: unit for US users, e.g. gal.",
                        max_length=32,
                        verbose_name="unit (US)",
                    ),
                ),
                (
                    "is_integer",
                    models.BooleanField(
                        default=False,
                        help_text="Number fields; not together with a unit.",
                        verbose_name="whole numbers only",
                    ),
                ),
                (
                    "min_length",
                    models.PositiveIntegerField(blank=True, help_text="String fields.", null=True),
                ),
                (
                    "max_length",
                    models.PositiveIntegerField(blank=True, help_text="String fields.", null=True),
                ),
                (
                    "pattern",
                    models.CharField(
                        blank=True,
                        help_text="String fields: a regular expression in RE2 syntax (Trackunit's) the whole value matches.",
                        max_length=255,
                    ),
                ),
                (
                    "default_string_value",
                    models.CharField(
                        blank=True, help_text="String fields: Trackunit's default value.", max_length=255
                    ),
                ),
                (
                    "value_replacements",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text='Dropdowns: when options are removed, the option each one becomes, e.g. {"Old": "New"}. Values holding a removed option change to its replacement here and in Trackunit.',
                    ),
                ),
                ("ui_visible", models.BooleanField(default=True, verbose_name="visible in Trackunit")),
                ("ui_editable", models.BooleanField(default=True, verbose_name="editable in Trackunit")),
                (
                    "scope",
                    models.CharField(
                        choices=[
                            ("ACCOUNT", "Account"),
                            ("ACCOUNT_WRITE_GLOBAL_READ", "Account write, global read"),
                            ("GLOBAL", "Global"),
                        ],
                        default="ACCOUNT",
                        max_length=32,
                    ),
                ),
                ("history_change_reason", models.TextField()),
                ("history_id", models.BigAutoField(editable=False, primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical custom field definition",
                "verbose_name_plural": "historical custom field definitions",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("history_change_reason", ""), _negated=True),
                        name="history_customfielddefinition_says_through_what",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("history_type__in", ["+", "~", "-"])),
                        name="history_customfielddefinition_type_valid",
                    ),
                ],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalCustomFieldValue",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("object_id", models.PositiveBigIntegerField(db_index=True)),
                ("value", models.JSONField(blank=True, null=True)),
                ("history_change_reason", models.TextField()),
                ("history_id", models.BigAutoField(editable=False, primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "definition",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="customfields.customfielddefinition",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical custom field value",
                "verbose_name_plural": "historical custom field values",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("history_change_reason", ""), _negated=True),
                        name="history_customfieldvalue_says_through_what",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("history_type__in", ["+", "~", "-"])),
                        name="history_customfieldvalue_type_valid",
                    ),
                ],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        append_only(
            "customfields_historicalcustomfielddefinition", "customfields_historicalcustomfieldvalue"
        ),
    ]
