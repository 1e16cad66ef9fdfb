import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntryQuerySet(models.QuerySet):
    def for_object(self, obj):
        content_type = ContentType.objects.get_for_model(obj)
        return self.filter(content_type=content_type, object_id=obj.pk).select_related("actor")


class AuditEntry(models.Model):
    """One state change of any object: who, when, from which state to which, and why.

    Written by the workflow function that makes the change, inside its transaction, so a
    change without its record (or a record without its change) cannot exist.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="audit_entries",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("from"), max_length=30, blank=True)
    to_state = models.CharField(_("to"), max_length=30, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # What the step changed besides the state, field by field: {"application_closes": ["2026-05-31", "2026-06-15"]}.
    changes = models.JSONField(_("changes"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"], name="audit_subject_idx")]
        # The trail is evidence: on PostgreSQL no UPDATE or DELETE statement reaches it, whoever runs it (the admin
        # offers neither either). Entries are kept as long as the decisions they document: no retention applies.
        triggers = [pgtrigger.Protect(name="audit_entry_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.from_state}→{self.to_state}"


def record(subject, *, actor, action, from_state="", to_state="", comment="", changes=None):
    """Write one audit entry; `changes` maps a field name to its (old, new) values."""
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        changes={field: [old, new] for field, (old, new) in (changes or {}).items()},
    )


class BulkRun(models.Model):
    """One bulk decision (civpost/bulk.py): what was chosen, by whom, and how each item fared.

    Every item goes through its workflow's own step, in its own transaction, which writes the item's audit entry;
    this row only keeps the run's progress and the refusals (with their reasons) for the result page.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("failed")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bulk_runs", verbose_name=_("by"))
    action = models.CharField(_("action"), max_length=60)  # the key of a civpost.bulk.BulkAction: "collectives.approve"
    item_ids = models.JSONField(_("items"), default=list)
    params = models.JSONField(_("input"), default=dict)  # {"comment": "…", "ranks": {"<pk>": rank}}
    total = models.PositiveIntegerField(_("number of items"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    refused = models.JSONField(_("refused items"), default=list)  # [[pk, name, reason], …]
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    back_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bulk decision")
        verbose_name_plural = _("bulk decisions")

    def __str__(self):
        return f"{self.action} × {self.total}"

    @property
    def processed(self):
        return self.done + len(self.refused)

    @property
    def percent(self):
        return 100 * self.processed // self.total if self.total else 100

    @property
    def is_running(self):
        return self.state in (self.State.QUEUED, self.State.RUNNING)
