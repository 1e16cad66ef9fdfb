from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit.workflow import TransitionError

from . import workflow
from .member_changes import REPLACE, apply_member_change, plan_member_rows, plan_saved_rows
from .member_rows import member_rows_text
from .models import Collective, ConsentChannel, Member, MemberDataConsent


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
        elif collective.is_named:
            _save_named_collective(collective, member_formset, leader_account, needs_consent)
            return collective
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
        workflow.refresh_composition(collective, leader_account)
        if needs_consent:
            MemberDataConsent.give(collective, leader_account, ConsentChannel.COLLECTIVE_FORM)
    return collective


def _save_named_collective(collective, member_formset, user, needs_consent):
    """A named collective saves its other data at once; a new name or unit and any change to the members go to its
    committee as one change request, and the collective keeps its approved values until the committee decides."""
    approved = Collective.objects.select_for_update(of=("self",)).get(pk=collective.pk)
    proposed_name, proposed_unit = collective.name, collective.workplace_unit
    collective.name, collective.workplace_unit = approved.name, approved.workplace_unit
    collective.save()
    member_rows, breaks_rules = "", False
    if member_formset.has_changed():
        proposed = [f.instance for f in member_formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        member_rows = member_rows_text(proposed)
        breaks_rules = bool(workflow.composition_failures(plan_saved_rows(collective, member_rows, REPLACE).result))
    if member_rows or (proposed_name, proposed_unit) != (approved.name, approved.workplace_unit):
        workflow.request_change(collective, user, proposed_name, proposed_unit, member_rows, REPLACE, breaks_rules)
    if needs_consent:
        MemberDataConsent.give(collective, user, ConsentChannel.COLLECTIVE_FORM)


CONSENT_REQUIRED = gettext_lazy(
    "Confirm that the members agreed to the registration of their data (the box above the save button): nothing was saved."
)


def save_member_rows(collective_pk, user, rows, mode, consent=False):
    """Apply the rows to the collective's members, all or nothing, after checking again under a lock that the 号长
    may still edit and that the change is still valid (someone may have edited the members since the preview); a
    named collective's change goes to its committee as a change request instead. The 号长's consent statement is
    required and recorded in the same transaction."""
    with transaction.atomic():
        collective = Collective.objects.select_for_update(of=("self",)).get(pk=collective_pk)
        if not workflow.may_edit(user, collective):
            raise TransitionError(_("The collective cannot be changed while the committee is reviewing it."))
        if not consent:
            raise TransitionError(str(CONSENT_REQUIRED))
        change = plan_member_rows(collective, rows, mode)
        if not change.ready:
            raise TransitionError(" ".join(change.parsed.messages + change.problems) or _("The rows change nothing."))
        if collective.is_named:
            breaks_rules = bool(workflow.composition_failures(change.result))
            workflow.request_change(
                collective, user, collective.name, collective.workplace_unit, change.rows_to_confirm, change.mode, breaks_rules
            )
        else:
            apply_member_change(collective, change)
            workflow.refresh_composition(collective, user)
        MemberDataConsent.give(collective, user, ConsentChannel.MEMBERS_PAGE)
    return change
