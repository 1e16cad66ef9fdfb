"""Activity pieces shown on pages of other apps: the post page and the 号长's workspace."""

from django import template
from django.db.models import Sum

from ..models import ActivityReport, Campaign

register = template.Library()
RECENT_REPORTS = 6


@register.inclusion_tag("activities/includes/public_reports.html")
def public_reports(collective):
    reports = ActivityReport.objects.public().filter(collective=collective).prefetch_related("photos")[:RECENT_REPORTS]
    hours = ActivityReport.objects.filter(collective=collective).aggregate(total=Sum("volunteer_hours"))["total"] or 0
    return {"collective": collective, "reports": reports, "volunteer_hours": hours}


@register.inclusion_tag("activities/includes/workspace_panel.html")
def activities_panel(collectives):
    """Active campaigns for the 号长's registered collectives, with the links to their reports."""
    registered = [c for c in collectives if c.status == "registered"]
    campaigns = Campaign.objects.active_for(registered)
    return {"rows": [(collective, campaigns[collective.pk]) for collective in registered]}
