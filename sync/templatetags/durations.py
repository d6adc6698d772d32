"""Template filters for durations as a person reads them (sync.durations)."""

from datetime import datetime, timedelta

from django import template

from sync import durations

register = template.Library()


@register.filter
def duration(value: timedelta | float | int | None) -> str:
    """`{{ run_took|duration }}`: "2 min 5 s"."""
    return durations.humanize(value)


@register.filter
def duration_ms(value: float | None) -> str:
    """`{{ attempt.duration_ms|duration_ms }}`: "800 ms"."""
    return durations.humanize_ms(value)


@register.filter
def ago(value: datetime | None) -> str:
    """`{{ run.created_at|ago }}`: "3 min ago"."""
    return durations.ago(value)
