"""The admin home's dashboard, for operators and auditors (figures from sync.dashboard)."""

from django import template

from sync.dashboard import Dashboard, dashboard

register = template.Library()


@register.simple_tag
def sync_dashboard() -> Dashboard:
    return dashboard()


@register.filter
def seconds_or_idle(seconds: float) -> str:
    """A budget's booking ahead, as an operator reads it."""
    return "room now" if seconds <= 0 else f"booked {seconds:.1f} s ahead"
