"""A change to a collective's member list, worked out before anything is saved and applied all or nothing: the
members page's preview and save (services.save_member_rows) and a named collective's approved change request
(workflow.approve_change) read the same plan."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from .cells import split_text
from .forms import MemberFormSet
from .member_rows import ParsedMembers, member_rows_text, parse_member_rows
from .models import Member
from .rules import CompositionRules, check_composition, youth_share
from .validation import member_key

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


def plan_saved_rows(collective, text, mode):
    """The plan of rows kept as text (MemberListChange.rows_to_confirm, a change request's member_rows)."""
    return plan_member_rows(collective, split_text(text), mode)


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


def apply_member_change(collective, change):
    """Write the planned change (in the caller's transaction, the collective locked) and the new member count."""
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
