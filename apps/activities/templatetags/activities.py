"""Activity pieces shown on pages of other apps: the post page and the 号长's workspace."""

from django import template

from apps.collectives.models import Collective
from civpost.links import url_format

from ..models import ActivityReport, Campaign, ReportKind

register = template.Library()
RECENT_REPORTS = 6
THUMBNAILS = 3


@register.inclusion_tag("activities/includes/public_reports.html")
def public_reports(collective):
    """The post page's latest public reports with up to three thumbnails each, and the volunteer-hour total (kept on
    the collective by apps/directory/signals.py).

    One query (the latest reports joined to their photos, a row per photo), plain values and URLs from one reverse()
    each (url_format): a post page opened for the first time renders this (the page's content is then cached), and
    eighteen reverse() calls and as many model instances were a quarter of its time (`make bench`)."""
    latest = ActivityReport.objects.public().filter(collective=collective).values("pk")[:RECENT_REPORTS]
    rows = ActivityReport.objects.filter(pk__in=latest).order_by("-held_on", "-pk", "photos__pk")
    report_url = url_format("activities:public_report", collective.pk)
    thumbnail_url = url_format("activities:photo_thumb")
    reports = {}
    for pk, title, held_on, kind, photo_id in rows.values_list("pk", "title", "held_on", "kind", "photos__pk"):
        if pk not in reports:
            reports[pk] = {"title": title, "held_on": held_on, "url": report_url.format(pk), "kind_label": ReportKind(kind).label, "thumbnails": []}
        if photo_id is not None and len(reports[pk]["thumbnails"]) < THUMBNAILS:
            reports[pk]["thumbnails"].append(thumbnail_url.format(photo_id))
    reports = list(reports.values())
    return {"collective": collective, "reports": reports, "volunteer_hours": collective.volunteer_hours}


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
