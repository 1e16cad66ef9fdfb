"""What the post page shows of a collective's activity reports."""

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from civpost.compiled import CompiledQuery
from civpost.links import url_format

from .models import ActivityReport, ReportKind

RECENT_REPORTS = 6
THUMBNAILS = 3
REPORT_ROW = ("pk", "collective_id", "title", "held_on", "kind", "photos__pk")
NEWEST_FIRST = ("-held_on", "-pk")  # ActivityReport's own ordering, which the single post's query takes


def _recent_with_photos(collective_id):
    latest = ActivityReport.objects.public().filter(collective_id=collective_id).values("pk")[:RECENT_REPORTS]
    return ActivityReport.objects.filter(pk__in=latest).order_by(*NEWEST_FIRST, "photos__pk").values(*REPORT_ROW)


RECENT_WITH_PHOTOS = CompiledQuery(ActivityReport, _recent_with_photos)


def recent_public_reports(collective_id):
    """The collective's latest public reports with up to three thumbnails each, as plain values.

    One query compiled once (the latest reports joined to their photos, a row per photo), and URLs from one reverse()
    each (url_format): a post page opened for the first time renders this (the page's content is then cached), and
    eighteen reverse() calls and as many model instances were a quarter of its time (`make bench`)."""
    return _reports_by_collective(RECENT_WITH_PHOTOS.rows(collective_id)).get(collective_id, [])


def recent_public_reports_of(collective_ids):
    """recent_public_reports of many collectives, {collective id: reports}, in two queries: their latest public
    reports ranked within each collective, then those joined to their photos (pages stored in bulk,
    apps/collectives/public.py)."""
    ranked = ActivityReport.objects.public().filter(collective_id__in=collective_ids).annotate(
        rank=Window(RowNumber(), partition_by=F("collective_id"), order_by=[F("held_on").desc(), F("pk").desc()])
    )
    latest = list(ranked.filter(rank__lte=RECENT_REPORTS).values_list("pk", flat=True))
    rows = ActivityReport.objects.filter(pk__in=latest).order_by("collective_id", *NEWEST_FIRST, "photos__pk").values(*REPORT_ROW)
    return _reports_by_collective(rows)


def _reports_by_collective(rows):
    """{collective id: [report, …]} from rows ordered by collective, newest report first, a row per photo."""
    thumbnail_url = url_format("activities:photo_thumb")
    by_collective, report_urls, reports = {}, {}, {}
    for row in rows:
        report = reports.get(row["pk"])
        if report is None:
            collective_id = row["collective_id"]
            if collective_id not in report_urls:
                report_urls[collective_id] = url_format("activities:public_report", collective_id)
            report = reports[row["pk"]] = {
                "title": row["title"],
                "held_on": row["held_on"].isoformat(),
                "url": report_urls[collective_id].format(row["pk"]),
                "kind_label": ReportKind(row["kind"]).label,
                "thumbnails": [],
            }
            by_collective.setdefault(collective_id, []).append(report)
        if row["photos__pk"] is not None and len(report["thumbnails"]) < THUMBNAILS:
            report["thumbnails"].append(thumbnail_url.format(row["photos__pk"]))
    return by_collective
