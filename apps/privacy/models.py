from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.organizations.models import Node


class DeletionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    DONE = "done", _("Carried out")
    REFUSED = "refused", _("Refused")

    @classmethod
    def open(cls):
        return [cls.REQUESTED]


class DeletionRequest(models.Model):
    """A person's request to delete their account (PIPL Art. 47), handled by the staff of the committee that
    registered their collectives. States and steps are in workflow.py."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deletion_requests", verbose_name=_("account")
    )
    # The committee whose staff handle it: the registering committee of the account's collectives (their nearest
    # common committee when they are registered with several), the national committee for an account without one.
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("committee"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=DeletionStatus, default=DeletionStatus.REQUESTED)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("account deletion request")
        verbose_name_plural = _("account deletion requests")
        indexes = [models.Index(fields=["node", "status", "-created_at"], name="deletion_queue_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(status="requested"), name="one_open_deletion_request"
            )
        ]

    def __str__(self):
        return f"{self.account} ({self.get_status_display()})"
