"""Timestamps as an auditor compares them with Trackunit's logs: to the millisecond, in the site's zone."""

from datetime import datetime

from django.utils import timezone


def precise(moment: datetime | None) -> str:
    """`2026-11-23 10:15:02.345` in the site's time zone ("" for no moment)."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local:%Y-%m-%d %H:%M:%S}.{local.microsecond // 1000:03d}"
