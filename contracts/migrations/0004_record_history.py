"""Field-level history of the app's records (rentalbridge/history.py), append-only on PostgreSQL."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from rentalbridge.history_guard import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0005_record_history"),
        ("contracts", "0003_open_rentals_never_overlap"),
        ("customers", "0003_record_history"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalContract",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("external_reference", models.CharField(max_length=100)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("OPEN", "Open"),
                            ("RESERVED", "Reserved"),
                            ("CANCELLED", "Cancelled"),
                            ("COMPLETED", "Completed"),
                        ],
                        default="OPEN",
                        max_length=16,
                    ),
                ),
                ("start_date", models.DateField()),
                ("end_date", models.DateField(blank=True, null=True)),
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
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="customers.customer",
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
                "verbose_name": "historical contract",
                "verbose_name_plural": "historical contracts",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("history_change_reason", ""), _negated=True),
                        name="history_contract_says_through_what",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("history_type__in", ["+", "~", "-"])),
                        name="history_contract_type_valid",
                    ),
                ],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalContractItem",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("external_reference", models.CharField(max_length=100)),
                ("on_rent_date", models.DateField()),
                (
                    "off_rent_date",
                    models.DateField(blank=True, help_text="Blank while the end is open.", null=True),
                ),
                (
                    "rate_amount",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=12,
                        null=True,
                        validators=[django.core.validators.MinValueValidator(0)],
                        verbose_name="rental rate",
                    ),
                ),
                (
                    "rate_currency",
                    models.CharField(
                        blank=True,
                        max_length=3,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Z]{3}$", "Use a three-letter ISO 4217 code, e.g. EUR."
                            )
                        ],
                        verbose_name="currency",
                    ),
                ),
                (
                    "rate_period",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("HOUR", "per hour"),
                            ("DAY", "per day"),
                            ("WEEK", "per week"),
                            ("MONTH", "per month"),
                            ("FIXED", "fixed price"),
                        ],
                        max_length=8,
                        verbose_name="per",
                    ),
                ),
                ("delivery_address", models.TextField(blank=True)),
                ("pickup_address", models.TextField(blank=True)),
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
                    "asset",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="assets.asset",
                    ),
                ),
                (
                    "contract",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="contracts.contract",
                    ),
                ),
                (
                    "hiring_depot",
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
                "verbose_name": "historical contract item",
                "verbose_name_plural": "historical contract items",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("history_change_reason", ""), _negated=True),
                        name="history_contractitem_says_through_what",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("history_type__in", ["+", "~", "-"])),
                        name="history_contractitem_type_valid",
                    ),
                ],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        append_only("contracts_historicalcontract", "contracts_historicalcontractitem"),
    ]
