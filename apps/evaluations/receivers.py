"""Keeps Application.registering_node, the copy of the collective's registering committee the staff queue scopes
by, equal to the collective's. A registered collective's committee is fixed in the portal (its form and the
imports refuse a change), so this follows what the admin site or a data fix does; a committee moved in the tree
(load_committee_tree) keeps its id, and so its applications. Anything that moves collectives in bulk (update(),
SQL) updates their applications in the same statement's transaction."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from apps.collectives.models import Collective

from .models import Application


@receiver(post_save, sender=Collective)
def collective_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if raw or created or (update_fields is not None and "registering_node" not in update_fields):
        return
    moved = Application.objects.filter(collective=instance).exclude(registering_node=instance.registering_node_id)
    moved.update(registering_node=instance.registering_node_id)
