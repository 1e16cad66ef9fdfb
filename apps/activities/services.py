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

from .models import ActivityReport, ReportPhoto, VolunteerHours
from .photos import process_photo


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
    return may_file(user, report.collective) and timezone.now() <= report.editable_until()


def may_moderate(user, report, scope=None):
    return (scope or StaffScope(user)).can(Action.MODERATE_REPORTS, report.collective.registering_node)


def save_report(form, user):
    """Save the report, its photos and its volunteer hours together: all of it or none of it."""
    with transaction.atomic():
        report = form.save(commit=False)
        if report.pk is None:
            report.collective = form.collective
            report.created_by = user
        report.copy_place_from(form.collective)
        report.save()
        for upload in form.cleaned_data["new_photos"]:
            image, thumbnail = process_photo(upload)
            photo = ReportPhoto(report=report)
            photo.image.save("photo.jpg", image, save=False)
            photo.thumbnail.save("thumb.jpg", thumbnail, save=False)
            photo.save()
        hours = form.hours()
        # The hours of members removed since stay with the report (anonymised), whatever its kind now.
        report.hours.exclude(member=None).delete()
        VolunteerHours.objects.bulk_create(VolunteerHours(report=report, member=m, hours=h) for m, h in hours.items())
        kept = report.hours.filter(member=None).aggregate(total=Sum("hours"))["total"] or 0
        report.volunteer_hours = sum(hours.values(), start=kept)
        report.save(update_fields=["volunteer_hours"])
    return report


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


def member_hours(collective, points_per_hour):
    """Each member's volunteer hours and points, most hours first; the hours of members removed since are one row,
    without a name."""
    rows = (
        VolunteerHours.objects.filter(report__collective=collective)
        .values("member_id", "member__name")
        .annotate(total=Sum("hours"))
        .order_by("-total", "member__name")
    )
    return [
        {"name": r["member__name"] or REMOVED_MEMBERS, "hours": r["total"], "points": r["total"] * points_per_hour}
        for r in rows
    ]
