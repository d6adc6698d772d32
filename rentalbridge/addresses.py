"""The postal address shared by customers and depots (Trackunit sites are defined by one)."""

from django.core.validators import RegexValidator
from django.db import models


class Address(models.Model):
    street = models.CharField(max_length=255, blank=True)
    postal_code = models.CharField("ZIP / postal code", max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", "Use the two-letter ISO 3166-1 code, e.g. DK.")],
        help_text="ISO 3166-1 alpha-2 code, e.g. DK.",
    )

    class Meta:
        abstract = True

    @property
    def address_line(self) -> str:
        locality = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.street, locality, self.country) if part)
