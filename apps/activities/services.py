"""Filing, editing and moderating reports: who may, and what each records."""

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit import labels
from apps.audit.models import record
from apps.notifications.services import notify
from apps.organizations.enums import Action
from apps.organizations.scope import StaffScope

from .models import ActivityReport, HoursCheck, VolunteerHours


REMOVED_MEMBERS = gettext_lazy("Members removed since (anonymised)")

labels.register(
    actions={
        "authorise_reporter": gettext_lazy("Reporter authorised"),
        "revoke_reporter": gettext_lazy("Reporter authorisation withdrawn"),
        "flag": gettext_lazy("Hidden from the public"),
        "unflag": gettext_lazy("Shown publicly again"),
    }
)


def may_file(user, collective):
    """The 号长, or an account the 号长 authorised, of a registered collective."""
    if collective.status != "registered":
        return False
    return collective.leader_account_id == user.pk or collective.report_authorisations.filter(user=user).exists()


def may_edit(user, report):
    """Within the editing window, or while staff wait for evidence of its volunteer hours."""
    in_window = timezone.now() <= report.editable_until() or report.hours_check == HoursCheck.EVIDENCE
    return in_window and may_file(user, report.collective)


def may_moderate(user, report, scope=None):
    return (scope or StaffScope(user)).can(Action.MODERATE_REPORTS, report.collective.registering_node)


def remove_photo(photo):
    with transaction.atomic():
        photo.delete()
        transaction.on_commit(lambda: (photo.image.delete(save=False), photo.thumbnail.delete(save=False)))


def flag(report, user, reason):
    with transaction.atomic():
        report = ActivityReport.objects.select_for_update().get(pk=report.pk)
        report.flagged, report.flag_reason, report.flagged_by = True, reason, user
        report.save(update_fields=["flagged", "flag_reason", "flagged_by", "updated_at"])
        record(report, actor=user, action="flag", from_state="visible", to_state="flagged", comment=reason)
        notify(
            [report.collective.leader_account],
            _("Your report “%(title)s” was hidden from the public") % {"title": report.title},
            reason,
            f"/my/collectives/{report.collective_id}/reports/",
        )
    return report


def unflag(report, user):
    with transaction.atomic():
        report = ActivityReport.objects.select_for_update().get(pk=report.pk)
        report.flagged, report.flag_reason = False, ""
        report.save(update_fields=["flagged", "flag_reason", "updated_at"])
        record(report, actor=user, action="unflag", from_state="flagged", to_state="visible")
    return report


def member_hours(collective):
    """Each member's volunteer hours and points (each service at the rate of its day), most hours first; the hours
    of members removed since are one row, without a name."""
    rows = (
        VolunteerHours.objects.filter(report__collective=collective)
        .values("member_id", "member__name")
        .annotate(hours=Sum("hours"), points=Sum("points"))
        .order_by("-hours", "member__name")
    )
    return [{"name": r["member__name"] or REMOVED_MEMBERS, "hours": r["hours"], "points": r["points"]} for r in rows]
