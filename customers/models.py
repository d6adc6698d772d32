"""Customers of the rental company and the ways to reach them, as Trackunit's Customer API models them."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from rentalbridge.addresses import Address
from rentalbridge.history import RecordHistory


class CustomerType(models.TextChoices):
    CONTRACTOR = "CONTRACTOR", "Contractor"
    DEALER = "DEALER", "Dealer"
    DISTRIBUTOR = "DISTRIBUTOR", "Distributor"
    OEM = "OEM", "OEM"
    RENTAL = "RENTAL", "Rental"
    SERVICE = "SERVICE", "Service"
    OTHER = "OTHER", "Other"


class Customer(Address, models.Model):
    name = models.CharField(max_length=255)
    external_reference = models.CharField(
        max_length=100, unique=True, help_text="The customer's number in the ERP; unique, sent to Trackunit."
    )
    type = models.CharField(max_length=16, choices=CustomerType.choices, default=CustomerType.CONTRACTOR)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    web_address = models.URLField(blank=True)
    trackunit_id = models.UUIDField(
        null=True, blank=True, unique=True, editable=False, help_text="Set once Trackunit has accepted it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = RecordHistory(bookkeeping=["trackunit_id", "created_at", "updated_at"])

    class Meta:
        permissions = [
            ("import_customer", "Can import customers from CSV"),
            ("export_customer", "Can export customers to CSV/XLSX"),
        ]
        ordering = ["name"]
        indexes = [models.Index(Lower("name"), name="customer_name_lower_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(external_reference=""), name="customer_external_reference_not_blank"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="customer_name_not_blank"),
            models.CheckConstraint(condition=Q(type__in=CustomerType.values), name="customer_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_reference})"


class CustomerContact(models.Model):
    """A way to reach a customer: a person, a department or a call centre."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=255)
    role = models.CharField("role / department", max_length=255, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    trackunit_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    history = RecordHistory(bookkeeping=["trackunit_id"])

    class Meta:
        permissions = [
            ("import_customercontact", "Can import customer contacts from CSV"),
            ("export_customercontact", "Can export customer contacts to CSV/XLSX"),
        ]
        ordering = ["customer", "name"]
        constraints = [
            # The natural key CSV imports and the sync use to find a contact again.
            models.UniqueConstraint(fields=["customer", "name"], name="contact_unique_name_per_customer"),
            models.CheckConstraint(condition=~Q(name=""), name="contact_name_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name
