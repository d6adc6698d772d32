"""The compact "Trackunit" box near the top of a synced record's admin page (sync.record_status)."""

from django import template
from django.db.models import Model

from sync.record_status import record_sync

register = template.Library()


@register.inclusion_tag("admin/sync/record_status.html", takes_context=True)
def record_sync_box(context: template.Context, obj: Model | None) -> dict:
    """Everyone who sees the record sees its status; the attempts only those who may read them."""
    request = context.get("request")
    return {
        "sync": record_sync(obj) if obj is not None and obj.pk else None,
        "can_read_attempts": request is not None and request.user.has_perm("sync.view_syncattempt"),
        "can_retry": request is not None and request.user.has_perm("sync.retry_syncrun"),
    }
