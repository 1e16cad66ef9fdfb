from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.organizations.models import Node


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Being written")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Deleted after the retention period")

    @classmethod
    def pending(cls):
        return [cls.QUEUED, cls.RUNNING]


class ExportJob(models.Model):
    """One staff list too long to write within a request (more than EXPORT_SYNC_LIMIT rows), written by the task
    worker: who asked, for which list with which filter, and the file once written. States and steps are in
    workflow.py; the kinds of list in registry.py."""

    kind = models.CharField(_("list"), max_length=60)  # the key of a registered export: "collectives.registrations"
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_jobs", verbose_name=_("requested by")
    )
    # The committee whose list it is (the user's own when the list spans their whole subtree).
    node = models.ForeignKey(Node, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("committee"))
    # What the task needs to rebuild exactly the page's rows: the page's query string and the URL's arguments.
    query = models.TextField(_("filter"), blank=True)
    arguments = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE)
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus, default=ExportStatus.QUEUED)
    rows_done = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The last attempt's error, for superusers (admin); the requester is told only that it failed.
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["requester", "-created_at"], name="exportjob_requester_idx"),
            models.Index(fields=["status", "finished_at"], name="exportjob_retention_idx"),
        ]

    def __str__(self):
        return self.file_name or f"{self.kind} #{self.pk}"

    @property
    def label(self):
        from .registry import label

        return label(self.kind)

    @property
    def is_pending(self):
        return self.status in ExportStatus.pending()
