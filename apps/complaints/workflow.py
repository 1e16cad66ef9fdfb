"""Complaints and warnings: the states, who may move them, what each step records and whom it tells.

Complaint:  received ──accept──▶ investigating ──ask statement──▶ awaiting_statement ──collective answers──▶ investigating
            received | investigating ──close──▶ upheld | not_upheld

The complainant's name and contact never leave the staff pages: notifications to the collective carry only
what happened and when.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit import labels
from apps.audit import workflow as audit
from apps.audit.models import record
from apps.audit.workflow import TransitionError, change_state, require_state
from apps.notifications.services import notify
from apps.organizations.enums import Action
from apps.organizations.models import Membership
from apps.organizations.scope import StaffScope

from .models import Complaint, ComplaintStatus, Warning, WarningKind




def may_handle(user, complaint_or_collective, scope=None):
    node = getattr(complaint_or_collective, "node", None) or complaint_or_collective.registering_node
    return (scope or StaffScope(user)).can(Action.HANDLE_COMPLAINTS, node)


def _locked(pk):
    return Complaint.objects.select_for_update(of=("self",)).select_related("collective__leader_account", "node").get(pk=pk)


REFUSAL = gettext_lazy("This complaint is now “%(state)s”; the action is no longer possible.")


def _node_staff(node):
    return Membership.objects.staff_at(node, Action.HANDLE_COMPLAINTS)


def _tell_collective(complaint, subject, body=""):
    notify([complaint.collective.leader_account], subject, body, f"/my/complaints/{complaint.pk}/")


def file(complaint):
    """A complaint from the public: saved, recorded, and sent to the registering committee and the collective."""
    with transaction.atomic():
        complaint.node = complaint.collective.registering_node
        complaint.save()
        record(complaint, actor=None, action="file", to_state=complaint.status)
        notify(_node_staff(complaint.node), _("New complaint about %(name)s") % {"name": complaint.collective.name}, url=f"/workbench/complaints/{complaint.pk}/")
        _tell_collective(
            complaint,
            _("A complaint about %(name)s was received") % {"name": complaint.collective.name},
            _("On %(date)s: %(text)s") % {"date": complaint.happened_on, "text": complaint.what_happened},
        )
    return complaint


def accept(pk, user):
    with transaction.atomic():
        complaint = _locked(pk)
        if not may_handle(user, complaint):
            raise PermissionError("accept")
        require_state(complaint, (ComplaintStatus.RECEIVED,), REFUSAL)
        change_state(complaint, user, "accept", ComplaintStatus.INVESTIGATING)
    return complaint


def ask_statement(pk, user, request_text):
    with transaction.atomic():
        complaint = _locked(pk)
        if not may_handle(user, complaint):
            raise PermissionError("ask")
        require_state(complaint, (ComplaintStatus.RECEIVED, ComplaintStatus.INVESTIGATING), REFUSAL)
        request_text = request_text.strip()
        if not request_text:
            raise TransitionError(_("Say what the collective should explain."))
        complaint.statement_request = request_text
        change_state(complaint, user, "ask_statement", ComplaintStatus.AWAITING_STATEMENT, request_text)
        _tell_collective(complaint, _("Please give your statement on a complaint"), request_text)
    return complaint


def give_statement(pk, user, statement):
    with transaction.atomic():
        complaint = _locked(pk)
        if complaint.collective.leader_account_id != user.pk:
            raise PermissionError("statement")
        require_state(complaint, (ComplaintStatus.AWAITING_STATEMENT,), REFUSAL)
        statement = statement.strip()
        if not statement:
            raise TransitionError(_("Write your statement."))
        complaint.statement = statement
        change_state(complaint, user, "statement", ComplaintStatus.INVESTIGATING, statement)
        notify(_node_staff(complaint.node), _("%(name)s gave its statement") % {"name": complaint.collective.name}, url=f"/workbench/complaints/{complaint.pk}/")
    return complaint


def close(pk, user, upheld, outcome, serious=False):
    with transaction.atomic():
        complaint = _locked(pk)
        if not may_handle(user, complaint):
            raise PermissionError("close")
        require_state(complaint, (ComplaintStatus.RECEIVED, ComplaintStatus.INVESTIGATING, ComplaintStatus.AWAITING_STATEMENT), REFUSAL)
        outcome = outcome.strip()
        if not outcome:
            raise TransitionError(_("Give the reason for the outcome."))
        complaint.outcome = outcome
        complaint.serious = bool(upheld and serious)
        complaint.closed_at = timezone.now()
        to_state = ComplaintStatus.UPHELD if upheld else ComplaintStatus.NOT_UPHELD
        change_state(complaint, user, "close", to_state, outcome)
        _tell_collective(complaint, _("Outcome of a complaint: %(state)s") % {"state": to_state.label}, outcome)
    return complaint


def save_notes(pk, user, notes):
    with transaction.atomic():
        complaint = _locked(pk)
        if not may_handle(user, complaint):
            raise PermissionError("notes")
        complaint.staff_notes = notes
        complaint.save(update_fields=["staff_notes"])
    return complaint


def issue_warning(collective, user, reason, kind=WarningKind.WARNING, deadline=None, required_changes=""):
    if kind == WarningKind.WARNING and not may_handle(user, collective):
        raise PermissionError("warn")
    reason = reason.strip()
    if not reason:
        raise TransitionError(_("Give the reason for the warning."))
    with transaction.atomic():
        warning = Warning.objects.create(
            collective=collective, kind=kind, reason=reason, deadline=deadline, required_changes=required_changes, issued_by=user
        )
        record(collective, actor=user, action=f"issue_{kind}", to_state="open", comment=reason)
        subject = (
            _("Rectification required by %(date)s") % {"date": deadline}
            if kind == WarningKind.RECTIFICATION
            else _("A warning was issued to %(name)s") % {"name": collective.name}
        )
        notify([collective.leader_account], subject, "\n".join(filter(None, [reason, required_changes])), "/my/")
    return warning


def lift_warning(warning_pk, user, comment="", ending_rectification=False):
    """Lift a warning. A rectification order is lifted only by the step that ends its rectification (accepted, or the
    title kept: apps/rechecks/workflow.py), never on its own."""
    with transaction.atomic():
        warning = Warning.objects.select_for_update(of=("self",)).select_related("collective__registering_node").get(pk=warning_pk)
        if not may_handle(user, warning.collective):
            raise PermissionError("lift")
        if warning.lifted_at:
            raise TransitionError(_("This warning is already lifted."))
        if warning.kind == WarningKind.RECTIFICATION and not ending_rectification:
            raise TransitionError(_("A rectification ends when the committee accepts the collective's report of completion."))
        warning.lifted_at, warning.lifted_by, warning.lift_comment = timezone.now(), user, comment
        warning.save()
        record(warning.collective, actor=user, action=f"lift_{warning.kind}", from_state="open", to_state="lifted", comment=comment)
    return warning


ACTION_LABELS = {
    "file": gettext_lazy("Complaint received"),
    "accept": gettext_lazy("Accepted for investigation"),
    "ask_statement": gettext_lazy("Statement requested from the collective"),
    "statement": gettext_lazy("The collective gave its statement"),
    "close": gettext_lazy("Closed"),
}


labels.register(
    actions={
        "issue_warning": gettext_lazy("Warning issued"),
        "issue_rectification": gettext_lazy("Rectification ordered"),
        "lift_warning": gettext_lazy("Warning lifted"),
        "lift_rectification": gettext_lazy("Rectification confirmed"),
    },
    states={"open": gettext_lazy("open"), "lifted": gettext_lazy("lifted")},
)


def timeline(complaint):
    return audit.timeline(complaint, ACTION_LABELS, dict(ComplaintStatus.choices))
