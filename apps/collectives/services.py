from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit.workflow import TransitionError

from . import workflow
from .forms import MemberFormSet
from .member_rows import ParsedMembers, member_rows_text, parse_member_rows
from .models import Collective, ConsentChannel, Member, MemberDataConsent
from .rules import CompositionRules, check_composition, youth_share
from .validation import member_key


def members_consent_needed(collective, member_formset):
    """A new collective registers its members; an existing one changes their data when a member row changed."""
    return collective.pk is None or member_formset.has_changed()


def save_collective(form, member_formset, leader_account, consent=False):
    """Save the collective with its members in one transaction: all of it or none of it. Registering or changing
    members' data needs the 号长's consent statement, recorded in the same transaction."""
    needs_consent = members_consent_needed(form.instance, member_formset)
    if needs_consent and not consent:
        raise TransitionError(str(CONSENT_REQUIRED))
    with transaction.atomic():
        collective = form.save(commit=False)
        if collective.pk is None:
            collective.leader_account = leader_account
        collective.save()
        member_formset.instance = collective
        # Clear the old 号长 flag first so moving the role never trips the one-leader constraint;
        # the formset only saves changed rows, so the flag is then set on whoever holds it now.
        collective.members.filter(is_leader=True).update(is_leader=False)
        member_formset.save()
        leader = next(f.instance for f in member_formset.forms if f.cleaned_data.get("is_leader") and not f.cleaned_data.get("DELETE"))
        Member.objects.filter(pk=leader.pk).update(is_leader=True)
        collective.member_count = collective.members.count()
        collective.save(update_fields=["member_count", "updated_at"])
        if needs_consent:
            MemberDataConsent.give(collective, leader_account, ConsentChannel.COLLECTIVE_FORM)
    return collective


CONSENT_REQUIRED = gettext_lazy(
    "Confirm that the members agreed to the registration of their data (the box above the save button): nothing was saved."
)


# Members from rows pasted or uploaded on the members page -------------------------------------------------------

REPLACE, ADD = "replace", "add"
MAX_MEMBERS = MemberFormSet.max_num


@dataclass
class MemberListChange:
    """What saving the parsed rows would do to the collective's members, computed before anything is saved."""

    parsed: ParsedMembers
    mode: str
    result: list  # the member list after the change: kept members (with their new values) and new ones
    added: list
    updated: list  # kept members whose position or 号长 flag the rows change
    removed: list
    problems: list  # about the resulting list as a whole
    checks: list  # the composition rules (size, youth share, 号长's age) on the resulting list

    @property
    def ready(self):
        return not self.parsed.errors and not self.problems and bool(self.added or self.updated or self.removed)

    @property
    def youth_share(self):
        return youth_share(self.result, timezone.localdate(), CompositionRules().youth_age)

    @property
    def rows_to_confirm(self):
        """The rows the confirm button posts back, read again and re-checked before saving."""
        return member_rows_text(self.result if self.mode == REPLACE else self.added)


def plan_member_rows(collective, rows, mode):
    """Parse the rows and work out the change, without saving. Replacing keeps the members listed again (same name
    and birth date), with their records such as volunteer hours; adding refuses someone already a member."""
    parsed = parse_member_rows(rows)
    existing = {member_key(collective.pk, m.name, m.birth_date): m for m in collective.members.all()}
    result, added, updated, problems = [], [], [], []
    for member in parsed.members:
        current = existing.pop(member_key(collective.pk, member.name, member.birth_date), None)
        if current is None:
            added.append(member)
            result.append(member)
        elif mode == ADD:
            problems.append(_("%(name)s, born %(date)s, is already a member.") % {"name": member.name, "date": member.birth_date.isoformat()})
        else:
            if (current.position, current.is_leader) != (member.position, member.is_leader):
                current.position, current.is_leader = member.position, member.is_leader
                updated.append(current)
            result.append(current)
    removed = list(existing.values()) if mode == REPLACE else []
    if mode == ADD:
        result = list(existing.values()) + result
    problems += member_list_problems(result)
    checks = check_composition(result, CompositionRules())
    return MemberListChange(parsed, mode, result, added, updated, removed, problems, checks)


def member_list_problems(members):
    """Why a collective's member list cannot be saved as it is; the formset on the edit page says the same."""
    problems = []
    if not members:
        problems.append(_("Add the collective's members."))
    if len(members) > MAX_MEMBERS:
        problems.append(_("A collective lists at most %(max)s members; this list has %(count)s.") % {"max": MAX_MEMBERS, "count": len(members)})
    if members and sum(1 for m in members if m.is_leader) != 1:
        problems.append(_("Mark exactly one member as the 号长: the 号长 must be one of the members."))
    return problems


def save_member_rows(collective_pk, user, rows, mode, consent=False):
    """Apply the rows to the collective's members, all or nothing, after checking again under a lock that the 号长
    may still edit and that the change is still valid (someone may have edited the members since the preview).
    The 号长's consent statement is required and recorded in the same transaction."""
    with transaction.atomic():
        collective = Collective.objects.select_for_update(of=("self",)).get(pk=collective_pk)
        if not workflow.may_edit(user, collective):
            raise TransitionError(_("The collective cannot be changed while the committee is reviewing it."))
        if not consent:
            raise TransitionError(str(CONSENT_REQUIRED))
        change = plan_member_rows(collective, rows, mode)
        if not change.ready:
            raise TransitionError(" ".join(change.parsed.messages + change.problems) or _("The rows change nothing."))
        leader = next(m for m in change.result if m.is_leader)
        Member.objects.filter(pk__in=[m.pk for m in change.removed]).delete()
        # The 号长 flag is set last so that moving it never meets the one-号长 constraint half-way.
        collective.members.filter(is_leader=True).update(is_leader=False)
        Member.objects.bulk_update(change.updated, ["position"])
        Member.objects.bulk_create(
            Member(collective=collective, name=m.name, birth_date=m.birth_date, position=m.position) for m in change.added
        )
        Member.objects.filter(collective=collective, name=leader.name, birth_date=leader.birth_date).update(is_leader=True)
        collective.member_count = collective.members.count()
        collective.save(update_fields=["member_count", "updated_at"])
        MemberDataConsent.give(collective, user, ConsentChannel.MEMBERS_PAGE)
    return change
