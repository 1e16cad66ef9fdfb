from django.db import transaction

from .models import Member


def save_collective(form, member_formset, leader_account):
    """Save the collective with its members in one transaction: all of it or none of it."""
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
    return collective
