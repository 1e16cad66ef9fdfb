"""Keeps what the directory reads in step with the honour workflow, without touching apps/evaluations:

- Collective.latest_named_on, the date of the most recent valid title, behind the "newest named" order. It is
  recomputed when an honour is saved or deleted (named, revoked) and when apps/evaluations refreshes a collective's
  honor_level.
- Collective.volunteer_hours, the total the post page shows, recomputed when a report is saved or deleted.
  Anything that writes honours or reports in bulk (bulk_create, update(), SQL) runs `manage.py refresh_directory`.
- the generation of the cached result counts and pages (queries.py, views.py), bumped by any change to a
  registered collective (drafts and registrations under review are on no public list) or to an honour;
- the cached list of the industry select (filters.py), forgotten when an industry changes (the region selects'
  lists are apps/organizations/regions.py's, kept there);
- the cached content of each post page (apps/collectives/public.py), versioned by Collective.updated_at: renewed here
  when what the page shows changes without a full save of the collective (an honour and its star grade, a report
  and its hours, a photo, a rectification ordered or ended, a save with update_fields such as a delisting), and
  published to the cache as the page's version (apps/collectives/public.py) when the change commits;
- the stored post pages (apps/collectives/public.py), stored afresh by the task worker for each new version, and for
  the posts that name a region, industry or committee when it is renamed (through save(): an update() of names
  needs `manage.py store_post_pages --all`).
"""

from decimal import Decimal

from django.core.cache import cache
from django.db.models import OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from apps.activities.models import ActivityReport, ReportPhoto
from apps.collectives.models import Collective, Status
from apps.collectives.public import forget_version, publish_versions, renew_stored_pages
from apps.evaluations.models import Honor
from apps.organizations.models import Industry, Node, Region
from apps.rechecks.models import Rectification

from .filters import INDUSTRIES_KEY
from .queries import bump_generation


def latest_named_on():
    """The expression of Collective.latest_named_on, for one collective or for all of them in one UPDATE."""
    return Subquery(Honor.objects.valid().filter(collective=OuterRef("pk")).order_by("-named_on").values("named_on")[:1])


def renew_post_page(collectives, **changes):
    """A new version of these posts' pages (their cached content is versioned by updated_at), published to visitors once
    the change commits."""
    now = timezone.now()
    renewed = list(collectives.values_list("pk", flat=True))
    Collective.objects.filter(pk__in=renewed).update(updated_at=now, **changes)
    publish_versions(dict.fromkeys(renewed, now))


@receiver(post_save, sender=Honor)
@receiver(post_delete, sender=Honor)
def honor_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    renew_post_page(Collective.objects.filter(pk=instance.collective_id), latest_named_on=latest_named_on())
    bump_generation()


def volunteer_hours():
    """The expression of Collective.volunteer_hours: the hours of all the collective's reports."""
    totals = ActivityReport.objects.filter(collective=OuterRef("pk")).values("collective").annotate(total=Sum("volunteer_hours"))
    return Coalesce(Subquery(totals.values("total")), Value(Decimal(0)))


@receiver(post_save, sender=ActivityReport)
@receiver(post_delete, sender=ActivityReport)
def report_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        renew_post_page(Collective.objects.filter(pk=instance.collective_id), volunteer_hours=volunteer_hours())


@receiver(post_save, sender=ReportPhoto)
@receiver(post_delete, sender=ReportPhoto)
def photo_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        renew_post_page(Collective.objects.filter(reports=instance.report_id))


@receiver(post_save, sender=Rectification)
def rectification_changed(sender, instance, raw=False, **kwargs):
    """The post page says whether the post is under rectification, and until when."""
    if not raw:
        renew_post_page(Collective.objects.filter(pk=instance.collective_id))


@receiver(post_save, sender=Collective)
def collective_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and "updated_at" not in update_fields:
        changes = {"latest_named_on": latest_named_on()} if "honor_level" in update_fields else {}
        renew_post_page(Collective.objects.filter(pk=instance.pk), **changes)
    else:
        publish_versions({instance.pk: instance.updated_at})
    # Drafts and registrations under review are on no public list: editing them keeps the caches. A dissolution
    # takes the collective off the lists it was on.
    if instance.status in Status.with_page():
        bump_generation()


@receiver(post_delete, sender=Collective)
def collective_deleted(sender, instance, **kwargs):
    forget_version(instance.pk)
    if instance.status in Status.with_page():
        bump_generation()


@receiver(post_save, sender=Industry)
@receiver(post_delete, sender=Industry)
def industry_changed(sender, instance, **kwargs):
    cache.delete(INDUSTRIES_KEY)


# The post page names the post's region after its parent, its industry and its committee.
POSTS_NAMING = {
    Region: lambda code: Q(region=code) | Q(region__parent=code),
    Industry: lambda pk: Q(industry=pk),
    Node: lambda pk: Q(registering_node=pk),
}


@receiver(pre_save, sender=Region)
@receiver(pre_save, sender=Industry)
@receiver(pre_save, sender=Node)
def place_renaming(sender, instance, raw=False, **kwargs):
    """Notes a region, industry or committee about to be renamed (only the table knows its old name)."""
    renamed = not raw and not instance._state.adding and sender.objects.filter(pk=instance.pk).exclude(name=instance.name).exists()
    instance._renamed_on_post_pages = renamed


@receiver(post_save, sender=Region)
@receiver(post_save, sender=Industry)
@receiver(post_save, sender=Node)
def place_renamed(sender, instance, **kwargs):
    """The pages stored of the posts that name it are stored afresh once the rename commits (a page cached in a
    visitor's language keeps the old name for CONTENT_TTL at most)."""
    if getattr(instance, "_renamed_on_post_pages", False):
        naming = Collective.objects.filter(POSTS_NAMING[sender](instance.pk), status__in=Status.with_page())
        renew_stored_pages(naming.values_list("pk", flat=True))
