"""Account deletion requests (PIPL Art. 47): the one place that says which states a request has, who may take each
step, what each checks and what it records.

    (the 号长) ──request──▶ requested ──carry_out──▶ done     (the account is anonymised)
                                     └──refuse─────▶ refused  (with a reason the person reads)

Each step checks the permission first, then the state, then the input, and writes its audit entry in its
transaction. Carrying a request out anonymises the account (User.anonymise): the collectives it led, their public
pages, decisions, titles, volunteer-hour history and every audit entry stay as they are.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit import labels
from apps.audit import workflow as audit
from apps.audit.models import record
from apps.audit.workflow import TransitionError
from apps.collectives.models import Collective
from apps.notifications.services import notify
from apps.organizations.enums import Action
from apps.organizations.models import Node
from apps.organizations.scope import StaffScope

from .models import DeletionRequest, DeletionStatus

# Who handles the requests: the staff who approve the registrations of the committee (admins and reviewer staff).
HANDLE = Action.REVIEW_REGISTRATIONS


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: tuple
    target: str
    comment_required: bool = False


CARRY_OUT = Step("carry_out", gettext_lazy("Delete the account (anonymise)"), (DeletionStatus.REQUESTED,), DeletionStatus.DONE)
REFUSE = Step("refuse", gettext_lazy("Refuse the request"), (DeletionStatus.REQUESTED,), DeletionStatus.REFUSED, comment_required=True)
STEPS = {step.name: step for step in (CARRY_OUT, REFUSE)}

ACTION_LABELS = {
    "request": gettext_lazy("Deletion requested"),
    "carry_out": gettext_lazy("Account anonymised"),
    "refuse": gettext_lazy("Deletion refused"),
    "personal_data_export": gettext_lazy("Personal data downloaded"),
    "anonymise": gettext_lazy("Account anonymised"),
}
labels.register(actions=ACTION_LABELS)


def may_request(user):
    """Any signed-in person but staff: a committee closes its staff's accounts itself (staff management)."""
    return user.is_authenticated and not StaffScope(user).is_staff_member


def may_handle(user, deletion_request, scope=None):
    return (scope or StaffScope(user)).can(HANDLE, deletion_request.node)


def available_steps(user, deletion_request, scope=None):
    """The steps the user could take now, for the buttons; each step checks again."""
    if not may_handle(user, deletion_request, scope):
        return []
    return [step for step in STEPS.values() if deletion_request.status in step.sources]


def handling_node(user):
    """The committee whose staff handle the user's request: the nearest committee above (or at) the registering
    committees of every collective the user leads; the national committee when there is none."""
    paths = list(Collective.objects.filter(leader_account=user).values_list("registering_node__path", flat=True).distinct())
    if not paths:
        return Node.objects.filter(depth=1).order_by("path").first()
    common = paths[0]
    for path in paths[1:]:
        length = 0
        while length < min(len(common), len(path)) and common[length] == path[length]:
            length += 1
        common = common[:length]
    common = common[: len(common) - len(common) % Node.steplen]
    return Node.objects.get(path=common)


def request_deletion(user, reason):
    """The person asks to delete their account; the request waits on the staff of handling_node."""
    reason = (reason or "").strip()
    with transaction.atomic():
        if not may_request(user):
            raise PermissionError("request")
        if DeletionRequest.objects.select_for_update().filter(account=user, status__in=DeletionStatus.open()).exists():
            raise TransitionError(_("Your request to delete the account is already waiting for the committee."))
        if not reason:
            raise TransitionError(_("Please say why you want the account deleted."))
        deletion_request = DeletionRequest.objects.create(account=user, node=handling_node(user), reason=reason)
        record(deletion_request, actor=user, action="request", to_state=DeletionStatus.REQUESTED, comment=reason)
    return deletion_request


def perform(step_name, request_pk, user, comment=""):
    """Take one step on a request (carry out or refuse), atomically: permission, then state, then input."""
    step = STEPS[step_name]
    comment = (comment or "").strip()
    with transaction.atomic():
        deletion_request = DeletionRequest.objects.select_for_update(of=("self",)).select_related("node", "account").get(pk=request_pk)
        if not may_handle(user, deletion_request):
            raise PermissionError(step.name)
        if deletion_request.status not in step.sources:
            raise TransitionError(
                _("This request is now “%(state)s”; “%(action)s” is no longer possible.")
                % {"state": deletion_request.get_status_display(), "action": step.label}
            )
        if step.comment_required and not comment:
            raise TransitionError(_("Please give the reason the person will read."))
        from_state = deletion_request.status
        deletion_request.status = step.target
        deletion_request.decided_by, deletion_request.decided_at = user, timezone.now()
        deletion_request.decision_comment = comment
        deletion_request.save()
        if step is CARRY_OUT:
            _anonymise(deletion_request.account, user)
        else:
            notify(
                [deletion_request.account],
                _("Your request to delete the account was refused"),
                comment,
                "/my/privacy/",
            )
        record(deletion_request, actor=user, action=step.name, from_state=from_state, to_state=step.target, comment=comment)
    return deletion_request


def _anonymise(account, user):
    """Erase the person: the account's own data (User.anonymise), their notifications and the authorisations to
    report for others' collectives. The collectives they led keep their pages, members, reports and history."""
    account.anonymise()
    account.save()
    account.notifications.all().delete()
    account.report_authorisations.all().delete()
    record(account, actor=user, action="anonymise")


def record_personal_data_export(user, file_format):
    """The one call site of every download of a person's data: the audit entry (who, when, which format)."""
    record(user, actor=user, action="personal_data_export", comment=file_format)


def timeline(deletion_request):
    return audit.timeline(deletion_request, ACTION_LABELS, dict(DeletionStatus.choices))
