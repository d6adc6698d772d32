"""A record's timeline on its admin page (sync.timeline)."""

from django import template
from django.db.models import Model

from assets.models import Asset
from sync.timeline import timeline

register = template.Library()


@register.inclusion_tag("admin/sync/timeline.html", takes_context=True)
def record_timeline(context: template.Context, obj: Model | None) -> dict:
    """Shown to those who may read sync attempts (auditors, operators); nothing for a record not saved yet."""
    request = context.get("request")
    allowed = request is not None and request.user.has_perm("sync.view_syncattempt")
    return {
        "events": timeline(obj) if obj is not None and allowed else None,
        "with_readings": isinstance(obj, Asset),
    }
