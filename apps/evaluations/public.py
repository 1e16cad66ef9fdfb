"""The public lists of notices (`/notices/`, the home page's), rendered once per version of what they show and read from
the cache (civpost/versions.py).

A list shows each notice's dates, its round's title, its committee's name and its number of entries still active (on
notice, or named with a title not since revoked). The version is bumped when any of them can change: a notice
published, a round or a committee saved, an entry of a notice saved (published, withdrawn after an objection, named),
a title saved (named, revoked). Connected in EvaluationsConfig.ready."""

from collections import Counter

from django.db.models import Count
from django.utils.translation import get_language

from apps.collectives.models import Status
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


# The named list (命名名单) of a round, as a workbook or a PDF, built once per version of what it shows and served
# from the cache: building it reads every title of the round and takes seconds (a PDF of 8,000 rows, about twenty).
# A round's version is bumped when one of its titles is saved or deleted (named, revoked), when the round is saved, and
# when a collective holding one of its titles is saved (its name, unit, region or industry); the version of every
# list when a committee, region or industry is saved or deleted (their names). Connected in EvaluationsConfig.ready.
NAMED_LISTS_KEY = "named-lists:version"
# Lists change rarely and are bumped when they do: kept a day, then built again by the next visitor.
NAMED_LIST_TTL = 24 * 3600


def _named_list_key(round_pk):
    return f"named-list:{round_pk}:version"


def named_list_file(round, fmt, build):
    """The bytes of the round's named list in `fmt` and the current language, `build()` when not cached."""
    return versions.cached(
        f"named-list:{round.pk}:{fmt}:{get_language()}", [_named_list_key(round.pk), NAMED_LISTS_KEY], build, NAMED_LIST_TTL
    )


def named_list_title_changed(sender, instance, raw=False, **kwargs):
    """Signal receiver: a title saved or deleted."""
    if not raw and instance.round_id:
        versions.bump(_named_list_key(instance.round_id))


def named_list_round_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        versions.bump(_named_list_key(instance.pk))


def named_list_collective_changed(sender, instance, raw=False, **kwargs):
    """Signal receiver: a collective saved. Only a registered or dissolved one can hold a title: one indexed read of
    the rounds of its titles, none for a draft or an application under review."""
    if raw or instance.status not in Status.with_page():
        return
    for round_pk in Honor.objects.filter(collective=instance.pk, round__isnull=False).values_list("round", flat=True).distinct().order_by():
        versions.bump(_named_list_key(round_pk))


def named_list_names_changed(sender, instance, raw=False, **kwargs):
    """Signal receiver: a committee, region or industry saved or deleted."""
    if not raw:
        versions.bump(NAMED_LISTS_KEY)
