"""The columns and sheets of the honour workflow's exports: a round's applications, a committee's 推荐汇总表, the
proposed list (拟命名名单) and the named list (命名名单). civpost/exports.py writes them."""

from statistics import mean

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.organizations.names import region_label
from civpost.exports import Column, Sheet, attribute, label

from .enums import AppStatus
from .models import Recommendation, ReviewAssignment
from .resources import with_related


def mean_score(application):
    """The mean of the experts' submitted totals, one decimal (None before any), from prefetched assignments."""
    totals = [a.total for a in application.assignments.all() if a.total is not None]
    return round(mean(totals), 1) if totals else None


def ranks(application):
    """共青团大观区委 1；共青团安庆市委 2: each committee's rank, in the order they recommended."""
    return "；".join(f"{r.node.name} {r.rank}" for r in application.recommendations.all() if r.decision == "recommend")


def with_scores(applications):
    """Applications with their recommendations and expert scores: two more queries per chunk, none per row."""
    return applications.prefetch_related(
        Prefetch("recommendations", queryset=Recommendation.objects.select_related("node")),
        Prefetch("assignments", queryset=ReviewAssignment.objects.only("application_id", "scores", "submitted_at")),
    )


COLLECTIVE_COLUMNS = [
    Column(gettext_lazy("collective name"), attribute("collective__name"), 30),
    Column(gettext_lazy("workplace unit"), attribute("collective__workplace_unit"), 28),
    Column(gettext_lazy("region"), lambda row: region_label(row.collective.region), 18),
    Column(gettext_lazy("industry"), attribute("collective__industry__name"), 12),
    Column(gettext_lazy("registration number"), attribute("collective__registration_number"), 18),
]


def special(application):
    """特别推荐: the committee that recommended it specially and its reason; empty for the normal path."""
    if not application.special_by_id:
        return ""
    return _("Special recommendation: %(reason)s") % {"reason": application.special_reason}


SPECIAL_COLUMN = Column(gettext_lazy("Special recommendation (特别推荐)"), special, 30)


def application_sheet(applications):
    columns = [
        Column(gettext_lazy("round"), attribute("round__title"), 28),
        *COLLECTIVE_COLUMNS,
        Column(gettext_lazy("registering committee"), attribute("collective__registering_node__name"), 20),
        Column(gettext_lazy("members"), attribute("collective__member_count"), 8),
        Column(gettext_lazy("status"), label("status", AppStatus.choices), 14),
        Column(gettext_lazy("waiting on"), attribute("current_node__name"), 18),
        SPECIAL_COLUMN,
        Column(gettext_lazy("submitted at"), attribute("submitted_at"), 18),
        Column(gettext_lazy("Recommendation ranks"), ranks, 30),
        Column(gettext_lazy("Mean score"), mean_score, 10),
        Column(gettext_lazy("on the proposed list"), lambda a: _("Yes") if a.proposed else "", 10),
        Column(gettext_lazy("star grade"), lambda a: a.get_star_grade_display() if a.star_grade else "", 10),
    ]
    return Sheet(_("Applications"), columns, with_scores(applications))


def recommendation_summary_sheet(round, node, recommendations, today=None):
    """The 推荐汇总表 a committee sends up: its recommended applications in rank order with its opinion, under a
    title naming the round, the committee and the date, over the signature and stamp area of the printed form."""
    today = today or timezone.localdate()
    columns = [
        Column(gettext_lazy("rank"), attribute("rank"), 6),
        *(Column(c.header, lambda r, get=c.value: get(r.application), c.width) for c in COLLECTIVE_COLUMNS),
        Column(gettext_lazy("members"), attribute("application__collective__member_count"), 8),
        Column(SPECIAL_COLUMN.header, lambda r: special(r.application), SPECIAL_COLUMN.width),
        Column(gettext_lazy("Recommendation opinion"), attribute("comment"), 40),
        Column(gettext_lazy("Recommended on"), lambda r: timezone.localdate(r.created_at), 12),
    ]
    heading = [
        f"{round.title} {_('Recommendation summary')}",
        _("Recommending committee: %(node)s    Date: %(date)s") % {"node": node.name, "date": date_format(today, "DATE_FORMAT")},
    ]
    footer = [_("Reporting unit (stamp):"), _("Person in charge:"), _("Date:")]
    return Sheet(_("Recommendation summary"), columns, recommendations, heading=heading, footer=footer)


def proposed_list_sheet(round, applications):
    columns = [
        *COLLECTIVE_COLUMNS,
        Column(gettext_lazy("registering committee"), attribute("collective__registering_node__name"), 20),
        SPECIAL_COLUMN,
        Column(gettext_lazy("Mean score"), mean_score, 10),
        Column(gettext_lazy("star grade"), lambda a: a.get_star_grade_display() if a.star_grade else "", 10),
        Column(gettext_lazy("status"), label("status", AppStatus.choices), 14),
    ]
    heading = [f"{round.title} {_('Proposed list')}"]
    return Sheet(_("Proposed list"), columns, with_scores(applications), heading=heading, numbered=True)


def named_list_sheet(round, honors):
    columns = [
        Column(gettext_lazy("certificate number"), attribute("certificate_number"), 20),
        Column(gettext_lazy("title"), attribute("title"), 24),
        Column(gettext_lazy("collective"), attribute("collective__name"), 30),
        Column(gettext_lazy("workplace unit"), attribute("collective__workplace_unit"), 28),
        Column(gettext_lazy("region"), lambda h: region_label(h.collective.region), 18),
        Column(gettext_lazy("industry"), attribute("collective__industry__name"), 12),
        Column(gettext_lazy("named on"), attribute("named_on"), 12),
        Column(gettext_lazy("named by"), attribute("named_by__name"), 20),
        Column(gettext_lazy("status"), lambda h: h.get_status_display(), 10),
    ]
    return Sheet(_("Named list"), columns, with_related(honors), heading=[f"{round.title} {_('Named list')}"])
