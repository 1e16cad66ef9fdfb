"""The registration (申报备案) state machine: the one place that says which transitions exist,
who may perform each, what each checks, and what it records (domain.md §5.1).

    draft ──submit──▶ submitted ──approve──▶ registered (争创集体) ──dissolve──▶ dissolved
    returned ─submit─┘     └──return──▶ returned

Submission is refused while the members fail the size, youth or 号长 rules (one reason per rule).
A named collective's changes to its name, unit or members wait as a ChangeRequest:

    pending ──approve_change──▶ approved (the collective takes the values)
            └─return_change──▶ returned (nothing changes)

Dissolution ends every valid title (apps/rechecks revokes them, keeping their history) and takes the collective off
the public lists; its page says it was dissolved. `outside_rules` is refreshed whenever the members change, and the
号长 is told when the members leave the rules.

Views, bulk actions, admin actions and imports all call these steps; none of them sets `status` directly.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
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

from .models import ChangeRequest, ChangeStatus, Collective, Member, Status
from .member_changes import apply_member_change, plan_saved_rows
from .rules import CompositionRules, check_composition, youth_birth_cutoff
from .signals import collective_dissolved

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
DISSOLVE = Transition(
    "dissolve", gettext_lazy("Mark as dissolved"), (Status.REGISTERED,), Status.DISSOLVED, Action.REVIEW_REGISTRATIONS, comment_required=True
)
TRANSITIONS = {t.name: t for t in (SUBMIT, APPROVE, RETURN)}
# Steps that are no registration decision: the timeline's labels, not the registration queue's buttons.
OTHER_ACTIONS = {
    "dissolve": DISSOLVE.label,
    "request_change": gettext_lazy("Change requested"),
    "approve_change": gettext_lazy("Change approved"),
    "return_change": gettext_lazy("Change returned"),
    "composition": gettext_lazy("Members checked against the rules"),
}

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
    """What must be completed before the collective can be submitted, one reason per rule; empty when ready."""
    problems = [f"{check.label}：{check.detail}" for check in collective.composition_checks() if not check.passed]
    if collective.leader_member is None and not problems:
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
        _require_source(collective, transition)
        if transition.comment_required and not comment:
            raise TransitionError(_("Please explain in a comment what needs to be revised."))
        if transition is SUBMIT:
            problems = submission_problems(collective)
            if problems:
                raise TransitionError(" ".join(problems))
        if transition is APPROVE:
            _assign_registration_number(collective)
        audit.change_state(collective, user, transition.name, transition.target, comment)
        if transition in (APPROVE, RETURN):
            _tell_leader(collective, transition, comment)
    return collective


def _require_source(collective, transition):
    refusal = _("This collective is now “%(state)s”; “%(action)s” is no longer possible.")
    audit.require_state(collective, transition.sources, refusal, action=transition.label)


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
    actions = {name: t.label for name, t in TRANSITIONS.items()} | OTHER_ACTIONS
    return audit.timeline(collective, actions, dict(Status.choices) | dict(ChangeStatus.choices))


# Composition ----------------------------------------------------------------------------------------------------


def composition_failures(members):
    """The size, youth and 号长 rules the members fail, with the programme's default settings."""
    return [check for check in check_composition(list(members), CompositionRules()) if not check.passed]


def refresh_compositions(collectives, user=None):
    """refresh_composition for many collectives, 500 at a time with their members in one query per batch."""
    ids = list(collectives.values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        batch = Collective.objects.filter(pk__in=ids[start:start + 500]).select_related("leader_account").prefetch_related("members")
        for collective in batch:
            refresh_composition(collective, user)
    return len(ids)


def refresh_aged_compositions(today, days=3):
    """Members also leave the rules by growing older: recheck the registered collectives of which a member passed
    the youth age, or whose 号长 passed the 号长's age limit, in the last `days` days (a missed day is caught up; a
    second run changes nothing)."""
    rules = CompositionRules()
    since = today - timedelta(days=days)
    aged = Q(birth_date__gt=youth_birth_cutoff(since, rules.youth_age), birth_date__lte=youth_birth_cutoff(today, rules.youth_age))
    aged |= Q(
        is_leader=True,
        birth_date__gt=youth_birth_cutoff(since, rules.leader_max_age),
        birth_date__lte=youth_birth_cutoff(today, rules.leader_max_age),
    )
    collectives = Collective.objects.filter(status=Status.REGISTERED, pk__in=Member.objects.filter(aged).values("collective"))
    return refresh_compositions(collectives)


def refresh_composition(collective, user=None):
    """Recompute `outside_rules` after the members changed (in the caller's transaction). A registered collective
    whose members newly leave the rules is noted on its timeline and its 号长 is told what fails."""
    failures = composition_failures(collective.members.all())
    was_outside, collective.outside_rules = collective.outside_rules, bool(failures)
    Collective.objects.filter(pk=collective.pk).update(outside_rules=collective.outside_rules)
    if collective.outside_rules and not was_outside and collective.status == Status.REGISTERED:
        reasons = "\n".join(f"{check.label}：{check.detail}" for check in failures)
        record(collective, actor=user, action="composition", comment=reasons, changes={"outside_rules": (False, True)})
        notify(
            [collective.leader_account],
            _("The members of %(name)s no longer meet the programme's rules") % {"name": collective.name},
            reasons,
            f"/my/collectives/{collective.pk}/",
        )


# Dissolution ----------------------------------------------------------------------------------------------------


def may_dissolve(user, collective, scope=None):
    """The 号长 marks their own collective dissolved; so may the staff of its registering committee (or above)."""
    return collective.leader_account_id == user.pk or may_perform(user, collective, DISSOLVE, scope)


def dissolve(collective_pk, user, reason):
    """Mark a registered collective dissolved: its titles end with the reason (history kept), a pending change
    request is returned, and it leaves the public lists; its page says when it was dissolved."""
    reason = reason.strip()
    with transaction.atomic():
        collective = Collective.objects.select_for_update(of=("self",)).select_related("leader_account").get(pk=collective_pk)
        if not may_dissolve(user, collective):
            raise PermissionError(DISSOLVE.name)
        _require_source(collective, DISSOLVE)
        if not reason:
            raise TransitionError(_("Give the reason for the dissolution."))
        collective.dissolved_on, collective.dissolution_reason = timezone.localdate(), reason
        audit.change_state(collective, user, DISSOLVE.name, DISSOLVE.target, reason)
        comment = _("Closed: the collective was dissolved.")
        for change in collective.change_requests.filter(status=ChangeStatus.PENDING):
            _decide_change(change, user, ChangeStatus.RETURNED, comment)
        collective_dissolved.send(sender=Collective, collective=collective, user=user, reason=reason)
        notify(
            [collective.leader_account],
            _("%(name)s is marked dissolved") % {"name": collective.name},
            reason,
            f"/my/collectives/{collective.pk}/",
        )
    return collective


# Change requests of named collectives ---------------------------------------------------------------------------


def request_change(collective, user, name, workplace_unit, member_rows="", member_mode="", breaks_rules=False):
    """File a named collective's change for its registering committee (in the caller's transaction, the collective
    locked): the collective keeps its approved values until the committee approves."""
    if collective.leader_account_id != user.pk:
        raise PermissionError("request_change")
    if not collective.is_named:
        raise TransitionError(_("Only a named collective's changes wait for the committee."))
    if collective.change_requests.filter(status=ChangeStatus.PENDING).exists():
        raise TransitionError(_("A change of this collective is already waiting for the committee: wait for its decision."))
    change = ChangeRequest.objects.create(
        collective=collective,
        requested_by=user,
        name=name,
        workplace_unit=workplace_unit,
        member_rows=member_rows,
        member_mode=member_mode,
        changes_members=bool(member_rows),
        breaks_rules=breaks_rules,
    )
    record(collective, actor=user, action="request_change", to_state=ChangeStatus.PENDING, changes=_profile_changes(change))
    return change


def may_decide_change(user, change, scope=None):
    return (scope or StaffScope(user)).can(Action.REVIEW_REGISTRATIONS, change.collective.registering_node)


def approve_change(change_pk, user, comment=""):
    """Apply a pending change to the collective: the proposed name and unit, the members as the rows say (checked
    again against the current members), the composition flag."""
    with transaction.atomic():
        change = _locked_change(change_pk, user)
        collective = change.collective
        if Collective.objects.filter(name=change.name, workplace_unit=change.workplace_unit).exclude(pk=collective.pk).exists():
            raise TransitionError(_("A collective with this name already exists in this workplace unit."))
        changes = _profile_changes(change)
        collective.name, collective.workplace_unit = change.name, change.workplace_unit
        collective.save()
        if change.member_rows:
            plan = plan_saved_rows(collective, change.member_rows, change.member_mode)
            if plan.parsed.errors or plan.problems:
                raise TransitionError(" ".join(plan.parsed.messages + plan.problems))
            members_before = collective.member_count
            apply_member_change(collective, plan)
            changes["member_count"] = (members_before, collective.member_count)
            refresh_composition(collective, user)
        _decide_change(change, user, ChangeStatus.APPROVED, comment, changes)
    return change


def return_change(change_pk, user, comment=""):
    comment = comment.strip()
    with transaction.atomic():
        change = _locked_change(change_pk, user)
        if not comment:
            raise TransitionError(_("Please explain in a comment what needs to be revised."))
        _decide_change(change, user, ChangeStatus.RETURNED, comment)
    return change


def _locked_change(change_pk, user):
    """The pending change and its collective, locked, after the permission and state checks (in that order). The
    collective is locked first, as the 号长's edits and the dissolution lock it, so that no two steps wait on each
    other."""
    collective_id = ChangeRequest.objects.values_list("collective_id", flat=True).get(pk=change_pk)
    collective = Collective.objects.select_for_update(of=("self",)).select_related("leader_account", "registering_node").get(pk=collective_id)
    change = ChangeRequest.objects.select_for_update().get(pk=change_pk)
    change.collective = collective
    if not may_decide_change(user, change):
        raise PermissionError("decide_change")
    if change.status != ChangeStatus.PENDING:
        raise TransitionError(_("This change request was already decided: “%(state)s”.") % {"state": change.get_status_display()})
    return change


def _decide_change(change, user, status, comment, changes=None):
    change.status, change.decided_by, change.decided_at, change.comment = status, user, timezone.now(), comment
    # The members' names and birth dates are kept only while the request waits: once decided, the members' own
    # records (or nothing, if returned) hold them, and the timeline keeps the count.
    change.member_rows = ""
    change.save()
    action = "approve_change" if status == ChangeStatus.APPROVED else "return_change"
    collective = change.collective
    record(collective, actor=user, action=action, from_state=ChangeStatus.PENDING, to_state=status, comment=comment, changes=changes)
    if status == ChangeStatus.APPROVED:
        subject = _("The change of %(name)s was approved") % {"name": collective.name}
    else:
        subject = _("The change of %(name)s was returned") % {"name": collective.name}
    notify([collective.leader_account], subject, comment, f"/my/collectives/{collective.pk}/", about=(change, "status"))


def _profile_changes(change):
    collective = change.collective
    fields = {"name": (collective.name, change.name), "workplace_unit": (collective.workplace_unit, change.workplace_unit)}
    return {field: values for field, values in fields.items() if values[0] != values[1]}
