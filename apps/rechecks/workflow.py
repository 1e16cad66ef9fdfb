"""Re-checks (复核), rectification (限期整改) and revocation (撤销): who may act, what each step checks and records.

Re-check item:  (no outcome) ──report filed by the 号长──▶ … ──outcome──▶ pass | rectify | revoke
Rectification:  open ──confirmed by staff──▶ lifted;  open past its deadline ──▶ listed for revocation
A re-check closes only when every honour in it has an outcome.

Revocation makes the honour invalid at once: the collective's highest title is recomputed, the statistics of its
committees are recomputed, and a collective left with no valid title is delisted from every public list (its page says the title was revoked and when). It keeps
its history, and the rounds' revocation bar keeps it from applying again for the set years.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.models import record
from apps.audit.workflow import TransitionError
from apps.complaints.models import Warning, WarningKind
from apps.complaints.workflow import issue_warning, lift_warning
from apps.evaluations.enums import HonorStatus
from apps.evaluations.models import Honor
from apps.evaluations.workflow import refresh_honor_level
from apps.notifications.services import notify
from apps.stats import figures as statistics
# Re-checks and revocations belong to the naming committee's admins (or those above them).
from apps.organizations.scope import may_manage

from .models import Outcome, Recheck, RecheckItem




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
        if outcome == Outcome.RECTIFY and (not deadline or deadline <= timezone.localdate()):
            raise TransitionError(_("A rectification needs a deadline in the future."))
        item.outcome, item.outcome_reason, item.decided_by, item.decided_at = outcome, reason, user, timezone.now()
        if outcome == Outcome.RECTIFY:
            item.rectification = issue_warning(
                item.honor.collective, user, reason, WarningKind.RECTIFICATION, deadline=deadline, required_changes=required_changes
            )
        item.save()
        record(item.honor, actor=user, action=f"recheck_{outcome}", to_state=outcome, comment=reason)
        if outcome == Outcome.REVOKE:
            revoke(item.honor.pk, user, reason, reference or item.recheck.title)
        elif outcome == Outcome.PASS:
            notify([item.honor.collective.leader_account], _("Re-check passed: %(title)s") % {"title": item.honor.title}, reason, "/my/")
    return item


def confirm_rectification(item_pk, user, comment=""):
    item = RecheckItem.objects.select_related("recheck__node", "rectification").get(pk=item_pk)
    if not may_manage(user, item.recheck.node):
        raise PermissionError("confirm")
    if item.rectification is None:
        raise TransitionError(_("No rectification was ordered for this honour."))
    return lift_warning(item.rectification.pk, user, comment or _("Rectification confirmed"))


def overdue_rectifications(node):
    """Rectifications ordered in re-checks of `node`'s subtree, still open after their deadline: to revoke."""
    return (
        RecheckItem.objects.filter(
            recheck__node__path__startswith=node.path,
            rectification__lifted_at__isnull=True,
            rectification__deadline__lt=timezone.localdate(),
            honor__status=HonorStatus.NAMED,
        )
        .select_related("honor__collective", "recheck", "rectification")
        .order_by("rectification__deadline")
    )


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
        today = timezone.localdate()
        honor.status, honor.revoked_on = HonorStatus.REVOKED, today
        honor.revocation_reason, honor.revocation_reference = reason, reference
        honor.save()
        collective = honor.collective
        refresh_honor_level(collective)
        if not collective.honor_level:
            collective.delisted_on = today
            collective.save(update_fields=["delisted_on"])
        # Open rectifications of this collective end with the title they were meant to save.
        Warning.objects.open().filter(collective=collective, kind=WarningKind.RECTIFICATION).update(lifted_at=timezone.now(), lifted_by=user, lift_comment=reason)
        statistics.outdated(collective.registering_node)
        record(honor, actor=user, action="revoke", from_state=HonorStatus.NAMED, to_state=HonorStatus.REVOKED, comment=f"{reference}：{reason}")
        notify([collective.leader_account], _("Your title %(title)s was revoked") % {"title": honor.title}, f"{reference}\n{reason}", "/my/")
    return honor
