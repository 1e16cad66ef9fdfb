"""Scheduled notices (run by the scheduler, civpost/schedule.py): deadline reminders 7 days before and on the day,
escalation to the parent committee of a committee holding applications past a round's recommendation deadline, and
overdue rectification and re-check notices.

Each notice has a key (kind, object, date, recipient): running a job twice, or on two days for the same event, sends
nothing new (services.notify skips a key already written). A deadline moved (a window extended) is a new date and so
a new reminder. Each job answers how many notifications it wrote.
"""

from datetime import timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.complaints.models import Warning, WarningKind
from apps.evaluations.enums import AppStatus, RoundStage
from apps.evaluations.models import Application, Round
from apps.notifications.services import notify
from apps.organizations.enums import Action
from apps.organizations.models import Membership, Node
from apps.rechecks.models import Recheck

REMIND_DAYS_BEFORE = 7


def _when(day, today):
    return _("today") if day == today else _("in %(days)s days (%(date)s)") % {"days": (day - today).days, "date": day.isoformat()}


def deadline_reminders(today):
    """Application windows, recommendation deadlines, notice ends, rectification and re-check report due dates that
    fall today or in REMIND_DAYS_BEFORE days: each party is told once per deadline and offset."""
    days = [today, today + timedelta(days=REMIND_DAYS_BEFORE)]
    return sum(
        job(today, days)
        for job in (_application_windows, _recommendation_deadlines, _notice_ends, _rectifications_due, _recheck_reports_due)
    )


def _application_windows(today, days):
    """The 号长 of each collective with an application still unsubmitted (draft or returned) in an open round."""
    written = 0
    for round in Round.objects.filter(stage=RoundStage.OPEN, application_closes__in=days):
        leaders = [
            app.collective.leader_account
            for app in Application.objects.filter(round=round, status__in=AppStatus.editable()).select_related("collective__leader_account")
        ]
        subject = _("Applications to %(round)s close %(when)s") % {"round": round.title, "when": _when(round.application_closes, today)}
        written += len(notify(leaders, subject, _("Submit your application before the window closes."), "/my/", key=f"remind:apply:{round.pk}:{round.application_closes}"))
    return written


def _recommendation_deadlines(today, days):
    """The staff of each committee still holding applications of the round."""
    written = 0
    for round in Round.objects.filter(stage__in=[RoundStage.OPEN, RoundStage.REVIEW], recommendation_closes__in=days):
        holding = dict(
            Application.objects.filter(round=round, status=AppStatus.PENDING).values_list("current_node").annotate(n=Count("pk")).order_by()
        )
        staff = Membership.objects.staff_of(list(holding), Action.RECOMMEND)
        for node_id, users in staff.items():
            subject = _("Recommendations for %(round)s close %(when)s: %(count)s applications wait on your committee") % {
                "round": round.title,
                "when": _when(round.recommendation_closes, today),
                "count": holding[node_id],
            }
            url = f"/workbench/applications/?round={round.pk}"
            written += len(notify(users, subject, url=url, key=f"remind:recommend:{round.pk}:{node_id}:{round.recommendation_closes}"))
    return written


def _notice_ends(today, days):
    """The staff of the round's committee, who name the list once the notice is over."""
    written = 0
    rounds = list(Round.objects.filter(stage=RoundStage.NOTICE, notice__closes_on__in=days).select_related("notice"))
    staff = Membership.objects.staff_of([r.node_id for r in rounds], Action.RECOMMEND)
    for round in rounds:
        closes = round.notice.closes_on
        subject = _("The public notice of %(round)s ends %(when)s") % {"round": round.title, "when": _when(closes, today)}
        written += len(notify(staff.get(round.node_id, []), subject, url=round.get_absolute_url(), key=f"remind:notice:{round.pk}:{closes}"))
    return written


def _rectifications_due(today, days):
    """The 号长 of the collective and the staff of its registering committee."""
    written = 0
    warnings = list(
        Warning.objects.open()
        .filter(kind=WarningKind.RECTIFICATION, deadline__in=days)
        .select_related("collective__leader_account")
    )
    staff = Membership.objects.staff_of([w.collective.registering_node_id for w in warnings], Action.HANDLE_COMPLAINTS)
    for warning in warnings:
        collective = warning.collective
        subject = _("Rectification of %(name)s is due %(when)s") % {"name": collective.name, "when": _when(warning.deadline, today)}
        key = f"remind:rectify:{warning.pk}:{warning.deadline}"
        written += len(notify([collective.leader_account], subject, warning.required_changes, "/my/", key=key))
        written += len(notify(staff.get(collective.registering_node_id, []), subject, url=reverse("collectives:staff_detail", args=[collective.pk]), key=f"{key}:staff"))
    return written


def _recheck_reports_due(today, days):
    """The 号长 of each collective of an open re-check that has not filed its report."""
    written = 0
    for recheck in Recheck.objects.filter(closed_at__isnull=True, report_due__in=days):
        items = recheck.items.filter(report_filed_at__isnull=True).select_related("honor__collective__leader_account")
        leaders = [item.honor.collective.leader_account for item in items]
        subject = _("Your re-check report for %(title)s is due %(when)s") % {"title": recheck.title, "when": _when(recheck.report_due, today)}
        written += len(notify(leaders, subject, url="/my/", key=f"remind:recheck:{recheck.pk}:{recheck.report_due}"))
    return written


def escalations(today):
    """A committee still holding applications after the round's recommendation deadline: its parent committee's staff
    are told, once per round and committee."""
    rows = list(
        Application.objects.filter(status=AppStatus.PENDING, round__recommendation_closes__lt=today)
        .values("round", "round__title", "current_node")
        .annotate(n=Count("pk"))
        .order_by("round", "current_node")
    )
    nodes = Node.objects.in_bulk([row["current_node"] for row in rows])
    parent_paths = {node.path[: -Node.steplen] for node in nodes.values() if node.depth > 1}
    parents = dict(Node.objects.filter(path__in=parent_paths).values_list("path", "pk"))
    staff = Membership.objects.staff_of(list(parents.values()), Action.RECOMMEND)
    written = 0
    for row in rows:
        node = nodes[row["current_node"]]
        subject = _("%(node)s still holds %(count)s applications of %(round)s past the recommendation deadline") % {
            "node": node.name,
            "count": row["n"],
            "round": row["round__title"],
        }
        url = f"/workbench/applications/?tab=all&round={row['round']}"
        parent = parents.get(node.path[: -Node.steplen])
        written += len(notify(staff.get(parent, []), subject, url=url, key=f"escalate:{row['round']}:{node.pk}"))
    return written


def overdue_notices(today):
    """Rectifications past their deadline (the registering committee may revoke) and re-checks past their report due
    date with reports missing (the re-check's committee)."""
    written = 0
    warnings = list(
        Warning.objects.open().filter(kind=WarningKind.RECTIFICATION, deadline__lt=today).select_related("collective")
    )
    staff = Membership.objects.staff_of([w.collective.registering_node_id for w in warnings], Action.HANDLE_COMPLAINTS)
    for warning in warnings:
        collective = warning.collective
        subject = _("The rectification of %(name)s is overdue (due %(date)s)") % {"name": collective.name, "date": warning.deadline.isoformat()}
        written += len(
            notify(staff.get(collective.registering_node_id, []), subject, url=reverse("collectives:staff_detail", args=[collective.pk]), key=f"overdue:rectify:{warning.pk}:{warning.deadline}")
        )
    rechecks = list(
        Recheck.objects.filter(closed_at__isnull=True, report_due__lt=today, items__report_filed_at__isnull=True)
        .annotate(missing=Count("items"))
        .order_by("pk")
    )
    staff = Membership.objects.staff_of([r.node_id for r in rechecks], Action.HANDLE_COMPLAINTS)
    for recheck in rechecks:
        subject = _("%(count)s re-check reports of %(title)s are overdue (due %(date)s)") % {
            "count": recheck.missing,
            "title": recheck.title,
            "date": recheck.report_due.isoformat(),
        }
        written += len(notify(staff.get(recheck.node_id, []), subject, url=recheck.get_absolute_url(), key=f"overdue:recheck:{recheck.pk}:{recheck.report_due}"))
    return written
