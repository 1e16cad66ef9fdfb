from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.complaints.models import Warning
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
