"""Roll-ups for committees: totals of reports in a subtree, by child node and by industry, for a period or a
campaign. Everything is aggregated in the database on the report table (node path, industry and date are on
the report itself and indexed), so the cost does not grow with rows read into Python."""

from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value
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
    "volunteer_points": Coalesce(Sum("volunteer_points"), Value(Decimal(0)), output_field=DecimalField(max_digits=16, decimal_places=1)),
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


def summary(node, reports):
    """(totals, rows by child node, rows by industry) from one GROUP BY child path and industry: one pass over
    the reports instead of three. At most (children + 1) x industries groups come back; Python folds them."""
    child_length = len(node.path) + Node.steplen
    cells = reports.annotate(child_path=Substr("node_path", 1, child_length)).values("child_path", "industry_id").annotate(**TOTALS).order_by()
    overall, per_path, per_industry = _zeros(), {}, {}
    for cell in cells:
        path, industry_id = cell.pop("child_path"), cell.pop("industry_id")
        for bucket in (overall, per_path.setdefault(path, _zeros()), per_industry.setdefault(industry_id, _zeros())):
            for key, value in cell.items():
                bucket[key] += value
    rows = [{"label": child.name, **per_path.get(child.path, _zeros())} for child in Node.objects.get_children(node)]
    if node.path in per_path:
        rows.append({"label": node.name, **per_path[node.path]})
    names = dict(Industry.objects.values_list("pk", "name"))
    industries = sorted(
        ({"label": names.get(industry_id, ""), **row} for industry_id, row in per_industry.items()), key=lambda row: -row["activities"]
    )
    return overall, rows, industries


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
    reported = Exists(ActivityReport.objects.filter(campaign=campaign, collective=OuterRef("pk")))
    return {"reported": collectives.filter(reported), "missing": collectives.exclude(reported)}


def volunteer_ranking(node, starts_on, ends_on):
    """Collectives of the subtree by volunteer hours in the period (a queryset of aggregated rows)."""
    # Grouped by the collective's primary key, so PostgreSQL knows there is one group per collective (a hash
    # aggregate of a few thousand rows) instead of grouping by (id, name, unit) with a sort of every report.
    return (
        Collective.objects.filter(
            reports__node_path__startswith=node.path,
            reports__held_on__gte=starts_on,
            reports__held_on__lte=ends_on,
            reports__kind__in=ReportKind.with_hours(),
        )
        .values("pk", collective__name=F("name"), collective__workplace_unit=F("workplace_unit"))
        .annotate(hours=Sum("reports__volunteer_hours"), points=Sum("reports__volunteer_points"), services=Count("reports"))
        .order_by("-hours", "pk")
    )
