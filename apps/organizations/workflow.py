"""Staff memberships: who may give, change and end a role, what each step checks and what it records.

    (no role) ──grant──▶ current (admin | reviewer | expert | viewer) ──end, with a reason──▶ ended
                              └──change_role──┘

A committee admin (Action.MANAGE_NODE) acts at its own node and every node below it, never above or beside it,
and never on their own memberships: nobody promotes, demotes or ends themselves. An ended membership stays
(when, by whom, why) and counts nowhere: every reader asks for `Membership.objects.current()`.
Each step checks permission, then state, and writes its audit entry in the same transaction.
"""

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.invitations import create_invited_user, invitation_url, is_pending_invitation, mail_invitation, renew_invitation
from apps.accounts.models import User
from apps.audit import labels
from apps.audit import workflow as audit
from apps.audit.models import record
from apps.audit.workflow import TransitionError

from .enums import Role
from .models import Membership
from .scope import StaffScope, may_manage

NO_ROLE, ENDED = "none", "ended"  # the states around the roles, for the audit trail

ACTION_LABELS = {
    "grant_role": gettext_lazy("Role given"),
    "change_role": gettext_lazy("Role changed"),
    "end_membership": gettext_lazy("Role ended"),
    "reissue_invitation": gettext_lazy("New password link issued"),
    "unlock_sign_in": gettext_lazy("Sign-in unlocked"),
}
STATE_LABELS = {NO_ROLE: gettext_lazy("no role"), **dict(Role.choices), ENDED: gettext_lazy("ended")}

labels.register(actions=ACTION_LABELS, states=STATE_LABELS)


def may_act_on(user, membership, scope=None):
    """The permission every step on an existing membership needs; the same predicate shows its buttons."""
    return membership.user_id != user.pk and may_manage(user, membership.node, scope)


def may_reissue(user, person, scope=None):
    """Only someone who manages every role the person holds may hand out the password link: otherwise a county
    admin could add a role to a national reviewer's fresh account, set its password and act as that reviewer."""
    scope = scope or StaffScope(user)
    memberships = list(Membership.objects.current().filter(user=person).select_related("node"))
    return bool(memberships) and person.pk != user.pk and all(may_manage(user, m.node, scope) for m in memberships)


def _require_grantable(actor, person, node, role):
    if person.pk == actor.pk or not may_manage(actor, node):
        raise PermissionError("grant")
    if not node.is_active:
        raise TransitionError(_("%(node)s is no longer active; no role can be given there.") % {"node": node.name})
    if not person.is_active:
        raise TransitionError(_("The account of %(name)s is disabled.") % {"name": person.get_full_name()})
    if Membership.objects.current().filter(user=person, node=node, role=role).exists():
        raise TransitionError(
            _("%(name)s is already %(role)s of %(node)s.") % {"name": person.get_full_name(), "role": Role(role).label, "node": node.name}
        )


def grant(actor, person, node, role, comment=""):
    """Give `person` the role at `node` and return the new membership."""
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)  # One grant per person at a time: no twin roles.
        _require_grantable(actor, person, node, role)
        membership = Membership.objects.create(user=person, node=node, role=role, granted_by=actor)
        record(membership, actor=actor, action="grant_role", from_state=NO_ROLE, to_state=role, comment=comment)
    return membership


def invite(actor, node, role, *, username, real_name, phone, email=""):
    """Create an account without a password, give it the role, and return (membership, one-time link).

    The link is mailed when the account has an address; the admin also sees it once, to pass it on.
    """
    if not may_manage(actor, node):
        raise PermissionError("invite")
    with transaction.atomic():
        try:
            person = create_invited_user(username=username, real_name=real_name, phone=phone, email=email)
        except ValidationError as error:  # Someone took the phone or username since the form was checked.
            raise TransitionError(" ".join(error.messages)) from error
        membership = grant(actor, person, node, role, comment=_("New account; its owner sets the password through a one-time link."))
        url = invitation_url(person)
        mail_invitation(person, url, _introduction(actor, membership))
    return membership, url


def change_role(actor, membership_pk, role):
    with transaction.atomic():
        membership = _locked(membership_pk)
        if not may_act_on(actor, membership):
            raise PermissionError("change_role")
        _require_current(membership)
        if role == membership.role:
            raise TransitionError(_("This is already the role."))
        if Membership.objects.current().filter(user=membership.user_id, node=membership.node_id, role=role).exists():
            raise TransitionError(_("%(name)s already holds this role at %(node)s.") % {"name": membership.user.get_full_name(), "node": membership.node.name})
        from_role = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        record(membership, actor=actor, action="change_role", from_state=from_role, to_state=role)
    return membership


def end(actor, membership_pk, reason):
    """End the membership: kept with who ended it, when and why; it no longer gives any right."""
    reason = (reason or "").strip()
    with transaction.atomic():
        membership = _locked(membership_pk)
        if not may_act_on(actor, membership):
            raise PermissionError("end")
        _require_current(membership)
        if not reason:
            raise TransitionError(_("Give the reason for ending the role."))
        membership.ended_at, membership.ended_by, membership.end_reason = timezone.now(), actor, reason
        membership.save(update_fields=["ended_at", "ended_by", "end_reason"])
        record(membership, actor=actor, action="end_membership", from_state=membership.role, to_state=ENDED, comment=reason)
    return membership


def reissue_invitation(actor, membership_pk):
    """A fresh one-time link for a person who has not chosen a password yet; earlier links stop working."""
    with transaction.atomic():
        membership = _locked(membership_pk)
        person = User.objects.select_for_update().get(pk=membership.user_id)
        scope = StaffScope(actor)
        if not may_act_on(actor, membership, scope) or not may_reissue(actor, person, scope):
            raise PermissionError("reissue_invitation")
        _require_current(membership)
        if not is_pending_invitation(person):
            raise TransitionError(_("%(name)s has already chosen a password.") % {"name": person.get_full_name()})
        url = renew_invitation(person)
        mail_invitation(person, url, _introduction(actor, membership))
        record(membership, actor=actor, action="reissue_invitation")
    return url


def is_sign_in_locked(person):
    """Has the person's account failed enough sign-ins to be locked out now (django-axes)?"""
    failures = AccessAttempt.objects.filter(
        username=person.username, attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return (failures or 0) >= settings.AXES_FAILURE_LIMIT


def unlock_sign_in(actor, membership_pk):
    """Lift the lockout of a person's account after too many wrong passwords, before it runs out by itself. The
    same admins who may hand out a password link may unlock: those who manage every role the person holds."""
    with transaction.atomic():
        membership = _locked(membership_pk)
        scope = StaffScope(actor)
        if not may_act_on(actor, membership, scope) or not may_reissue(actor, membership.user, scope):
            raise PermissionError("unlock_sign_in")
        _require_current(membership)
        if not is_sign_in_locked(membership.user):
            raise TransitionError(_("%(name)s's sign-in is not locked.") % {"name": membership.user.get_full_name()})
        axes_reset(username=membership.user.username)
        record(membership, actor=actor, action="unlock_sign_in")
    return membership


def _locked(pk):
    return Membership.objects.select_for_update(of=("self",)).select_related("user", "node").get(pk=pk)


def _require_current(membership):
    if not membership.is_current:
        raise TransitionError(_("This role ended on %(date)s.") % {"date": timezone.localtime(membership.ended_at).strftime("%Y-%m-%d")})


def _introduction(actor, membership):
    return _("%(actor)s added you to the staff of %(node)s as %(role)s on the Youth Civilization Post portal.") % {
        "actor": actor.get_full_name(),
        "node": membership.node.name,
        "role": membership.get_role_display(),
    }


def timeline(membership):
    return audit.timeline(membership, ACTION_LABELS, STATE_LABELS)
