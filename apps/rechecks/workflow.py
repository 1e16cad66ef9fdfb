"""Re-checks (复核), rectification (限期整改) and revocation (撤销): who may act, what each step checks and records.

Re-check item:  (no outcome) ──report filed by the 号长──▶ … ──outcome──▶ pass | rectify | revoke
A re-check closes only when every honour in it has an outcome.

Rectification (限期整改), ordered after an upheld complaint, an inspection or a re-check (`order_rectification`),
due in one month unless the staff set another deadline:
    ordered ──report_completion (the 号长, with evidence)──▶ reported
    reported ──accept_rectification (staff)──▶ accepted           (the warning on the record is lifted)
    reported ──reject_rectification (staff)──▶ ordered            (first rejection: a new deadline)
    reported ──reject_rectification (staff, second rejection)──▶ failed
    ordered, past its deadline ──propose_overdue_revocations (the scheduler)──▶ failed
    failed: one revocation proposal per valid title at stake, in its naming committee's queue; a person decides:
        revoke (the title goes; every rectification of the collective ends)  or  keep_title ──▶ ended
Star grade (调整星级): adjust_star lowers a graded title, or restores it up to the grade it was named with.

Revocation makes the honour invalid at once: the collective's highest title is recomputed, the statistics of its
committees are recomputed, and a collective left with no valid title is delisted from every public list (its page says
the title was revoked and when). It keeps its history, and the rounds' revocation bar keeps it from applying again for the set years.
"""

import calendar

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit import labels
from apps.audit.models import record
from apps.audit.workflow import TransitionError, change_state, require_state
from apps.collectives.models import Collective
from apps.collectives.signals import collective_dissolved
from apps.complaints.models import Warning, WarningKind
from apps.complaints.workflow import issue_warning, lift_warning, may_handle
from apps.evaluations.enums import STAR_GRADES, HonorStatus
from apps.evaluations.models import Honor
from apps.evaluations.signals import inspection_requires_rectification
from apps.evaluations.workflow import refresh_honor_level
from apps.notifications.services import notify
from apps.organizations.enums import Action
from apps.organizations.models import Membership
from apps.organizations.scope import may_manage
from apps.stats import figures as statistics

from .models import (
    Outcome,
    ProposalDecision,
    Recheck,
    RecheckItem,
    Rectification,
    RectificationOrigin,
    RectificationReport,
    RectificationStatus,
    RevocationProposal,
    StarAdjustment,
)

REJECTIONS_BEFORE_REVOCATION = 2  # the rules: "a second failure leads to revocation"




def honours_in_scope(node, named_from, named_until):
    return Honor.objects.valid().filter(named_by=node, named_on__gte=named_from, named_on__lte=named_until)


def open_recheck(recheck, user):
    """Save a new re-check with one item per valid honour named by the committee in the period."""
    if not may_manage(user, recheck.node):
        raise PermissionError("open")
    with transaction.atomic():
        recheck.created_by = user
        recheck.save()
        honours = list(honours_in_scope(recheck.node, recheck.named_from, recheck.named_until).select_related("collective__leader_account"))
        RecheckItem.objects.bulk_create(RecheckItem(recheck=recheck, honor=honor) for honor in honours)
        record(recheck, actor=user, action="open", to_state="open", comment=str(len(honours)))
        notify(
            [honor.collective.leader_account for honor in honours],
            _("Re-check of your title: %(title)s") % {"title": recheck.title},
            _("File your re-check report by %(date)s.") % {"date": recheck.report_due},
            "/my/",
        )
    return recheck


def file_report(item_pk, user, report):
    with transaction.atomic():
        item = RecheckItem.objects.select_for_update(of=("self",)).select_related("honor__collective", "recheck").get(pk=item_pk)
        if item.honor.collective.leader_account_id != user.pk:
            raise PermissionError("report")
        if item.outcome or item.recheck.closed_at:
            raise TransitionError(_("The committee has already decided; the report can no longer change."))
        report = report.strip()
        if not report:
            raise TransitionError(_("Write the re-check report."))
        item.report, item.report_filed_at = report, timezone.now()
        item.save()
        record(item.honor, actor=user, action="recheck_report", comment=item.recheck.title)
    return item


def decide(item_pk, user, outcome, reason, deadline=None, required_changes="", reference=""):
    with transaction.atomic():
        item = RecheckItem.objects.select_for_update(of=("self",)).select_related("honor__collective__leader_account", "recheck__node").get(pk=item_pk)
        if not may_manage(user, item.recheck.node):
            raise PermissionError("decide")
        if item.outcome:
            raise TransitionError(_("An outcome was already recorded for this honour."))
        if item.recheck.closed_at:
            raise TransitionError(_("This re-check is closed."))
        reason = reason.strip()
        if not reason:
            raise TransitionError(_("Give the reason for the outcome."))
        item.outcome, item.outcome_reason, item.decided_by, item.decided_at = outcome, reason, user, timezone.now()
        if outcome == Outcome.RECTIFY:
            rectification = order_rectification(
                item.honor, user, RectificationOrigin.RECHECK, reason, deadline=deadline, required_changes=required_changes
            )
            item.rectification = rectification.warning
        item.save()
        record(item.honor, actor=user, action=f"recheck_{outcome}", to_state=outcome, comment=reason)
        if outcome == Outcome.REVOKE:
            revoke(item.honor.pk, user, reason, reference or item.recheck.title)
        elif outcome == Outcome.PASS:
            notify([item.honor.collective.leader_account], _("Re-check passed: %(title)s") % {"title": item.honor.title}, reason, "/my/")
    return item


def confirm_rectification(item_pk, user, comment=""):
    """The re-check page's confirmation: the committee accepts the rectification its outcome ordered."""
    item = RecheckItem.objects.select_related("recheck__node", "rectification__rectification").get(pk=item_pk)
    if not may_manage(user, item.recheck.node):
        raise PermissionError("confirm")
    if item.rectification is None:
        raise TransitionError(_("No rectification was ordered for this honour."))
    return accept_rectification(item.rectification.rectification.pk, user, comment or _("Rectification confirmed"))


def close_recheck(recheck_pk, user):
    with transaction.atomic():
        recheck = Recheck.objects.select_for_update(of=("self",)).select_related("node").get(pk=recheck_pk)
        if not may_manage(user, recheck.node):
            raise PermissionError("close")
        if recheck.closed_at:
            raise TransitionError(_("This re-check is already closed."))
        undecided = recheck.items.filter(outcome="").count()
        if undecided:
            raise TransitionError(_("%(count)s honour(s) still have no outcome.") % {"count": undecided})
        recheck.closed_at = timezone.now()
        recheck.save(update_fields=["closed_at"])
        record(recheck, actor=user, action="close", from_state="open", to_state="closed")
    return recheck


def revoke(honor_pk, user, reason, reference):
    """Revoke one honour, in one transaction: the title, the collective's public listing, the audit trail."""
    with transaction.atomic():
        honor = Honor.objects.select_for_update(of=("self",)).select_related("collective__leader_account", "collective__registering_node", "named_by").get(pk=honor_pk)
        if not may_manage(user, honor.named_by):
            raise PermissionError("revoke")
        if honor.status != HonorStatus.NAMED:
            raise TransitionError(_("This title has already been revoked."))
        reason, reference = reason.strip(), reference.strip()
        if not reason or not reference:
            raise TransitionError(_("A revocation needs a reason and a decision reference."))
        end_title(honor, user, reason, reference)
        notify([honor.collective.leader_account], _("Your title %(title)s was revoked") % {"title": honor.title}, f"{reference}\n{reason}", "/my/")
    return honor


def end_title(honor, user, reason, reference=""):
    """End a valid title (in the caller's transaction, the honour locked): revoked with its reason, kept as history;
    the collective's highest title recomputed, and a collective left with none delisted at once."""
    today = timezone.localdate()
    honor.status, honor.revoked_on = HonorStatus.REVOKED, today
    honor.revocation_reason, honor.revocation_reference = reason, reference
    honor.save()
    collective = honor.collective
    refresh_honor_level(collective)
    if not collective.honor_level:
        collective.delisted_on = today
        collective.save(update_fields=["delisted_on"])
    statistics.outdated(collective.registering_node)
    comment = f"{reference}：{reason}" if reference else reason
    # Open rectifications of this collective end with the title they were meant to save, and so does every
    # proposal to revoke this title.
    Warning.objects.open().filter(collective=collective, kind=WarningKind.RECTIFICATION).update(lifted_at=timezone.now(), lifted_by=user, lift_comment=reason)
    for rectification in Rectification.objects.filter(collective=collective, status__in=OPEN_STATUSES):
        change_state(rectification, user, "end_rectification", RectificationStatus.ENDED, reason)
    RevocationProposal.objects.filter(honor=honor, decision="").update(
        decision=ProposalDecision.REVOKED, decided_by=user, decided_at=timezone.now(), comment=comment
    )
    record(honor, actor=user, action="revoke", from_state=HonorStatus.NAMED, to_state=HonorStatus.REVOKED, comment=comment)


@receiver(collective_dissolved)
def end_titles_of_dissolved(sender, collective, user, reason, **kwargs):
    """A collective that stops existing loses its titles (domain.md §6), whoever its naming committees are."""
    reason = _("The collective was dissolved: %(reason)s") % {"reason": reason}
    for honor in Honor.objects.valid().select_for_update(of=("self",)).filter(collective=collective):
        honor.collective = collective
        end_title(honor, user, reason)



@receiver(inspection_requires_rectification)
def order_rectification_after_inspection(sender, inspection, user, **kwargs):
    """An inspection that finds the collective must rectify orders it (one month), unless one is already under way:
    that one continues, and its deadline stands."""
    collective = inspection.application.collective
    if not Rectification.objects.filter(collective=collective, status__in=RectificationStatus.under_way()).exists():
        order_rectification(collective, user, RectificationOrigin.INSPECTION, inspection.conclusion)

# Rectification (限期整改) ---------------------------------------------------------------------------------------

OPEN_STATUSES = [RectificationStatus.ORDERED, RectificationStatus.REPORTED, RectificationStatus.FAILED]


def default_deadline(today):
    """One month from `today`: the same day of the next month, or that month's last day."""
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return today.replace(year=year, month=month, day=min(today.day, calendar.monthrange(year, month)[1]))


def may_rectify(user, collective, scope=None):
    """The staff who handle complaints about the collective (its registering committee and those above) order,
    accept and reject rectifications."""
    return may_handle(user, collective, scope)


def _locked_rectification(pk):
    return Rectification.objects.select_for_update(of=("self",)).select_related("warning", "collective__leader_account", "collective__registering_node", "honor").get(pk=pk)


REFUSAL = gettext_lazy("This rectification is now “%(state)s”; the action is no longer possible.")


def _tell_staff(rectification, subject):
    notify(Membership.objects.staff_at(rectification.collective.registering_node, Action.HANDLE_COMPLAINTS), subject, url=rectification.get_absolute_url())


def order_rectification(collective_or_honor, user, origin, reason, deadline=None, required_changes="", complaint=None):
    """Order a rectification (限期整改) of a collective, or of the collective of a title (the title then is the one a
    failure puts at stake; without one, every valid title of the collective is). The deadline defaults to one month.
    Callable from any origin's own step, inside its transaction: an upheld complaint, an inspection, a re-check."""
    honor = collective_or_honor if isinstance(collective_or_honor, Honor) else None
    collective = honor.collective if honor else collective_or_honor
    if not may_rectify(user, collective) and not (honor and may_manage(user, honor.named_by)):
        raise PermissionError("rectify")
    if origin not in RectificationOrigin.values:
        raise TransitionError(_("Say what the rectification follows."))
    today = timezone.localdate()
    deadline = deadline or default_deadline(today)
    if deadline <= today:
        raise TransitionError(_("A rectification needs a deadline in the future."))
    if not reason.strip():
        raise TransitionError(_("Give the reason for the rectification."))
    with transaction.atomic():
        Collective.objects.select_for_update().filter(pk=collective.pk).first()  # one order at a time per collective
        if Rectification.objects.filter(collective=collective, status__in=RectificationStatus.under_way()).exists():
            raise TransitionError(_("%(name)s is already under rectification.") % {"name": collective.name})
        warning = issue_warning(collective, user, reason, WarningKind.RECTIFICATION, deadline=deadline, required_changes=required_changes.strip())
        rectification = Rectification.objects.create(warning=warning, collective=collective, honor=honor, origin=origin, complaint=complaint)
        record(rectification, actor=user, action="order_rectification", to_state=rectification.status, comment=reason.strip())
    return rectification


def report_completion(rectification_pk, user, text, evidence, evidence_name, evidence_extension):
    """The 号长 reports the rectification done, with evidence checked by content (the form's validate_upload)."""
    with transaction.atomic():
        rectification = _locked_rectification(rectification_pk)
        if rectification.collective.leader_account_id != user.pk:
            raise PermissionError("report")
        require_state(rectification, [RectificationStatus.ORDERED], REFUSAL)
        text = text.strip()
        if not text or not evidence:
            raise TransitionError(_("Say what was done and attach the evidence."))
        report = RectificationReport(rectification=rectification, text=text, filed_by=user, evidence_name=evidence_name[:200], evidence_extension=evidence_extension)
        report.evidence.save(evidence_name, evidence, save=False)
        report.save()
        change_state(rectification, user, "report_rectification", RectificationStatus.REPORTED, text)
        _tell_staff(rectification, _("%(name)s reports its rectification done") % {"name": rectification.collective.name})
    return rectification


def _judge_report(rectification, accepted, comment):
    report = rectification.reports.order_by("-filed_at", "-pk").first()
    report.accepted, report.verdict = accepted, comment
    report.save(update_fields=["accepted", "verdict"])


def accept_rectification(rectification_pk, user, comment=""):
    with transaction.atomic():
        rectification = _locked_rectification(rectification_pk)
        if not may_rectify(user, rectification.collective):
            raise PermissionError("accept")
        require_state(rectification, [RectificationStatus.REPORTED], REFUSAL)
        comment = comment.strip() or _("Rectification confirmed")
        _judge_report(rectification, True, comment)
        change_state(rectification, user, "accept_rectification", RectificationStatus.ACCEPTED, comment)
        lift_warning(rectification.warning.pk, user, comment, ending_rectification=True)
        notify([rectification.collective.leader_account], _("Your rectification was accepted"), comment, "/my/")
    return rectification


def reject_rectification(rectification_pk, user, comment, deadline=None):
    """Reject the reported completion: the first time with a new deadline (one month unless given), the second time
    the rectification fails and its titles are proposed for revocation."""
    with transaction.atomic():
        rectification = _locked_rectification(rectification_pk)
        if not may_rectify(user, rectification.collective):
            raise PermissionError("reject")
        require_state(rectification, [RectificationStatus.REPORTED], REFUSAL)
        comment = comment.strip()
        if not comment:
            raise TransitionError(_("Say what is still missing."))
        today = timezone.localdate()
        deadline = deadline or default_deadline(today)
        if deadline <= today:
            raise TransitionError(_("A rectification needs a deadline in the future."))
        _judge_report(rectification, False, comment)
        rectification.rejections += 1
        if rectification.rejections >= REJECTIONS_BEFORE_REVOCATION:
            _fail(rectification, user, _("Rectification rejected twice: %(comment)s") % {"comment": comment})
        else:
            warning = rectification.warning
            record(warning.collective, actor=user, action="extend_rectification", changes={"deadline": (str(warning.deadline), str(deadline))}, comment=comment)
            warning.deadline = deadline
            warning.save(update_fields=["deadline"])
            change_state(rectification, user, "reject_rectification", RectificationStatus.ORDERED, comment)
            notify(
                [rectification.collective.leader_account],
                _("Your rectification report was rejected; report again by %(date)s") % {"date": deadline},
                comment,
                "/my/",
            )
    return rectification


def _fail(rectification, user, reason):
    """The rectification failed: one revocation proposal per valid title at stake, for its naming committee."""
    change_state(rectification, user, "fail_rectification", RectificationStatus.FAILED, reason)
    honours = [rectification.honor] if rectification.honor else Honor.objects.valid().filter(collective=rectification.collective).select_related("named_by")
    proposals = [
        RevocationProposal(rectification=rectification, honor=honor, node=honor.named_by, reason=reason)
        for honor in honours
        if honor.status == HonorStatus.NAMED
    ]
    RevocationProposal.objects.bulk_create(proposals)
    for proposal in proposals:
        record(proposal.honor, actor=user, action="propose_revocation", comment=reason)
        notify(
            Membership.objects.staff_at(proposal.node, Action.MANAGE_NODE),
            _("Revocation proposed: %(name)s, %(title)s") % {"name": rectification.collective.name, "title": proposal.honor.title},
            reason,
            reverse("rechecks:proposals"),
        )
    notify([rectification.collective.leader_account], _("Your rectification failed; revocation of your title is proposed"), reason, "/my/")


def propose_overdue_revocations(today):
    """The scheduler's step: every rectification still waiting for its report after its deadline fails, and its titles
    are proposed for revocation. Idempotent: a failed rectification is never picked again."""
    overdue = Rectification.objects.filter(status=RectificationStatus.ORDERED, warning__deadline__lt=today).values_list("pk", flat=True)
    failed = 0
    for pk in list(overdue):
        with transaction.atomic():
            rectification = _locked_rectification(pk)
            if rectification.status != RectificationStatus.ORDERED or rectification.warning.deadline >= today:
                continue  # decided meanwhile
            _fail(rectification, None, _("Not rectified by the deadline %(date)s") % {"date": rectification.warning.deadline.isoformat()})
            failed += 1
    return failed


def keep_title(proposal_pk, user, comment):
    """The naming committee decides not to revoke: the proposal closes, and so does its rectification."""
    with transaction.atomic():
        proposal = RevocationProposal.objects.select_for_update(of=("self",)).select_related("node", "honor", "rectification").get(pk=proposal_pk)
        if not may_manage(user, proposal.node):
            raise PermissionError("keep")
        if proposal.decision:
            raise TransitionError(_("This proposal was already decided."))
        comment = comment.strip()
        if not comment:
            raise TransitionError(_("Give the reason for keeping the title."))
        proposal.decision, proposal.decided_by, proposal.decided_at, proposal.comment = ProposalDecision.KEPT, user, timezone.now(), comment
        proposal.save()
        record(proposal.honor, actor=user, action="keep_title", comment=comment)
        rectification = _locked_rectification(proposal.rectification_id)
        if rectification.status == RectificationStatus.FAILED and not rectification.proposals.filter(decision="").exists():
            change_state(rectification, user, "end_rectification", RectificationStatus.ENDED, comment)
            lift_warning(rectification.warning.pk, user, comment, ending_rectification=True)
        notify([rectification.collective.leader_account], _("Your title %(title)s is kept") % {"title": proposal.honor.title}, comment, "/my/")
    return proposal


# Star grade (调整星级) --------------------------------------------------------------------------------------------


def named_grade(honor):
    """The grade the title was named with: before its first adjustment, or its grade if it was never adjusted."""
    first = honor.star_adjustments.order_by("decided_on", "pk").first()
    return first.from_grade if first else honor.star_grade


def adjust_star(honor_pk, user, to_grade, reason, reference):
    """Lower a title's star grade as a sanction, or restore it after review (never above the grade it was named
    with), by decision of its naming committee."""
    with transaction.atomic():
        honor = Honor.objects.select_for_update(of=("self",)).select_related("collective__leader_account", "named_by").get(pk=honor_pk)
        if not may_manage(user, honor.named_by):
            raise PermissionError("adjust_star")
        if honor.status != HonorStatus.NAMED:
            raise TransitionError(_("This title has been revoked."))
        if honor.star_grade is None:
            raise TransitionError(_("This title is not graded by stars."))
        if to_grade not in dict(STAR_GRADES) or to_grade == honor.star_grade:
            raise TransitionError(_("Choose a grade other than the current one."))
        if to_grade > named_grade(honor):
            raise TransitionError(_("A grade can be restored up to the one the title was named with, not above."))
        reason, reference = reason.strip(), reference.strip()
        if not reason or not reference:
            raise TransitionError(_("A change of star grade needs a reason and a decision reference."))
        StarAdjustment.objects.create(
            honor=honor, from_grade=honor.star_grade, to_grade=to_grade, reason=reason, reference=reference, decided_on=timezone.localdate(), decided_by=user
        )
        action = "lower_star" if to_grade < honor.star_grade else "restore_star"
        record(honor, actor=user, action=action, changes={"star_grade": (honor.star_grade, to_grade)}, comment=f"{reference}：{reason}")
        honor.star_grade = to_grade
        honor.save(update_fields=["star_grade"])  # the post page, the directory and verification read the honour
        notify([honor.collective.leader_account], _("The star grade of your title is now: %(title)s") % {"title": honor.title}, f"{reference}\n{reason}", "/my/")
    return honor


labels.register(
    actions={
        "order_rectification": gettext_lazy("Rectification ordered"),
        "report_rectification": gettext_lazy("Completion reported"),
        "accept_rectification": gettext_lazy("Rectification accepted"),
        "reject_rectification": gettext_lazy("Completion report rejected"),
        "extend_rectification": gettext_lazy("New rectification deadline"),
        "fail_rectification": gettext_lazy("Rectification failed"),
        "end_rectification": gettext_lazy("Rectification ended"),
        "propose_revocation": gettext_lazy("Revocation proposed"),
        "keep_title": gettext_lazy("Title kept after a revocation proposal"),
        "lower_star": gettext_lazy("Star grade lowered"),
        "restore_star": gettext_lazy("Star grade restored"),
    },
    states=dict(RectificationStatus.choices),
)
