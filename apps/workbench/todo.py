"""What waits on a staff member (待办): counts and deadlines, each from one query per source, scoped first.

Every count is narrowed to the user's nodes or subtrees (a prefix match on Node.path, served by its index) before
it is counted, so the page costs the same number of queries whatever the number of memberships or items.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from apps.activities.models import ActivityReport, Campaign, HoursCheck
from apps.activities.rollups import participation_counts
from apps.collectives.models import ChangeRequest, ChangeStatus, NodeStatusCount, Status
from apps.complaints.models import Complaint, ComplaintStatus, Warning
from apps.evaluations import queries
from apps.evaluations.enums import AppStatus, InspectionStatus, ObjectionStatus, RoundStage
from apps.evaluations.models import Application, Inspection, Objection, ReviewAssignment
from apps.organizations.enums import Action, Role
from apps.rechecks.models import Rectification, RectificationStatus, RevocationProposal

DEADLINE_DAYS = 7
# Rows of the per-round and per-committee lists; the queues behind the links show the rest.
LIST_LIMIT = 20
# Running campaigns of the user's own committees whose missing reports are counted: the ones ending soonest.
CAMPAIGN_LIMIT = 3
# Counting the collectives that have not reported reads the campaign's whole subtree (500,000 at the national
# node); the figure is the same for everyone who sees it, so it is shared briefly.
CAMPAIGN_MISSING_TTL = 600


@dataclass
class Item:
    label: str
    count: int
    url: str


@dataclass
class Deadline:
    day: date
    kind: str
    subject: str
    url: str


def _url(name, *args, **params):
    url = reverse(name, args=args)
    return f"{url}?{urlencode(params)}" if params else url


def _at_own_nodes(scope, action, node_field):
    """Rows whose `node_field` is one of the user's own nodes for `action` (not the nodes below them)."""
    if scope.user.is_superuser:
        return Q()
    return Q(**{f"{node_field}__in": [node.pk for node in scope.root_nodes(action)]})


def _is_expert(scope):
    return any(m.role == Role.EXPERT for m in scope.memberships)


def items(scope, today):
    """The counts that wait on the user, only for what their roles allow and only when there is something."""
    found = []
    for source in (_registrations, _applications, _scores, _inspections, _complaints, _rectifications, _objections, _campaigns, _volunteer_hours):
        found.extend(item for item in source(scope, today) if item.count)
    return found


def _registrations(scope, today):
    if not scope.can(Action.REVIEW_REGISTRATIONS):
        return []
    # The per-committee counters the queue's tabs read: no count over the subtree's collectives.
    submitted = NodeStatusCount.in_scope(scope, Action.REVIEW_REGISTRATIONS).get(Status.SUBMITTED, 0)
    # Pending changes are few at any time (one per named collective at most): counted over the waiting ones only.
    changes = scope.filter(ChangeRequest.objects.filter(status=ChangeStatus.PENDING), Action.REVIEW_REGISTRATIONS, "collective__registering_node")
    return [
        Item(_("Registrations to review"), submitted, _url("collectives:staff_queue", status=Status.SUBMITTED)),
        Item(_("Changes of named collectives to decide"), changes.count(), _url("collectives:change_queue")),
    ]


def _applications(scope, today):
    if not scope.can(Action.RECOMMEND):
        return []
    # Recommendation goes node by node: only applications waiting on the user's own committees.
    return [Item(_("Applications waiting on your committee"), queries.waiting_on(scope).count(), _url("evaluations:application_queue", tab="waiting"))]


def _scores(scope, today):
    if not _is_expert(scope):
        return []
    owed = ReviewAssignment.objects.filter(expert=scope.user, submitted_at__isnull=True, application__status=AppStatus.REVIEW)
    return [Item(_("Applications you have yet to score"), owed.count(), _url("evaluations:review_list"))]


def _inspections(scope, today):
    """On-site inspections the user leads whose findings are still to record."""
    if not scope.memberships:
        return []
    to_record = Inspection.objects.filter(lead=scope.user, status=InspectionStatus.PLANNED)
    return [Item(_("On-site inspections to record"), to_record.count(), _url("evaluations:inspection_list"))]


def _complaints(scope, today):
    if not scope.can(Action.HANDLE_COMPLAINTS):
        return []
    in_scope = scope.filter(Complaint.objects.all(), Action.HANDLE_COMPLAINTS, "node")
    waiting = [ComplaintStatus.RECEIVED, ComplaintStatus.INVESTIGATING]
    counts = in_scope.filter(status__in=waiting).aggregate(**{s.value: Count("pk", filter=Q(status=s)) for s in waiting})
    return [
        Item(_("Complaints to accept"), counts[ComplaintStatus.RECEIVED], _url("complaints:queue", status=ComplaintStatus.RECEIVED)),
        Item(_("Complaints under investigation"), counts[ComplaintStatus.INVESTIGATING], _url("complaints:queue", status=ComplaintStatus.INVESTIGATING)),
    ]


def _volunteer_hours(scope, today):
    if not scope.can(Action.MODERATE_REPORTS):
        return []
    to_verify = scope.filter(
        ActivityReport.objects.filter(hours_check__in=HoursCheck.open()), Action.MODERATE_REPORTS, "collective__registering_node"
    )
    return [Item(_("Volunteer hours to verify"), to_verify.count(), _url("activities:staff_reports", hours="check"))]


def _rectifications(scope, today):
    """Completion reports to accept or reject (the collective's complaint handlers), titles proposed for revocation
    (the naming committee's admins)."""
    found = []
    if scope.can(Action.HANDLE_COMPLAINTS):
        reported = scope.filter(
            Rectification.objects.filter(status=RectificationStatus.REPORTED), Action.HANDLE_COMPLAINTS, "collective__registering_node"
        )
        found.append(Item(_("Rectifications reported done, to check"), reported.count(), _url("rechecks:rectifications")))
    if scope.can(Action.MANAGE_NODE):
        proposed = scope.filter(RevocationProposal.objects.filter(decision=""), Action.MANAGE_NODE, "node")
        found.append(Item(_("Titles proposed for revocation"), proposed.count(), _url("rechecks:proposals")))
    return found


def _objections(scope, today):
    """Open objections to the notices of rounds run by the user's own committees, one line per round."""
    if not scope.can(Action.MANAGE_NODE):
        return []
    per_round = (
        Objection.objects.filter(status=ObjectionStatus.OPEN)
        .filter(_at_own_nodes(scope, Action.MANAGE_NODE, "notice__round__node"))
        .values("notice__round", "notice__round__title")
        .annotate(n=Count("pk"))
        .order_by("notice__round")[:LIST_LIMIT]
    )
    return [
        Item(_("Open objections: %(round)s") % {"round": row["notice__round__title"]}, row["n"], _url("evaluations:round_detail", row["notice__round"]))
        for row in per_round
    ]


def _campaigns(scope, today):
    """Collectives that have not reported yet for the running campaigns of the user's own committees."""
    if not scope.can(Action.VIEW):
        return []
    running = list(
        Campaign.objects.filter(_at_own_nodes(scope, Action.VIEW, "node"), starts_on__lte=today, ends_on__gte=today)
        .select_related("node")
        .order_by("ends_on", "pk")[:CAMPAIGN_LIMIT]
    )
    keys = {campaign.pk: f"todo:campaign-missing:{campaign.pk}" for campaign in running}
    cached = cache.get_many(keys.values())
    found = []
    for campaign in running:
        missing = cached.get(keys[campaign.pk])
        if missing is None:
            missing = participation_counts(campaign.node, campaign)["missing"]
            cache.set(keys[campaign.pk], missing, CAMPAIGN_MISSING_TTL)
        found.append(
            Item(_("Not yet reported for %(campaign)s") % {"campaign": campaign.title}, missing, _url("activities:campaign_detail", campaign.pk, show="missing"))
        )
    return found


def deadlines(scope, today):
    """Application windows, recommendation deadlines, notice ends and rectification deadlines of the next 7 days."""
    window = (today, today + timedelta(days=DEADLINE_DAYS))
    found = []
    if scope.can(Action.VIEW):
        found.extend(_round_deadlines(scope, window))
    if scope.can(Action.HANDLE_COMPLAINTS):
        found.extend(_rectification_deadlines(scope, window))
    return sorted(found, key=lambda deadline: deadline.day)


def _round_deadlines(scope, window):
    rounds = (
        queries.visible_rounds(scope)
        .filter(
            Q(stage=RoundStage.OPEN, application_closes__range=window)
            | Q(stage__in=[RoundStage.OPEN, RoundStage.REVIEW], recommendation_closes__range=window)
            | Q(stage=RoundStage.NOTICE, notice__closes_on__range=window)
        )
        .values("pk", "title", "stage", "application_closes", "recommendation_closes", "notice__closes_on")
        .order_by("pk")[:LIST_LIMIT]
    )
    found = []
    for r in rounds:
        url = _url("evaluations:round_detail", r["pk"])
        if r["stage"] == RoundStage.OPEN and window[0] <= r["application_closes"] <= window[1]:
            found.append(Deadline(r["application_closes"], _("Applications close"), r["title"], url))
        closes = r["recommendation_closes"]
        if r["stage"] in (RoundStage.OPEN, RoundStage.REVIEW) and closes and window[0] <= closes <= window[1]:
            found.append(Deadline(closes, _("Recommendations close"), r["title"], url))
        if r["stage"] == RoundStage.NOTICE and r["notice__closes_on"] and window[0] <= r["notice__closes_on"] <= window[1]:
            found.append(Deadline(r["notice__closes_on"], _("Public notice ends"), r["title"], url))
    return found


def _rectification_deadlines(scope, window):
    warnings = scope.filter(
        Warning.objects.open().filter(deadline__range=window), Action.HANDLE_COMPLAINTS, "collective__registering_node"
    ).values("deadline", "collective_id", "collective__name").order_by("deadline", "pk")[:LIST_LIMIT]
    return [
        Deadline(w["deadline"], _("Rectification due"), w["collective__name"], _url("collectives:staff_detail", w["collective_id"]))
        for w in warnings
    ]


def holding_past_deadline(scope, today):
    """For a parent committee: the committees below it still holding applications after a round's recommendation
    deadline, with how many, in one grouped query."""
    if not scope.can(Action.RECOMMEND):
        return []
    below = scope.filter(
        Application.objects.filter(status=AppStatus.PENDING, round__recommendation_closes__lt=today),
        Action.RECOMMEND,
        "current_node",
    )
    if not scope.user.is_superuser:
        below = below.exclude(current_node__in=[node.pk for node in scope.root_nodes(Action.RECOMMEND)])
    rows = (
        below.values("current_node__name", "round", "round__title", "round__recommendation_closes")
        .annotate(n=Count("pk"))
        .order_by("round__recommendation_closes", "current_node__path", "round")[:LIST_LIMIT]
    )
    return [{**row, "url": _url("evaluations:application_queue", tab="all", round=row["round"])} for row in rows]
