"""Activity pieces shown on pages of other apps: the 号长's workspace."""

from django import template

from apps.collectives.models import Collective

from ..models import Campaign

register = template.Library()


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
