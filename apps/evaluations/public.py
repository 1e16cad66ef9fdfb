"""The public lists of notices (`/notices/`, the home page's), rendered once per version of what they show and read from
the cache (civpost/versions.py).

A list shows each notice's dates, its round's title, its committee's name and its number of entries still active (on
notice, or named with a title not since revoked). The version is bumped when any of them can change: a notice
published, a round or a committee saved, an entry of a notice saved (published, withdrawn after an objection, named),
a title saved (named, revoked). Connected in EvaluationsConfig.ready."""

from django.db.models import Count, Q

from civpost import versions

from .enums import AppStatus, HonorStatus
from .models import Application

NOTICES_KEY = "notices:version"


def count_entries(notices):
    """Set `entries` on each notice: its active entries, in one query for all of them."""
    active = Q(status=AppStatus.NOTICE) | Q(status=AppStatus.NAMED, honor__status=HonorStatus.NAMED)
    rounds = [notice.round_id for notice in notices]
    counts = dict(Application.objects.filter(active, round__in=rounds).values("round").annotate(n=Count("pk")).values_list("round", "n"))
    for notice in notices:
        notice.entries = counts.get(notice.round_id, 0)


def listed_data_changed(sender, instance, raw=False, **kwargs):
    """Signal receiver: a notice, round, title or committee saved or deleted."""
    if not raw:
        versions.bump(NOTICES_KEY)


def application_changed(sender, instance, raw=False, **kwargs):
    """Signal receiver: only an entry of a notice changes what a list counts (it enters the list when the notice is
    published, and leaves the notice only to be withdrawn or named)."""
    if not raw and instance.status in AppStatus.on_notice_list():
        versions.bump(NOTICES_KEY)
