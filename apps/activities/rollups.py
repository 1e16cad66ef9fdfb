"""Roll-ups for committees: totals of reports in a subtree, by child node and by industry, for a period or a
campaign, and the volunteer-hours ranking.

They read the totals the report table's triggers keep (report_totals.py): a node's roll-up reads the rows of the
node itself and of its children — a few hundred rows whatever the number of reports below. A period reads whole
months from MonthlyTotal and only its partial first and last months from the report table (report_rollup_idx);
the ranking of a calendar year reads VolunteerYear in order, any other period sums its reports."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, F, Func, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from apps.collectives.models import Collective, NodeStatusCount, Status
from apps.organizations.models import Industry, Node

from .models import ActivityReport, CampaignReporter, CampaignTotal, MonthlyTotal, ReportKind, VolunteerYear

TOTALS = {
    "activities": Count("pk"),
    "participants": Coalesce(Sum("participants"), 0),
    "beneficiaries": Coalesce(Sum("beneficiaries"), 0),
    "volunteer_services": Count("pk", filter=Q(kind__in=ReportKind.with_hours())),
    "volunteer_hours": Coalesce(Sum("volunteer_hours"), Value(Decimal(0)), output_field=DecimalField(max_digits=14, decimal_places=1)),
    "volunteer_points": Coalesce(Sum("volunteer_points"), Value(Decimal(0)), output_field=DecimalField(max_digits=16, decimal_places=1)),
}
# The same sums over rows of totals (MonthlyTotal, CampaignTotal).
SUMMED = {key: Sum(key) for key in TOTALS}


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


def period_summary(node, starts_on, ends_on, today=None):
    """(totals, rows by child node, rows by industry) of the reports held in the period."""
    children = list(Node.objects.get_children(node))
    first, end = whole_months(starts_on, ends_on, today or timezone.localdate())
    if first >= end:  # no whole month: the period's reports, at most a month of them
        return _fold(node, children, _report_cells(node, reports_for(node, starts_on=starts_on, ends_on=ends_on)))
    rows = MonthlyTotal.objects.filter(month__gte=first, month__lt=end)
    cells = _total_cells(node, children, rows)
    for edge_start, edge_end in ((starts_on, first - timedelta(days=1)), (end, ends_on)):
        if edge_start <= edge_end:
            cells += _report_cells(node, reports_for(node, starts_on=edge_start, ends_on=edge_end))
    return _fold(node, children, cells)


def campaign_summary(node, campaign):
    """(totals, rows by child node, rows by industry) of the reports on the campaign."""
    children = list(Node.objects.get_children(node))
    return _fold(node, children, _total_cells(node, children, CampaignTotal.objects.filter(campaign=campaign)))


def whole_months(starts_on, ends_on, today):
    """[first, end): the first days of the months the period covers whole. A month that runs past today counts as
    whole once the period reaches today: no report is dated in the future (ReportForm.clean_held_on)."""
    first = starts_on if starts_on.day == 1 else _next_month(starts_on)
    last_month_whole = ends_on >= today or _next_month(ends_on) - timedelta(days=1) == ends_on
    end = _next_month(ends_on) if last_month_whole else ends_on.replace(day=1)
    return first, max(first, end)


def _next_month(day):
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _total_cells(node, children, rows):
    """Cells (child path, industry, figures) from rows of totals: each child's subtree from its own rows, and the
    reports of the node itself as its subtree's rows less its children's."""
    paths = [node.path, *(child.path for child in children)]
    summed = rows.filter(path__in=paths).values("path", "industry_id").annotate(**SUMMED).order_by()
    cells, own = [], {}
    for cell in summed:
        if cell["path"] == node.path:
            own[cell["industry_id"]] = cell
        else:
            cells.append(cell)
    for cell in cells:
        subtree = own.get(cell["industry_id"])
        if subtree is not None:
            for key in TOTALS:
                subtree[key] -= cell[key]
    cells += [cell for cell in own.values() if cell["activities"]]
    return [{"child_path": cell.pop("path"), **cell} for cell in cells]


def _report_cells(node, reports):
    child_length = len(node.path) + Node.steplen
    return list(reports.annotate(child_path=Substr("node_path", 1, child_length)).values("child_path", "industry_id").annotate(**TOTALS).order_by())


def _fold(node, children, cells):
    """(totals, rows by child, rows by industry) from cells of (child path, industry): at most (children + 1) x
    industries of them; Python folds them."""
    overall, per_path, per_industry = _zeros(), {}, {}
    for cell in cells:
        path, industry_id = cell.pop("child_path"), cell.pop("industry_id")
        for bucket in (overall, per_path.setdefault(path, _zeros()), per_industry.setdefault(industry_id, _zeros())):
            for key, value in cell.items():
                bucket[key] += value
    rows = [{"label": child.name, **per_path.get(child.path, _zeros())} for child in children]
    if node.path in per_path:
        rows.append({"label": node.name, **per_path[node.path]})
    names = dict(Industry.objects.values_list("pk", "name"))
    industries = sorted(
        ({"label": names.get(industry_id, ""), **row} for industry_id, row in per_industry.items() if row["activities"]),
        key=lambda row: -row["activities"],
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
    """Collectives in scope that reported on the campaign, and those that have not (CampaignReporter: one row per
    collective that reported, probed by its unique index)."""
    collectives = collectives_in(node, campaign)
    reported = Exists(CampaignReporter.objects.filter(campaign=campaign, collective=OuterRef("pk")))
    return {"reported": collectives.filter(reported), "missing": collectives.exclude(reported)}


def participation_counts(node, campaign):
    """{"reported": n, "missing": n}, in one query that reads no collective in scope one by one.

    Who reported: the campaign's reporter rows below the node (a report carries its collective's committee path,
    kept when the collective moves), less those whose collective has left the public lists since — a reporter was
    registered when it reported, and a registered collective leaves only dissolved or delisted: a few rows, found
    from the collectives' side. The collectives in scope: the committees' status counters (NodeStatusCount, kept by
    triggers) less the delisted ones. A campaign of named collectives only counts its scope and reporters directly
    (collective_named_idx)."""
    if campaign.includes_aspiring:
        reporters = CampaignReporter.objects.filter(campaign=campaign, path__startswith=node.path)
        gone = Collective.objects.filter(Q(status=Status.DISSOLVED) | Q(delisted_on__isnull=False)).filter(
            Exists(reporters.filter(collective=OuterRef("pk")))
        )
        reported = _scalar(reporters, "COUNT", "pk") - _scalar(gone, "COUNT", "pk")
        counters = NodeStatusCount.objects.filter(node__path__startswith=node.path, status=Status.REGISTERED)
        delisted = Collective.objects.filter(status=Status.REGISTERED, delisted_on__isnull=False, registering_node__path__startswith=node.path)
        in_scope = _scalar(counters, "SUM", "count") - _scalar(delisted, "COUNT", "pk")
    else:
        participation = campaign_participation(node, campaign)
        reported, in_scope = _scalar(participation["reported"], "COUNT", "pk"), _scalar(collectives_in(node, campaign), "COUNT", "pk")
    counted = Node.objects.filter(pk=node.pk).values(reported=reported, in_scope=in_scope).get()
    return {"reported": counted["reported"], "missing": counted["in_scope"] - counted["reported"]}


def _scalar(queryset, function, field):
    """COUNT or SUM over a queryset, as a subquery (0 when it has no rows)."""
    return Coalesce(Subquery(queryset.order_by().values(value=Func(F(field), function=function))), 0)


def volunteer_ranking(node, starts_on, ends_on, today=None):
    """(rows, count): the collectives of the subtree by volunteer hours in the period — a queryset of rows with the
    collective's name and unit, services, hours and points — and how many there are when that is known cheaply
    (else None). A calendar year (to date) reads the year's rows of VolunteerYear in ranking order and counts them
    on their own index; a collective whose reports carry two committees' paths (it moved) has a row under each."""
    year = _calendar_year(starts_on, ends_on, today or timezone.localdate())
    if year is not None:
        rows = VolunteerYear.objects.filter(year=year, path__startswith=node.path, services__gt=0)
        ranked = rows.values("collective_id", "collective__name", "collective__workplace_unit", "services", "hours", "points")
        return ranked.order_by("-hours", "collective_id"), rows.count()
    # Grouped by the collective's primary key, so PostgreSQL knows there is one group per collective (a hash
    # aggregate of a few thousand rows) instead of grouping by (id, name, unit) with a sort of every report.
    ranked = (
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
    return ranked, None


def _calendar_year(starts_on, ends_on, today):
    """The year when the period is one whole calendar year (to date: no report is dated in the future), else None."""
    year_end = date(starts_on.year, 12, 31)
    if starts_on == date(starts_on.year, 1, 1) and ends_on.year == starts_on.year and ends_on >= min(year_end, today):
        return starts_on.year
    return None
