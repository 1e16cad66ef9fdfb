from django import template

from ..models import RecheckItem

register = template.Library()


@register.inclusion_tag("rechecks/includes/workspace_panel.html")
def rechecks_panel(collectives):
    """Re-checks waiting for the 号长's report."""
    items = RecheckItem.objects.filter(
        honor__collective__in=[c.pk for c in collectives], outcome="", recheck__closed_at__isnull=True
    ).select_related("recheck", "honor__collective")
    return {"items": items}
