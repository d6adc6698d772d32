"""What the sync layer remembers between runs and restarts."""

from django.db import models


class AempRequestLog(models.Model):
    """When each ISO 15143-3 URL was last requested.

    Trackunit allows one request per URL per 15 minutes and counts failed requests too, so the time is
    written before the request leaves and survives restarts; the client refuses instead of earning a 429.
    """

    url = models.CharField(max_length=2048, unique=True)
    last_requested_at = models.DateTimeField()

    class Meta:
        verbose_name = "ISO 15143-3 request"

    def __str__(self) -> str:
        return f"{self.url} at {self.last_requested_at:%Y-%m-%d %H:%M:%S}"
