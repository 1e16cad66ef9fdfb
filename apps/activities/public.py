"""What the post page shows of a collective's activity reports."""

from civpost.compiled import CompiledQuery
from civpost.links import url_format

from .models import ActivityReport, ReportKind

RECENT_REPORTS = 6
THUMBNAILS = 3


def _recent_with_photos(collective_id):
    latest = ActivityReport.objects.public().filter(collective_id=collective_id).values("pk")[:RECENT_REPORTS]
    return ActivityReport.objects.filter(pk__in=latest).order_by("-held_on", "-pk", "photos__pk").values("pk", "title", "held_on", "kind", "photos__pk")


RECENT_WITH_PHOTOS = CompiledQuery(ActivityReport, _recent_with_photos)


def recent_public_reports(collective_id):
    """The collective's latest public reports with up to three thumbnails each, as plain values.

    One query compiled once (the latest reports joined to their photos, a row per photo), and URLs from one reverse()
    each (url_format): a post page opened for the first time renders this (the page's content is then cached), and
    eighteen reverse() calls and as many model instances were a quarter of its time (`make bench`)."""
    report_url = url_format("activities:public_report", collective_id)
    thumbnail_url = url_format("activities:photo_thumb")
    reports = {}
    for row in RECENT_WITH_PHOTOS.rows(collective_id):
        report = reports.get(row["pk"])
        if report is None:
            report = reports[row["pk"]] = {
                "title": row["title"],
                "held_on": row["held_on"].isoformat(),
                "url": report_url.format(row["pk"]),
                "kind_label": ReportKind(row["kind"]).label,
                "thumbnails": [],
            }
        if row["photos__pk"] is not None and len(report["thumbnails"]) < THUMBNAILS:
            report["thumbnails"].append(thumbnail_url.format(row["photos__pk"]))
    return list(reports.values())
