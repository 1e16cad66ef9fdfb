"""Activity pieces shown on pages of other apps: the post page and the 号长's workspace."""

from collections import defaultdict

from django import template

from apps.collectives.models import Collective
from civpost.links import url_format

from ..models import ActivityReport, Campaign, ReportKind, ReportPhoto

register = template.Library()
RECENT_REPORTS = 6
THUMBNAILS = 3


@register.inclusion_tag("activities/includes/public_reports.html")
def public_reports(collective):
    """The post page's latest public reports with up to three thumbnails each, and the volunteer-hour total (kept on
    the collective by apps/directory/signals.py).

    Plain values and URLs from one reverse() each (url_format): a post page opened for the first time renders this
    (the page's content is then cached), and eighteen reverse() calls and as many model instances were a quarter of
    its time (`make bench`)."""
    reports = list(ActivityReport.objects.public().filter(collective=collective).values("pk", "title", "held_on", "kind")[:RECENT_REPORTS])
    thumbnails = defaultdict(list)
    for report_id, photo_id in ReportPhoto.objects.filter(report_id__in=[report["pk"] for report in reports]).values_list("report_id", "pk"):
        thumbnails[report_id].append(photo_id)
    report_url = url_format("activities:public_report", collective.pk)
    thumbnail_url = url_format("activities:photo_thumb")
    for report in reports:
        report["url"] = report_url.format(report["pk"])
        report["kind_label"] = ReportKind(report["kind"]).label
        report["thumbnails"] = [thumbnail_url.format(pk) for pk in thumbnails[report["pk"]][:THUMBNAILS]]
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
