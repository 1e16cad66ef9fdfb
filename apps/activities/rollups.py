"""Roll-ups for committees: totals of reports in a subtree, by child node and by industry, for a period or a
campaign. Everything is aggregated in the database on the report table (node path, industry and date are on
the report itself and indexed), so the cost does not grow with rows read into Python."""

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, Substr

from apps.collectives.models import Collective
from apps.organizations.models import Industry, Node

from .models import ActivityReport, ReportKind

TOTALS = {
    "activities": Count("pk"),
    "participants": Coalesce(Sum("participants"), 0),
    "beneficiaries": Coalesce(Sum("beneficiaries"), 0),
    "volunteer_services": Count("pk", filter=Q(kind__in=ReportKind.with_hours())),
    "volunteer_hours": Coalesce(Sum("volunteer_hours"), Value(Decimal(0)), output_field=DecimalField(max_digits=14, decimal_places=1)),
}


def reports_for(node, campaign=None, starts_on=None, ends_on=None):
    reports = ActivityReport.objects.in_subtree(node)
    if campaign is not None:
        reports = reports.filter(campaign=campaign)
    if starts_on:
        reports = reports.filter(held_on__gte=starts_on)
    if ends_on:
        reports = reports.filter(held_on__lte=ends_on)
    return reports


def totals(reports):
    return reports.aggregate(**TOTALS)


def by_child_node(node, reports):
    """One row per child committee or industry unit of `node`, with zeros for those that reported nothing."""
    child_length = len(node.path) + Node.steplen
    grouped = {
        row.pop("child_path"): row
        for row in reports.annotate(child_path=Substr("node_path", 1, child_length)).values("child_path").annotate(**TOTALS)
    }
    rows = []
    for child in Node.objects.get_children(node).select_related("region"):
        rows.append({"label": child.name, **grouped.get(child.path, _zeros())})
    own = grouped.get(node.path)  # Collectives registered with the node itself (a county's own).
    if own:
        rows.append({"label": node.name, **own})
    return rows


def by_industry(reports):
    names = dict(Industry.objects.values_list("pk", "name"))
    return [
        {"label": names.get(row.pop("industry_id"), ""), **row}
        for row in reports.values("industry_id").annotate(**TOTALS).order_by("-activities")
    ]


def _zeros():
    return {key: 0 for key in TOTALS}


def collectives_in(node, campaign=None):
    collectives = Collective.objects.public().filter(registering_node__path__startswith=node.path)
    if campaign is not None and not campaign.includes_aspiring:
        collectives = collectives.exclude(honor_level="")
    return collectives


def campaign_participation(node, campaign):
    """Collectives in scope with whether they reported for the campaign, and the two counts."""
    collectives = collectives_in(node, campaign)
    reported_ids = ActivityReport.objects.filter(campaign=campaign).values("collective_id")
    return {
        "reported": collectives.filter(pk__in=reported_ids),
        "missing": collectives.exclude(pk__in=reported_ids),
    }


def volunteer_ranking(node, starts_on, ends_on):
    """Collectives of the subtree by volunteer hours in the period (a queryset of aggregated rows)."""
    return (
        reports_for(node, starts_on=starts_on, ends_on=ends_on)
        .filter(kind__in=ReportKind.with_hours())
        .values("collective_id", "collective__name", "collective__workplace_unit")
        .annotate(hours=Sum("volunteer_hours"), services=Count("pk"))
        .order_by("-hours", "collective_id")
    )
