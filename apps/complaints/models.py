import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.collectives.models import Collective
from apps.organizations.models import Node

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # No 0/O or 1/I: read aloud over the phone.


def new_tracking_code():
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    INVESTIGATING = "investigating", _("Under investigation")
    AWAITING_STATEMENT = "awaiting_statement", _("Waiting for the collective's statement")
    UPHELD = "upheld", _("Closed: upheld")
    NOT_UPHELD = "not_upheld", _("Closed: not upheld")

    @classmethod
    def closed(cls):
        return [cls.UPHELD, cls.NOT_UPHELD]


class ComplaintQuerySet(models.QuerySet):
    def upheld(self):
        return self.filter(status=ComplaintStatus.UPHELD)


def evidence_path(complaint, filename):
    return f"complaints/{complaint.tracking_code}.jpg"


class Complaint(models.Model):
    """A complaint (监督举报) from the public about a post. The complainant's name and contact are for the
    registering committee's staff only: never shown to the collective or the public."""

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="complaints", verbose_name=_("collective"))
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("committee"))
    tracking_code = models.CharField(max_length=12, unique=True, default=new_tracking_code, editable=False)
    what_happened = models.TextField(_("what happened"))
    happened_on = models.DateField(_("when it happened"))
    evidence = models.ImageField(_("photo (optional)"), upload_to=evidence_path, blank=True)
    # Optional: a complaint may be anonymous. Without a contact the committee cannot call back, but the tracking code
    # still shows the complainant the status and outcome.
    contact = models.CharField(_("your phone or email (optional)"), max_length=100, blank=True)
    name = models.CharField(_("your name (optional)"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ComplaintStatus, default=ComplaintStatus.RECEIVED)
    serious = models.BooleanField(_("serious"), default=False)
    staff_notes = models.TextField(_("staff notes"), blank=True)
    statement_request = models.TextField(_("what the collective is asked"), blank=True)
    statement = models.TextField(_("the collective's statement"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["node", "status"], name="complaint_queue_idx"),
            models.Index(fields=["collective", "status", "closed_at"], name="complaint_collective_idx"),
            # The queue's tab in its order: a page joins its 30 rows, not every complaint of the tab (bench/workbench.py).
            models.Index(fields=["status", "created_at", "id"], name="complaint_status_created_idx"),
        ]

    def __str__(self):
        return self.tracking_code

    def get_absolute_url(self):
        return reverse("complaints:track", args=[self.tracking_code])


class WarningKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    RECTIFICATION = "rectification", _("Rectification within a deadline")


class WarningQuerySet(models.QuerySet):
    def open(self):
        return self.filter(lifted_at__isnull=True)


class Warning(models.Model):
    """A warning (警告) or a rectification order (限期整改) on a collective; open ones count in eligibility."""

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="warnings", verbose_name=_("collective"))
    kind = models.CharField(_("kind"), max_length=14, choices=WarningKind, default=WarningKind.WARNING)
    reason = models.TextField(_("reason"))
    required_changes = models.TextField(_("required changes"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_comment = models.TextField(blank=True)

    objects = WarningQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        indexes = [models.Index(fields=["collective", "lifted_at"], name="warning_open_idx")]
