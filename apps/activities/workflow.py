"""The steps of activity reporting: campaign reminders, and volunteer hours that can be trusted (domain.md §8;
民政部令第67号: records true, accurate and complete).

Campaign reminders ask a collective which has not reported on a campaign to report. Staff who moderate the reports
of the collective's committee (or one above it) remind it; a collective that has reported by then is not reminded.
The reminder is recorded on the collective and sent to its 号长.

Volunteer hours:

- Each member's hours in a report earn the points of the rate in force on the day of the service, fixed when the
  hours are recorded (`PointsRule.rate_on`): a new rate never rewrites points already earned.
- A report's hours and points are the sums of its rows, recounted in the transaction that changes the rows; the
  collective's total follows the report (apps.directory.signals).
- Hours above what one person can plausibly serve — a member's total over all reports on one day or in one calendar
  month, above `VOLUNTEER_HOURS_PER_DAY` / `VOLUNTEER_HOURS_PER_MONTH` — put the report under staff review
  (`HoursCheck`). Staff ask the collective for evidence (photos, a sign-in list), then verify the hours or do not
  recognise them: their rows are removed from the totals and the audit entry keeps what they were.

States of `ActivityReport.hours_check` and the steps between them:

    (none) ─ implausible hours saved ─▶ flagged ─ request_evidence ─▶ evidence ─ report saved again ─▶ flagged
    flagged | evidence ─ confirm_hours ─▶ confirmed          flagged | evidence ─ reject_hours ─▶ rejected

Staff who moderate the collective's reports take the steps (`services.may_moderate`): permission first, then state.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit import labels
from apps.audit.models import record
from apps.audit.workflow import TransitionError
from apps.collectives.models import Collective
from apps.notifications.services import notify
from apps.organizations.enums import Action
from apps.organizations.scope import StaffScope

from . import services
from .models import ActivityReport, Campaign, HoursCheck, PointsRule, ReportPhoto, VolunteerHours
from .photos import process_photo

labels.register(
    actions={
        "hours_flagged": gettext_lazy("Hours to be verified"),
        "request_evidence": gettext_lazy("Evidence requested"),
        "evidence_provided": gettext_lazy("Evidence provided"),
        "confirm_hours": gettext_lazy("Hours verified"),
        "reject_hours": gettext_lazy("Hours not recognised"),
        "points_rate": gettext_lazy("Points rate set"),
        "remind": gettext_lazy("Reminded to report on a campaign"),
    }
)


@dataclass(frozen=True)
class HoursStep:
    label: str
    states: tuple
    to_state: str
    comment_required: bool


HOURS_STEPS = {
    "request_evidence": HoursStep(gettext_lazy("Ask for evidence"), (HoursCheck.FLAGGED,), HoursCheck.EVIDENCE, True),
    "confirm_hours": HoursStep(gettext_lazy("Verify the hours"), tuple(HoursCheck.open()), HoursCheck.CONFIRMED, False),
    "reject_hours": HoursStep(gettext_lazy("Do not recognise the hours"), tuple(HoursCheck.open()), HoursCheck.REJECTED, True),
}


def steps_available(user, report, scope=None):
    """{name: step} the user may take on the report now, for its page."""
    if report.hours_check not in HoursCheck.open() or not services.may_moderate(user, report, scope):
        return {}
    return {name: step for name, step in HOURS_STEPS.items() if report.hours_check in step.states}


# Campaign reminders --------------------------------------------------------------------------------------------


def may_remind(user, collective, campaign, scope=None):
    node = collective.registering_node
    return node.path.startswith(campaign.node.path) and (scope or StaffScope(user)).can(Action.MODERATE_REPORTS, node)


def remind(collective_pk, user, campaign_pk, comment=""):
    with transaction.atomic():
        collective = (
            Collective.objects.select_for_update(of=("self",)).select_related("registering_node", "leader_account").get(pk=collective_pk)
        )
        campaign = Campaign.objects.select_related("node").get(pk=campaign_pk)
        if not may_remind(user, collective, campaign):
            raise PermissionError("remind")
        if ActivityReport.objects.filter(campaign=campaign, collective=collective).exists():
            raise TransitionError(_("%(name)s has already reported on this campaign.") % {"name": collective.name})
        body = _("%(node)s asks every collective to report on the campaign by %(date)s.") % {"node": campaign.node.name, "date": campaign.ends_on}
        notify(
            [collective.leader_account],
            _("Reminder: %(campaign)s is waiting for your report") % {"campaign": campaign.title},
            "\n".join(filter(None, [body, comment.strip()])),
            "/my/",
        )
        record(collective, actor=user, action="remind", comment=campaign.title)
    return collective


# Filing a report and recording its hours -----------------------------------------------------------------------


def save_report(form, user):
    """Save the report, its photos and its volunteer hours together: all of it or none of it. The photos are
    re-encoded before the transaction starts: saving the report updates the roll-ups' totals of its committee and
    of every committee above it (report_totals.py), rows other filers wait for until this transaction ends."""
    photos = [process_photo(upload) for upload in form.cleaned_data["new_photos"]]
    with transaction.atomic():
        report = form.save(commit=False)
        if report.pk is None:
            report.collective = form.collective
            report.created_by = user
        report.copy_place_from(form.collective)
        report.save()
        for image, thumbnail in photos:
            photo = ReportPhoto(report=report)
            photo.image.save("photo.jpg", image, save=False)
            photo.thumbnail.save("thumb.jpg", thumbnail, save=False)
            photo.save()
        record_hours(report, form.hours(), user)
    return report


def record_hours(report, hours_by_member, user):
    """Replace the report's hours with {member: hours}, then recount and check them. Call inside the transaction
    that saves the report. The hours of members removed since stay with the report (anonymised), whatever its kind
    now."""
    rate = PointsRule.rate_on(report.held_on)
    report.hours.exclude(member=None).delete()
    VolunteerHours.objects.bulk_create(
        VolunteerHours(report=report, member=member, hours=hours, points=hours * rate) for member, hours in hours_by_member.items()
    )
    recount(report)
    _check_plausibility(report, user)


def recount(report):
    """The report's totals from its rows (after any change to them, in the same transaction)."""
    totals = report.hours.aggregate(hours=Sum("hours"), points=Sum("points"))
    report.volunteer_hours = totals["hours"] or 0
    report.volunteer_points = totals["points"] or 0
    report.save(update_fields=["volunteer_hours", "volunteer_points"])


def implausible_hours(report):
    """What is implausible about the report's hours: each member above the day's or the month's limit, with totals
    over all their reports."""
    members = report.hours.values("member_id")
    day, month = report.held_on, report.held_on.replace(day=1)
    same_day = VolunteerHours.objects.filter(member__in=members, report__held_on=day)
    same_month = VolunteerHours.objects.filter(member__in=members, report__held_on__year=month.year, report__held_on__month=month.month)
    findings = []
    for rows, limit, text in (
        (same_day, settings.VOLUNTEER_HOURS_PER_DAY, _("%(name)s: %(hours)s hours on %(date)s (plausible: at most %(limit)s)")),
        (same_month, settings.VOLUNTEER_HOURS_PER_MONTH, _("%(name)s: %(hours)s hours in %(month)s (plausible: at most %(limit)s)")),
    ):
        for row in rows.values("member__name").annotate(total=Sum("hours")).filter(total__gt=limit).order_by("member__name"):
            hours = format(Decimal(row["total"]).normalize(), "f")  # 14, 7.5: as people write hours
            findings.append(text % {"name": row["member__name"], "hours": hours, "date": day.isoformat(), "month": f"{month:%Y-%m}", "limit": limit})
    return findings


def _check_plausibility(report, user):
    findings = implausible_hours(report)
    before = report.hours_check
    if findings and before != HoursCheck.FLAGGED:
        action = "evidence_provided" if before == HoursCheck.EVIDENCE else "hours_flagged"
        _move(report, user, action, HoursCheck.FLAGGED, reason="\n".join(findings))
    elif findings:
        report.hours_check_reason = "\n".join(findings)
        report.save(update_fields=["hours_check_reason"])
    elif before in HoursCheck.open():
        # Corrected to plausible hours: nothing left to verify.
        _move(report, user, "hours_flagged", HoursCheck.NONE, reason="")


def _move(report, user, action, to_state, reason=None, comment="", changes=None):
    from_state = report.hours_check
    report.hours_check = to_state
    fields = ["hours_check"]
    if reason is not None:
        report.hours_check_reason = reason
        fields.append("hours_check_reason")
    report.save(update_fields=fields)
    record(report, actor=user, action=action, from_state=from_state, to_state=to_state, comment=comment or reason or "", changes=changes)


# Staff steps --------------------------------------------------------------------------------------------------


def take_step(report_pk, user, name, comment=""):
    """Ask for evidence, verify or do not recognise a report's hours."""
    step = HOURS_STEPS[name]
    with transaction.atomic():
        report = ActivityReport.objects.select_for_update(of=("self",)).select_related(
            "collective__registering_node", "collective__leader_account"
        ).get(pk=report_pk)
        if not services.may_moderate(user, report):
            raise PermissionError(name)
        if report.hours_check not in step.states:
            raise TransitionError(
                _("The hours of this report are now “%(state)s”; the action is no longer possible.") % {"state": report.get_hours_check_display()}
            )
        comment = comment.strip()
        if step.comment_required and not comment:
            raise TransitionError(_("Please give the reason: the collective will see it."))
        changes = _remove_hours(report) if name == "reject_hours" else None
        _move(report, user, name, step.to_state, comment=comment, changes=changes)
        _tell_collective(report, name, comment)
    return report


def _remove_hours(report):
    """Hours not recognised leave the totals; the audit entry keeps each member's hours as they were."""
    removed = {_member_name(row): (str(row.hours), "0") for row in report.hours.select_related("member")}
    before = report.volunteer_hours
    report.hours.all().delete()
    recount(report)
    return {**removed, "volunteer_hours": (str(before), str(report.volunteer_hours))}


def _member_name(row):
    return row.member.name if row.member else f"{services.REMOVED_MEMBERS}（{row.pk}）"


def _tell_collective(report, name, comment):
    subjects = {
        "request_evidence": _("Please add evidence of the volunteer hours in “%(title)s”"),
        "confirm_hours": _("The volunteer hours in “%(title)s” are verified"),
        "reject_hours": _("The volunteer hours in “%(title)s” are not recognised"),
    }
    url = f"/my/collectives/{report.collective_id}/reports/{report.pk}/edit/" if name == "request_evidence" else f"/my/collectives/{report.collective_id}/reports/"
    notify([report.collective.leader_account], subjects[name] % {"title": report.title}, comment, url)


# The rate ------------------------------------------------------------------------------------------------------


def set_points_rate(user, points_per_hour, effective_from):
    """A new rate from a day on (today or later): points earned before that day keep their rate."""
    with transaction.atomic():
        previous = PointsRule.rate_on(effective_from)
        rule = PointsRule.objects.create(points_per_hour=points_per_hour, effective_from=effective_from, updated_by=user)
        _reprice(effective_from, points_per_hour)
        record(
            rule,
            actor=user,
            action="points_rate",
            comment=effective_from.isoformat(),
            changes={"points_per_hour": (previous, points_per_hour)},
        )
    return rule


def _reprice(effective_from, points_per_hour):
    """Services already recorded on or after the day (only today's: a report is never dated in the future) take the
    new rate: two statements, however many reports a deadline day brought."""
    services = VolunteerHours.objects.filter(report__held_on__gte=effective_from)
    reports = ActivityReport.objects.filter(pk__in=list(services.values_list("report_id", flat=True).distinct()))
    services.update(points=F("hours") * points_per_hour)
    points = VolunteerHours.objects.filter(report=OuterRef("pk")).order_by().values("report").annotate(total=Sum("points")).values("total")
    reports.update(volunteer_points=Coalesce(Subquery(points), Value(Decimal(0)), output_field=ActivityReport._meta.get_field("volunteer_points")))
