"""The public lists of notices (`/notices/`, the home page's), rendered once per version of what they show and read from
the cache (civpost/versions.py).

A list shows each notice's dates, its round's title, its committee's name and its number of entries still active (on
notice, or named with a title not since revoked). The version is bumped when any of them can change: a notice
published, a round or a committee saved, an entry of a notice saved (published, withdrawn after an objection, named),
a title saved (named, revoked). Connected in EvaluationsConfig.ready."""

from collections import Counter

from django.db.models import Count

from civpost import versions

from .enums import AppStatus
from .models import Application, Honor

NOTICES_KEY = "notices:version"


def count_entries(notices):
    """Set `entries` on each notice: its active entries, in one statement for all of them. The named ones are
    counted by their valid titles (a title named through a round holds its round): joining the applications to
    their titles cost four times as much at national size (make bench)."""
    rounds = [notice.round_id for notice in notices]
    on_notice = Application.objects.filter(status=AppStatus.NOTICE, round__in=rounds)
    named = Honor.objects.valid().filter(round__in=rounds)
    per_round = [queryset.values("round").annotate(n=Count("pk")).values_list("round", "n").order_by() for queryset in (on_notice, named)]
    counts = Counter()
    for round_id, count in per_round[0].union(per_round[1], all=True).order_by():
        counts[round_id] += count
    for notice in notices:
        notice.entries = counts[notice.round_id]


def listed_data_changed(sender, instance, raw=False, **kwargs):
    """Signal receiver: a notice, round, title or committee saved or deleted."""
    if not raw:
        versions.bump(NOTICES_KEY)


def application_changed(sender, instance, raw=False, **kwargs):
    """Signal receiver: only an entry of a notice changes what a list counts (it enters the list when the notice is
    published, and leaves the notice only to be withdrawn or named)."""
    if not raw and instance.status in AppStatus.on_notice_list():
        versions.bump(NOTICES_KEY)
