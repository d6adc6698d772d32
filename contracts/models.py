"""Rental contracts and their items: which asset is rented to which customer, when, and at what rate."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from assets.models import Asset, Depot
from customers.models import Customer
from rentalbridge.history import RecordHistory


class ContractStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    RESERVED = "RESERVED", "Reserved"
    CANCELLED = "CANCELLED", "Cancelled"
    COMPLETED = "COMPLETED", "Completed"


class RatePeriod(models.TextChoices):
    HOUR = "HOUR", "per hour"
    DAY = "DAY", "per day"
    WEEK = "WEEK", "per week"
    MONTH = "MONTH", "per month"
    FIXED = "FIXED", "fixed price"


class Contract(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contracts")
    external_reference = models.CharField(max_length=100, unique=True)
    status = models.CharField(max_length=16, choices=ContractStatus.choices, default=ContractStatus.OPEN)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    trackunit_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = RecordHistory(bookkeeping=["trackunit_id", "created_at", "updated_at"])

    class Meta:
        permissions = [
            ("import_contract", "Can import contracts from CSV"),
            ("export_contract", "Can export contracts to CSV/XLSX"),
        ]
        ordering = ["-start_date", "external_reference"]
        indexes = [models.Index(fields=["status", "start_date"], name="contract_status_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(external_reference=""), name="contract_external_reference_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ContractStatus.values), name="contract_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="contract_end_not_before_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
        ]

    def __str__(self) -> str:
        return self.external_reference

    def clean(self) -> None:
        from contracts.overlaps import overlap_messages, periods_of_contract

        if self.status == ContractStatus.OPEN and self.pk:
            # Re-opening a contract puts all its items back into the overlap rule.
            messages = overlap_messages(periods_of_contract(self))
            if messages:
                raise ValidationError(messages)


class ContractItem(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="items")
    external_reference = models.CharField(max_length=100)
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="contract_items")
    # Rental periods are half-open: an asset off-rented on a day can be on-rented again that same day.
    on_rent_date = models.DateField()
    off_rent_date = models.DateField(null=True, blank=True, help_text="Blank while the end is open.")
    rate_amount = models.DecimalField(
        "rental rate",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    rate_currency = models.CharField(
        "currency",
        max_length=3,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code, e.g. EUR.")],
    )
    rate_period = models.CharField("per", max_length=8, choices=RatePeriod.choices, blank=True)
    hiring_depot = models.ForeignKey(
        Depot, on_delete=models.PROTECT, null=True, blank=True, related_name="hired_items"
    )
    delivery_address = models.TextField(blank=True)
    pickup_address = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = RecordHistory(bookkeeping=["created_at", "updated_at"], indexed=["id", "contract"])

    class Meta:
        permissions = [
            ("import_contractitem", "Can import contract items from CSV"),
            ("export_contractitem", "Can export contract items to CSV/XLSX"),
        ]
        ordering = ["contract", "on_rent_date", "external_reference"]
        indexes = [models.Index(fields=["asset", "on_rent_date"], name="item_asset_on_rent_idx")]
        # On PostgreSQL the table also refuses overlapping rentals of open contracts: an exclusion constraint
        # Django cannot declare here, as it needs the contract's status (migration 0003).
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "external_reference"], name="item_unique_reference_per_contract"
            ),
            models.CheckConstraint(
                condition=~Q(external_reference=""), name="item_external_reference_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(off_rent_date__isnull=True) | Q(off_rent_date__gte=F("on_rent_date")),
                name="item_off_rent_not_before_on_rent",
                violation_error_message="The off-rent date cannot be before the on-rent date.",
            ),
            models.CheckConstraint(
                condition=Q(rate_amount__isnull=True) | Q(rate_amount__gte=0), name="item_rate_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(rate_amount__isnull=True) | (~Q(rate_currency="") & ~Q(rate_period="")),
                name="item_rate_has_currency_and_period",
                violation_error_message="A rental rate needs a currency and a period.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id and self.contract.external_reference} / {self.external_reference}"

    def clean(self) -> None:
        from contracts.overlaps import overlap_messages, period_of_item

        # In the admin's inline the parent contract may be unsaved yet, but it is always attached.
        contract = self.contract if ContractItem.contract.is_cached(self) or self.contract_id else None
        if not (self.asset_id and self.on_rent_date and contract):
            return
        if self.off_rent_date and self.off_rent_date < self.on_rent_date:
            return  # the check constraint's message says it better
        if contract.status == ContractStatus.OPEN:
            messages = overlap_messages([period_of_item(self)])
            if messages:
                raise ValidationError({"asset": messages})
