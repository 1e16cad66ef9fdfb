from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.organizations.models import Node


# What the committee states when it uploads people's personal data (PIPL Art. 13, 17): kept word for word on the job.
PERSONAL_DATA_STATEMENT = _(
    "Our committee holds the personal data in this file for the management of the programme, and the people in it "
    "were told that it is entered into this portal (see the privacy notice)."
)


class JobStatus(models.TextChoices):
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked, waiting for confirmation")
    REJECTED = "rejected", _("Rows refused, nothing imported")
    IMPORTING = "importing", _("Importing")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Failed, nothing imported")

    @classmethod
    def running(cls):
        return [cls.CHECKING, cls.IMPORTING]


class ImportJob(models.Model):
    """One uploaded file on its way into the portal: its dry run, the confirmation and the import, with the counts,
    the refused rows and the result. States and steps are in workflow.py."""

    kind = models.CharField(_("kind"), max_length=30)
    importer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs", verbose_name=_("imported by")
    )
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="import_jobs", verbose_name=_("committee"))
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=200)
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE)
    status = models.CharField(_("status"), max_length=12, choices=JobStatus, default=JobStatus.CHECKING)
    in_background = models.BooleanField(_("runs in the background"), default=False)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("refused"), default=0)
    # [{"row": 12, "column": "号长手机", "message": "…"}], in the importer's language.
    row_errors = models.JSONField(default=list, blank=True)
    # Why the file as a whole could not be imported.
    failure = models.TextField(_("failure"), blank=True)
    rejected_file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    # The rows as the dry run read them, kept until the import: what is confirmed is what was checked, and the import
    # does not read the file again. Emptied once the job is finished.
    checked_rows = models.JSONField(null=True, blank=True, editable=False, encoder=DjangoJSONEncoder)
    # Kind-specific figures for the result page, e.g. {"new_accounts": 3}.
    notes = models.JSONField(default=dict, blank=True)
    # The accounts the import created (号长 invited to set their password), whose one-time links staff pass on.
    invited_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # The committee's statement on the personal data of the file, as confirmed by the importer at upload.
    personal_data_statement = models.TextField(_("statement on personal data"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["node", "-created_at"], name="importjob_node_idx")]

    def __str__(self):
        return self.file_name

    @property
    def kind_label(self):
        from .registry import get

        try:
            return get(self.kind).label
        except KeyError:  # a kind whose app is no longer installed
            return self.kind

    @property
    def is_running(self):
        return self.status in JobStatus.running()

    @property
    def percent(self):
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))
