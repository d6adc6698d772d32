"""The admin home's telematics line: when Trackunit's readings last came in, and what they brought."""

from django import template

from sync.models import TelematicsPull

register = template.Library()


@register.simple_tag
def last_telematics_pull() -> TelematicsPull | None:
    """The newest fleet pull (a single asset's refresh says little about the fleet)."""
    return TelematicsPull.objects.filter(scope="fleet").order_by("-started_at").first()
