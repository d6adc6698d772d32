"""Trackunit's ISO 15143-3 rule of one request per URL per 15 minutes, remembered in the database.

The claim is written before the request leaves because a failed request uses the quota up as well;
a conditional UPDATE (or the unique constraint, for a URL never asked) makes the claim race-free
between processes without holding a row lock across the HTTP call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone

from sync.models import AempRequestLog
from sync.trackunit.errors import AempQuotaUsed


class AempGuard(Protocol):
    def claim(self, url: str) -> None:
        """Records that `url` is being requested now, or raises AempQuotaUsed."""


class DatabaseAempGuard:
    def __init__(self, interval: timedelta, now: Callable[[], datetime] = timezone.now) -> None:
        self.interval = interval
        self._now = now

    def claim(self, url: str) -> None:
        now = self._now()
        if AempRequestLog.objects.filter(url=url, last_requested_at__lte=now - self.interval).update(
            last_requested_at=now
        ):
            return
        try:
            with transaction.atomic():
                AempRequestLog.objects.create(url=url, last_requested_at=now)
            return
        except IntegrityError:
            pass
        last = AempRequestLog.objects.get(url=url).last_requested_at
        raise AempQuotaUsed(url, last + self.interval)
