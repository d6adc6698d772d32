"""Field-level history of the app's records (rentalbridge/history.py), append-only on PostgreSQL."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from rentalbridge.history_guard import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0004_asset_search_trigram"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalAsset",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("name", models.CharField(max_length=127)),
                ("external_reference", models.CharField(max_length=100)),
                (
                    "identifier_type",
                    models.CharField(
                        choices=[
                            ("ASSET_ID", "Trackunit asset id"),
                            ("SERIAL_NUMBER", "Serial number"),
                            ("EXTERNAL_REFERENCE", "External reference"),
                        ],
                        default="EXTERNAL_REFERENCE",
                        max_length=20,
                    ),
                ),
                (
                    "identifier",
                    models.CharField(
                        blank=True,
                        help_text="The value Trackunit matches on; blank means the external reference.",
                        max_length=100,
                    ),
                ),
                ("serial_number", models.CharField(blank=True, max_length=100)),
                ("pin", models.CharField(blank=True, max_length=100, verbose_name="PIN / VIN")),
                ("make", models.CharField(blank=True, max_length=100, verbose_name="make (OEM)")),
                ("model", models.CharField(blank=True, max_length=100)),
                (
                    "asset_type",
                    models.CharField(
                        choices=[
                            ("MACHINE", "Machine"),
                            ("VEHICLE", "Vehicle"),
                            ("GATEWAY", "Gateway"),
                            ("EQUIPMENT", "Equipment"),
                            ("TOOL", "Tool"),
                            ("ATTACHMENT", "Attachment"),
                            ("OTHER", "Other"),
                        ],
                        default="MACHINE",
                        max_length=16,
                    ),
                ),
                (
                    "rental_status",
                    models.CharField(
                        choices=[
                            ("ON_RENT", "On rent"),
                            ("PICK_UP_READY", "Pick-up ready"),
                            ("AVAILABLE", "Available"),
                            ("RETURNED", "Returned"),
                            ("IN_REPAIR", "In repair"),
                            ("TRANSFER", "Transfer"),
                            ("OTHER", "Other"),
                            ("OFF_RENT", "Off rent"),
                            ("NOT_ON_CONTRACT", "Not on contract"),
                            ("RESERVED", "Reserved"),
                        ],
                        default="AVAILABLE",
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
                (
                    "owning_depot",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="assets.depot",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical asset",
                "verbose_name_plural": "historical assets",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("history_change_reason", ""), _negated=True),
                        name="history_asset_says_through_what",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("history_type__in", ["+", "~", "-"])),
                        name="history_asset_type_valid",
                    ),
                ],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalDepot",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("street", models.CharField(blank=True, max_length=255)),
                (
                    "postal_code",
                    models.CharField(blank=True, max_length=20, verbose_name="ZIP / postal code"),
                ),
                ("city", models.CharField(blank=True, max_length=100)),
                (
                    "country",
                    models.CharField(
                        blank=True,
                        help_text="ISO 3166-1 alpha-2 code, e.g. DK.",
                        max_length=2,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Z]{2}$", "Use the two-letter ISO 3166-1 code, e.g. DK."
                            )
                        ],
                    ),
                ),
                ("name", models.CharField(max_length=255)),
                ("external_reference", models.CharField(max_length=100)),
                (
                    "latitude",
                    models.DecimalField(
                        blank=True,
                        decimal_places=6,
                        max_digits=9,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(-90),
                            django.core.validators.MaxValueValidator(90),
                        ],
                    ),
                ),
                (
                    "longitude",
                    models.DecimalField(
                        blank=True,
                        decimal_places=6,
                        max_digits=9,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(-180),
                            django.core.validators.MaxValueValidator(180),
                        ],
                    ),
                ),
                (
                    "polygon",
                    models.JSONField(
                        blank=True,
                        help_text="Optional GeoJSON polygon: a list of rings of [lon, lat] points.",
                        null=True,
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
                "verbose_name": "historical depot",
                "verbose_name_plural": "historical depots",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("history_change_reason", ""), _negated=True),
                        name="history_depot_says_through_what",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("history_type__in", ["+", "~", "-"])),
                        name="history_depot_type_valid",
                    ),
                ],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        append_only("assets_historicalasset", "assets_historicaldepot"),
    ]
