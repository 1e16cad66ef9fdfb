"""What waits on a 号长 (the to-dos at the top of /my/), across the apps, for all their collectives at once.

Each source is one query for all the collectives (or none: the registration and the open rounds come from what the
page already loaded: the collectives themselves, their prefetched honours, and the rounds panel's eligibility,
apps/evaluations/workspace.py, computed once per request), so the list costs the same whatever the number of
collectives, campaigns or rounds. Most urgent first: what the committee is waiting for, then what has a deadline,
then what the 号长 may do.
"""

from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.activities.models import ActivityReport, AnnualSummary, Campaign
from apps.collectives.models import Status
from apps.complaints.models import Complaint, ComplaintStatus, Warning, WarningKind
from apps.evaluations.enums import AppStatus, HonorStatus, RoundStage
from apps.evaluations.workspace import round_panels
from apps.rechecks.models import RecheckItem


@dataclass
class Todo:
    text: str
    url: str
    action: str
    due: date | None = None
    urgent: bool = False


def todos(request, collectives, today):
    collectives = list(collectives)
    if not collectives:
        return []
    found = []
    for source in (_returned, _statements, _rectifications, _rechecks, _campaign_reports, _annual_summaries, _rounds):
        found.extend(source(request, collectives, today))
    return found


def _returned(request, collectives, today):
    """Registrations and applications the committee returned for revision."""
    found = [
        Todo(
            _("The committee returned the registration of %(name)s: revise it and submit it again.") % {"name": c.name},
            reverse("collectives:my_collective", args=[c.pk]),
            _("Revise"),
            urgent=True,
        )
        for c in collectives
        if c.status == Status.RETURNED
    ]
    for application in round_panels(request, collectives)["applications"]:
        if application.status == AppStatus.RETURNED:
            found.append(
                Todo(
                    _("Your application to %(round)s for %(name)s was returned: revise it and submit it again.")
                    % {"round": application.round.title, "name": application.collective.name},
                    reverse("evaluations:my_application", args=[application.pk]),
                    _("Revise"),
                    due=application.round.application_closes,
                    urgent=True,
                )
            )
    return found


def _statements(request, collectives, today):
    waiting = Complaint.objects.filter(collective__in=collectives, status=ComplaintStatus.AWAITING_STATEMENT).select_related("collective")
    return [
        Todo(
            _("The committee asks for your statement on a complaint about %(name)s.") % {"name": complaint.collective.name},
            reverse("complaints:my_complaint", args=[complaint.pk]),
            _("Give the statement"),
            urgent=True,
        )
        for complaint in waiting
    ]


def _rectifications(request, collectives, today):
    orders = (
        Warning.objects.open()
        .filter(collective__in=collectives, kind=WarningKind.RECTIFICATION)
        .select_related("collective")
        .order_by("deadline", "pk")
    )
    return [
        Todo(
            _("Rectification ordered for %(name)s: %(changes)s")
            % {"name": order.collective.name, "changes": order.required_changes or order.reason},
            reverse("collectives:my") + "#supervision",
            _("See the order"),
            due=order.deadline,
            urgent=True,
        )
        for order in orders
    ]


def _rechecks(request, collectives, today):
    items = RecheckItem.objects.filter(
        honor__collective__in=collectives, outcome="", report_filed_at__isnull=True, recheck__closed_at__isnull=True
    ).select_related("recheck", "honor__collective")
    return [
        Todo(
            _("File the re-check report of %(name)s for %(recheck)s.") % {"name": item.honor.collective.name, "recheck": item.recheck.title},
            reverse("rechecks:my_item", args=[item.pk]),
            _("Re-check report"),
            due=item.recheck.report_due,
        )
        for item in items
    ]


def _campaign_reports(request, collectives, today):
    """Running campaigns of the collectives' committees they have not reported for yet."""
    registered = [c for c in collectives if c.status == Status.REGISTERED]
    if not registered:
        return []
    campaigns = Campaign.objects.active_for(registered, today)
    campaign_ids = {campaign.pk for found in campaigns.values() for campaign in found}
    if not campaign_ids:
        return []
    reported = set(
        ActivityReport.objects.filter(collective__in=registered, campaign_id__in=campaign_ids).values_list("collective_id", "campaign_id").distinct()
    )
    return [
        Todo(
            _("Report for the campaign %(campaign)s (%(name)s).") % {"campaign": campaign.title, "name": collective.name},
            reverse("activities:report_create", args=[collective.pk]) + f"?campaign={campaign.pk}",
            _("File a report"),
            due=campaign.ends_on,
        )
        for collective in registered
        for campaign in campaigns[collective.pk]
        if (collective.pk, campaign.pk) not in reported
    ]


def _annual_summaries(request, collectives, today):
    """Last year's summary of each collective that held a title during that year (its honours are prefetched)."""
    year = today.year - 1
    due = [
        c
        for c in collectives
        if c.honor_level and any(h.status == HonorStatus.NAMED and h.named_on.year <= year for h in c.honors.all())
    ]
    if not due:
        return []
    filed = set(AnnualSummary.objects.filter(collective__in=due, year=year).values_list("collective_id", flat=True))
    return [
        Todo(
            _("File the annual summary %(year)s of %(name)s.") % {"year": year, "name": c.name},
            reverse("activities:annual_summary", args=[c.pk, year]),
            _("Annual summary"),
        )
        for c in due
        if c.pk not in filed
    ]


def _rounds(request, collectives, today):
    """Open rounds the collective may register for, or is eligible to apply to and has not applied to yet."""
    found = []
    for panel in round_panels(request, collectives)["panels"]:
        round, collective = panel["round"], panel["collective"]
        if panel["application"]:
            continue
        if panel["may_register"]:
            text = _("%(round)s is open for creation registration (创建备案) of %(name)s.")
        elif round.stage == RoundStage.OPEN and panel["eligible"]:
            text = _("%(name)s meets every rule of %(round)s: you may apply.")
        else:
            continue
        found.append(
            Todo(
                text % {"round": round.title, "name": collective.name},
                reverse("collectives:my") + f"#round-{round.pk}-{collective.pk}",
                _("See the round"),
                due=round.application_closes if round.stage in (RoundStage.OPEN, RoundStage.FILING) else None,  # the window of either
            )
        )
    return found
