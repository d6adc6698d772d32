"""Field-level history of the app's records (rentalbridge/history.py), append-only on PostgreSQL."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from rentalbridge.history_guard import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_alter_customer_options_alter_customercontact_options"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalCustomer",
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
                (
                    "external_reference",
                    models.CharField(
                        help_text="The customer's number in the ERP; unique, sent to Trackunit.",
                        max_length=100,
                    ),
                ),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("CONTRACTOR", "Contractor"),
                            ("DEALER", "Dealer"),
                            ("DISTRIBUTOR", "Distributor"),
                            ("OEM", "OEM"),
                            ("RENTAL", "Rental"),
                            ("SERVICE", "Service"),
                            ("OTHER", "Other"),
                        ],
                        default="CONTRACTOR",
                        max_length=16,
                    ),
                ),
                ("phone", models.CharField(blank=True, max_length=40)),
                ("email", models.EmailField(blank=True, max_length=254)),
                ("web_address", models.URLField(blank=True)),
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
                "verbose_name": "historical customer",
                "verbose_name_plural": "historical customers",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("history_change_reason", ""), _negated=True),
                        name="history_customer_says_through_what",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("history_type__in", ["+", "~", "-"])),
                        name="history_customer_type_valid",
                    ),
                ],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalCustomerContact",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("name", models.CharField(max_length=255)),
                ("role", models.CharField(blank=True, max_length=255, verbose_name="role / department")),
                ("email", models.EmailField(blank=True, max_length=254)),
                ("phone", models.CharField(blank=True, max_length=40)),
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
                "verbose_name": "historical customer contact",
                "verbose_name_plural": "historical customer contacts",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("history_change_reason", ""), _negated=True),
                        name="history_customercontact_says_through_what",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("history_type__in", ["+", "~", "-"])),
                        name="history_customercontact_type_valid",
                    ),
                ],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        append_only("customers_historicalcustomer", "customers_historicalcustomercontact"),
    ]
