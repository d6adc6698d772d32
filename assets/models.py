"""The rental fleet: depots (Trackunit sites of type DEPOT) and the assets they own."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from rentalbridge.addresses import Address
from rentalbridge.history import RecordHistory


class Depot(Address, models.Model):
    """A rental yard or branch; in Trackunit a site of type DEPOT."""

    name = models.CharField(max_length=255)
    external_reference = models.CharField(max_length=100, unique=True)
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    polygon = models.JSONField(
        null=True, blank=True, help_text="Optional GeoJSON polygon: a list of rings of [lon, lat] points."
    )
    trackunit_site_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = RecordHistory(bookkeeping=["trackunit_site_id", "created_at", "updated_at"])

    class Meta:
        permissions = [
            ("import_depot", "Can import depots from CSV"),
            ("export_depot", "Can export depots to CSV/XLSX"),
        ]
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(external_reference=""), name="depot_external_reference_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                # NULL would make the range test unknown (which passes a CHECK), hence the explicit not-null.
                | Q(latitude__isnull=False, longitude__isnull=False)
                & Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="depot_point_complete_and_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError("Give both latitude and longitude for the depot's point, or neither.")
        if self.polygon is not None:
            problem = polygon_problem(self.polygon)
            if problem:
                raise ValidationError({"polygon": problem})


def polygon_problem(polygon: object) -> str:
    """Explain what is wrong with a GeoJSON polygon's coordinates, or return '' when it is sound."""
    if not isinstance(polygon, list) or not polygon:
        return "A polygon is a non-empty list of rings."
    for number, ring in enumerate(polygon, start=1):
        if not isinstance(ring, list) or len(ring) < 4:
            return f"Ring {number} needs at least 4 points (the first repeated last)."
        for point in ring:
            if (
                not isinstance(point, list)
                or len(point) not in (2, 3)
                or not all(isinstance(c, int | float) for c in point)
            ):
                return f"Ring {number} has a point that is not [lon, lat] or [lon, lat, alt]: {point!r}."
            if not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
                return f"Ring {number} has a point out of range: {point!r}."
        if ring[0] != ring[-1]:
            return f"Ring {number} is not closed: its first and last points differ."
    return ""


class IdentifierType(models.TextChoices):
    """How Trackunit finds the asset that rental data belongs to."""

    ASSET_ID = "ASSET_ID", "Trackunit asset id"
    SERIAL_NUMBER = "SERIAL_NUMBER", "Serial number"
    EXTERNAL_REFERENCE = "EXTERNAL_REFERENCE", "External reference"


class RentalStatus(models.TextChoices):
    ON_RENT = "ON_RENT", "On rent"
    PICK_UP_READY = "PICK_UP_READY", "Pick-up ready"
    AVAILABLE = "AVAILABLE", "Available"
    RETURNED = "RETURNED", "Returned"
    IN_REPAIR = "IN_REPAIR", "In repair"
    TRANSFER = "TRANSFER", "Transfer"
    OTHER = "OTHER", "Other"
    OFF_RENT = "OFF_RENT", "Off rent"
    NOT_ON_CONTRACT = "NOT_ON_CONTRACT", "Not on contract"
    RESERVED = "RESERVED", "Reserved"


class AssetType(models.TextChoices):
    MACHINE = "MACHINE", "Machine"
    VEHICLE = "VEHICLE", "Vehicle"
    GATEWAY = "GATEWAY", "Gateway"
    EQUIPMENT = "EQUIPMENT", "Equipment"
    TOOL = "TOOL", "Tool"
    ATTACHMENT = "ATTACHMENT", "Attachment"
    OTHER = "OTHER", "Other"


# What the daily telematics pull writes with raw UPDATEs (sync/telematics/store.py): no history of them.
TELEMATICS_COLUMNS = (
    "last_latitude",
    "last_longitude",
    "last_altitude",
    "last_location_at",
    "operating_hours",
    "operating_hours_at",
    "idle_hours",
    "fuel_used_litres",
    "fuel_remaining_percent",
    "odometer_km",
    "engine_running",
    "telematics_at",
)


class Asset(models.Model):
    name = models.CharField(max_length=127)
    external_reference = models.CharField(max_length=100, unique=True)
    identifier_type = models.CharField(
        max_length=20, choices=IdentifierType.choices, default=IdentifierType.EXTERNAL_REFERENCE
    )
    identifier = models.CharField(
        max_length=100,
        blank=True,
        help_text="The value Trackunit matches on; blank means the external reference.",
    )
    # PIN/VIN and serial numbers are kept exactly as typed: users edit them, so no fixed length or format.
    serial_number = models.CharField(max_length=100, blank=True, db_index=True)
    pin = models.CharField("PIN / VIN", max_length=100, blank=True, db_index=True)
    make = models.CharField("make (OEM)", max_length=100, blank=True)
    model = models.CharField(max_length=100, blank=True)
    asset_type = models.CharField(max_length=16, choices=AssetType.choices, default=AssetType.MACHINE)
    # No check constraint on purpose: Trackunit may add statuses, and a value read back must never break.
    rental_status = models.CharField(
        max_length=32, choices=RentalStatus.choices, default=RentalStatus.AVAILABLE
    )
    owning_depot = models.ForeignKey(
        Depot, on_delete=models.PROTECT, null=True, blank=True, related_name="assets"
    )
    trackunit_asset_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    last_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True, editable=False)
    last_longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, editable=False
    )
    last_altitude = models.FloatField(null=True, blank=True, editable=False, help_text="Metres.")
    last_location_at = models.DateTimeField(null=True, blank=True, editable=False)
    operating_hours = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, editable=False, help_text="Cumulative."
    )
    operating_hours_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The other ISO 15143-3 data points of the latest reading (each as of `telematics_at`).
    idle_hours = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True, editable=False)
    fuel_used_litres = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    fuel_remaining_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, editable=False
    )
    odometer_km = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    engine_running = models.BooleanField(null=True, blank=True, editable=False)
    telematics_at = models.DateTimeField(
        "last seen", null=True, blank=True, editable=False, help_text="Time of the newest telematics reading."
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The telematics columns change daily and are Trackunit's readings, kept in AssetReading instead.
    history = RecordHistory(
        bookkeeping=["trackunit_asset_id", *TELEMATICS_COLUMNS, "created_at", "updated_at"]
    )

    class Meta:
        permissions = [
            ("import_asset", "Can import assets from CSV"),
            ("export_asset", "Can export assets to CSV/XLSX"),
        ]
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="asset_name_id_idx"),
            models.Index(Lower("name"), name="asset_name_lower_idx"),
            models.Index(fields=["rental_status"], name="asset_rental_status_idx"),
            models.Index(fields=["telematics_at"], name="asset_telematics_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(external_reference=""), name="asset_external_reference_not_blank"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="asset_name_not_blank"),
            models.CheckConstraint(
                condition=Q(identifier_type__in=IdentifierType.values), name="asset_identifier_type_valid"
            ),
            models.CheckConstraint(condition=Q(asset_type__in=AssetType.values), name="asset_type_valid"),
            models.CheckConstraint(
                condition=Q(operating_hours__isnull=True) | Q(operating_hours__gte=0),
                name="asset_operating_hours_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_reference})"

    @property
    def match_identifier(self) -> str:
        """The value Trackunit matches this asset on, per its identifier type."""
        if self.identifier:
            return self.identifier
        if self.identifier_type == IdentifierType.SERIAL_NUMBER:
            return self.serial_number
        return self.external_reference


class AssetReading(models.Model):
    """One telematics reading of an asset, as a pull found it: the append-only history behind the chart.

    Readings arrive late and out of order (ISO 15143-3 feeds mix stale and fresh units), so the history
    keeps every distinct reading and the asset's latest values only ever move forward in time. A reading
    whose operating hours are below an earlier reading's is kept here, flagged, and never applied.
    """

    class Flag(models.TextChoices):
        NONE = "", "—"
        HOURS_DECREASED = "hours_decreased", "Hours went down"
        OLDER_THAN_STORED = "older", "Older than the stored reading"

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="readings")
    observed_at = models.DateTimeField(help_text="The newest time any data point of the reading carries.")
    operating_hours = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    operating_hours_at = models.DateTimeField(null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    altitude = models.FloatField(null=True, blank=True, help_text="Metres.")
    location_at = models.DateTimeField(null=True, blank=True)
    idle_hours = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    fuel_used_litres = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    fuel_remaining_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    odometer_km = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    engine_running = models.BooleanField(null=True, blank=True)
    flag = models.CharField(max_length=16, choices=Flag.choices, blank=True, default=Flag.NONE)
    pull_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The telematics pull that read it (Sync > Telematics pulls)."
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "telematics reading"
        ordering = ["-observed_at"]
        constraints = [
            # The same reading seen by two pulls is one row.
            models.UniqueConstraint(fields=["asset", "observed_at"], name="reading_one_per_asset_and_time"),
            models.CheckConstraint(
                condition=Q(flag__in=["", "hours_decreased", "older"]), name="reading_flag_valid"
            ),
            models.CheckConstraint(
                condition=Q(operating_hours__isnull=True) | Q(operating_hours__gte=0),
                name="reading_hours_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["asset", "observed_at"], name="reading_asset_time_idx")]

    def __str__(self) -> str:
        return f"{self.asset} at {self.observed_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("Telematics readings are history: they are added, never changed.")
        super().save(*args, **kwargs)
