"""Activity pieces shown on pages of other apps: the post page and the 号长's workspace."""

from django import template
from django.db.models import Sum

from apps.collectives.models import Collective

from ..models import ActivityReport, Campaign

register = template.Library()
RECENT_REPORTS = 6


@register.inclusion_tag("activities/includes/public_reports.html")
def public_reports(collective):
    reports = ActivityReport.objects.public().filter(collective=collective).prefetch_related("photos")[:RECENT_REPORTS]
    hours = ActivityReport.objects.filter(collective=collective).aggregate(total=Sum("volunteer_hours"))["total"] or 0
    return {"collective": collective, "reports": reports, "volunteer_hours": hours}


@register.inclusion_tag("activities/includes/workspace_panel.html", takes_context=True)
def activities_panel(context, collectives):
    """Active campaigns for the collectives the user leads or was authorised to report for, with the links."""
    led = [c for c in collectives if c.status == "registered"]
    authorised = list(
        Collective.objects.filter(report_authorisations__user=context["request"].user, status="registered")
        .exclude(pk__in=[c.pk for c in led])
        .select_related("registering_node")
    )
    registered = led + authorised
    campaigns = Campaign.objects.active_for(registered)
    return {"rows": [(collective, campaigns[collective.pk]) for collective in registered]}
