from uuid import uuid4

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.complaints.models import Warning
from apps.evaluations.enums import STAR_GRADES
from apps.evaluations.models import Honor
from apps.organizations.models import Node


class Outcome(models.TextChoices):
    PASS = "pass", _("Pass (合格)")
    RECTIFY = "rectify", _("Rectify within a deadline (限期整改)")
    REVOKE = "revoke", _("Revoke (撤销)")


class Recheck(models.Model):
    """A re-check (复核) of the honours a committee named in a period."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="rechecks", verbose_name=_("committee"))
    title = models.CharField(_("title"), max_length=120, help_text=_("e.g. 2026年度市级青年文明号复核"))
    named_from = models.DateField(_("honours named from"))
    named_until = models.DateField(_("honours named until"))
    report_due = models.DateField(_("reports due"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("re-check")
        verbose_name_plural = _("re-checks")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("rechecks:detail", args=[self.pk])


class RecheckItem(models.Model):
    """One honour in a re-check: the collective's report and the committee's outcome."""

    recheck = models.ForeignKey(Recheck, on_delete=models.CASCADE, related_name="items")
    honor = models.ForeignKey(Honor, on_delete=models.PROTECT, related_name="recheck_items")
    report = models.TextField(_("re-check report"), blank=True)
    report_filed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome, blank=True)
    outcome_reason = models.TextField(_("reason"), blank=True)
    rectification = models.OneToOneField(Warning, on_delete=models.PROTECT, null=True, blank=True, related_name="recheck_item")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["recheck", "honor"], name="one_item_per_honor")]


class RectificationOrigin(models.TextChoices):
    COMPLAINT = "complaint", _("Upheld complaint")
    INSPECTION = "inspection", _("Inspection")
    RECHECK = "recheck", _("Re-check")


class RectificationStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered: waiting for the collective's report")
    REPORTED = "reported", _("Completion reported: waiting for the committee")
    ACCEPTED = "accepted", _("Accepted")
    FAILED = "failed", _("Failed: revocation proposed")
    ENDED = "ended", _("Ended by the committee's decision")

    @classmethod
    def under_way(cls):
        """The states in which the post page says the post is under rectification."""
        return [cls.ORDERED, cls.REPORTED]


class Rectification(models.Model):
    """A rectification order (限期整改) and its course: the collective reports completion with evidence, the committee
    accepts or rejects; overdue or rejected twice, it proposes revocation. Its `warning` is the sanction on the
    collective's record (open until accepted or ended), which eligibility, reminders and revocation read."""

    warning = models.OneToOneField(Warning, on_delete=models.PROTECT, related_name="rectification")
    collective = models.ForeignKey("collectives.Collective", on_delete=models.CASCADE, related_name="rectifications", verbose_name=_("collective"))
    honor = models.ForeignKey(Honor, on_delete=models.PROTECT, null=True, blank=True, related_name="rectifications", verbose_name=_("title at stake"))
    origin = models.CharField(_("ordered after"), max_length=10, choices=RectificationOrigin)
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.PROTECT, null=True, blank=True, related_name="rectifications")
    status = models.CharField(_("status"), max_length=10, choices=RectificationStatus, default=RectificationStatus.ORDERED)
    rejections = models.PositiveSmallIntegerField(_("reports rejected"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        indexes = [
            models.Index(fields=["collective", "status"], name="rectification_collective_idx"),
            models.Index(fields=["status"], name="rectification_status_idx"),
        ]

    def __str__(self):
        return f"{self.collective.name} · {self.warning.deadline:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("rechecks:rectification", args=[self.pk])


def report_evidence_path(report, filename):
    # Random names: the original name is kept in the row, never trusted as a path.
    return f"rectifications/{report.rectification_id}/{uuid4().hex}.{report.evidence_extension}"


class RectificationReport(models.Model):
    """The collective's report that the rectification is done, with its evidence (a PDF or photo, checked by content),
    and the committee's verdict on it. Kept when rejected: the history of every attempt."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="reports")
    text = models.TextField(_("what was done"))
    evidence = models.FileField(upload_to=report_evidence_path)
    evidence_name = models.CharField(max_length=200)
    evidence_extension = models.CharField(max_length=4)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)
    accepted = models.BooleanField(null=True)
    verdict = models.TextField(_("the committee's comment"), blank=True)

    class Meta:
        ordering = ["-filed_at", "-pk"]


class ProposalDecision(models.TextChoices):
    REVOKED = "revoked", _("Title revoked")
    KEPT = "kept", _("Title kept")


class RevocationProposal(models.Model):
    """A title proposed for revocation after a failed rectification: a queue item for the naming committee. Nothing
    revokes by itself; a person revokes the title (workflow.revoke) or keeps it."""

    rectification = models.ForeignKey(Rectification, on_delete=models.PROTECT, related_name="proposals")
    honor = models.ForeignKey(Honor, on_delete=models.PROTECT, related_name="revocation_proposals")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("naming committee"))
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(_("decision"), max_length=10, choices=ProposalDecision, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["rectification", "honor"], name="one_proposal_per_rectified_honor")]
        indexes = [models.Index(fields=["node", "decision"], name="proposal_queue_idx")]

    def __str__(self):
        return f"{self.honor.collective.name} · {self.honor.title}"


class StarAdjustment(models.Model):
    """A change of a title's star grade (调整星级): lowered as a sanction, or restored after review, by the naming
    committee with a reason and its decision reference (文号). The honour carries the current grade."""

    honor = models.ForeignKey(Honor, on_delete=models.PROTECT, related_name="star_adjustments")
    from_grade = models.PositiveSmallIntegerField(_("from"), choices=STAR_GRADES)
    to_grade = models.PositiveSmallIntegerField(_("to"), choices=STAR_GRADES)
    reason = models.TextField(_("reason"))
    reference = models.CharField(_("decision reference (文号)"), max_length=100)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["decided_on", "pk"]
        verbose_name = _("star grade adjustment")
        verbose_name_plural = _("star grade adjustments")

    @property
    def lowered(self):
        return self.to_grade < self.from_grade
