"""The registration (申报备案) state machine: the one place that says which transitions exist,
who may perform each, what each checks, and what it records (domain.md §5.1).

    draft ──submit──▶ submitted ──approve──▶ registered (争创集体)
    returned ─submit─┘     └──return──▶ returned

Views, admin actions and imports all call `perform`; none of them sets `status` directly.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit import workflow as audit
from apps.audit.models import record
from apps.audit.workflow import TransitionError
from apps.notifications.services import notify
from apps.organizations.enums import Action
from apps.organizations.models import NumberSequence
from apps.organizations.scope import StaffScope

from .models import Collective, Status

LEADER = "leader"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple
    target: str
    performer: str  # LEADER, or the staff Action required on the registering node
    comment_required: bool = False


SUBMIT = Transition("submit", gettext_lazy("Submit for registration"), (Status.DRAFT, Status.RETURNED), Status.SUBMITTED, LEADER)
APPROVE = Transition("approve", gettext_lazy("Approve registration"), (Status.SUBMITTED,), Status.REGISTERED, Action.REVIEW_REGISTRATIONS)
RETURN = Transition(
    "return", gettext_lazy("Return for revision"), (Status.SUBMITTED,), Status.RETURNED, Action.REVIEW_REGISTRATIONS, comment_required=True
)
TRANSITIONS = {t.name: t for t in (SUBMIT, APPROVE, RETURN)}

# The 号长 may change the collective's data except while the committee is reviewing it.
EDITABLE_STATES = (Status.DRAFT, Status.RETURNED, Status.REGISTERED)




def may_perform(user, collective, transition, scope=None):
    if transition.performer == LEADER:
        return collective.leader_account_id == user.pk
    return (scope or StaffScope(user)).can(transition.performer, collective.registering_node)


def available_transitions(user, collective, scope=None):
    """Transitions the user could perform now, for showing buttons; `perform` checks again."""
    return [
        t for t in TRANSITIONS.values() if collective.status in t.sources and may_perform(user, collective, t, scope)
    ]


def may_edit(user, collective):
    return collective.leader_account_id == user.pk and collective.status in EDITABLE_STATES


def submission_problems(collective):
    """What must be completed before the collective can be submitted; empty when ready."""
    problems = []
    if collective.leader_member is None:
        problems.append(_("Mark one of the members as the 号长."))
    if not collective.promise_lines:
        problems.append(_("Publish at least one service promise."))
    if not collective.pledge_accepted_at:
        problems.append(_("Accept the credit pledge."))
    return problems


def perform(transition_name, collective_pk, user, comment=""):
    """Carry out one transition atomically and return the updated collective.

    The row lock means that of two people acting at once, the second sees the state the first
    left and gets a clear TransitionError instead of a second transition.
    """
    transition = TRANSITIONS[transition_name]
    comment = comment.strip()
    with transaction.atomic():
        collective = (
            Collective.objects.select_for_update(of=("self",))
            .select_related("registering_node", "region", "leader_account")
            .get(pk=collective_pk)
        )
        if not may_perform(user, collective, transition):
            raise PermissionError(transition.name)
        if collective.status not in transition.sources:
            raise TransitionError(
                _("This collective is now “%(state)s”; “%(action)s” is no longer possible.")
                % {"state": collective.get_status_display(), "action": transition.label}
            )
        if transition.comment_required and not comment:
            raise TransitionError(_("Please explain in a comment what needs to be revised."))
        if transition is SUBMIT:
            problems = submission_problems(collective)
            if problems:
                raise TransitionError(" ".join(problems))
        if transition is APPROVE:
            _assign_registration_number(collective)
        from_state = collective.status
        collective.status = transition.target
        collective.save()
        record(
            collective, actor=user, action=transition.name, from_state=from_state, to_state=transition.target, comment=comment
        )
        if transition in (APPROVE, RETURN):
            _tell_leader(collective, transition, comment)
    return collective


def _tell_leader(collective, transition, comment):
    """The 号长 hears of the committee's decision in the portal and by mail or text message (sent by the worker,
    and not at all if the decision is reversed first)."""
    if transition is APPROVE:
        subject = _("%(name)s is registered: number %(number)s") % {"name": collective.name, "number": collective.registration_number}
    else:
        subject = _("%(name)s was returned for revision") % {"name": collective.name}
    notify([collective.leader_account], subject, comment, f"/my/collectives/{collective.pk}/", about=(collective, "status"))


def _assign_registration_number(collective):
    today = timezone.localdate()
    serial = NumberSequence.next_value(key=f"registration:{collective.region_id}", year=today.year)
    collective.registration_number = f"{collective.region_id}-{today.year}-{serial:05d}"
    collective.registered_on = today


def timeline(collective):
    """The collective's audit trail with state and action names ready for display."""
    return audit.timeline(collective, {name: t.label for name, t in TRANSITIONS.items()}, dict(Status.choices))
