from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _


def is_site_relative(url):
    """True for a path on this site ("/my/..."), False for anything that could leave it ("https://", "//host")."""
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)


class Notification(models.Model):
    """A message to one user, shown in the portal and mailed once (see services.notify)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True, help_text=_("A path on this site, e.g. /my/collectives/1/"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # A scheduled message (a reminder, an escalation) has a key per recipient: the job that runs twice finds it and
    # sends nothing new. Messages written by a step have none.
    key = models.CharField(max_length=200, null=True, blank=True, unique=True, editable=False)
    # The decision the message tells of: the object and its state when it was written. Mail, text messages and the
    # digest are sent only while the object is still in that state (a recommendation reversed before the digest
    # goes out is not sent).
    about_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, editable=False)
    about_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    about_field = models.CharField(max_length=40, blank=True, editable=False)
    about_state = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.subject

    @property
    def is_read(self):
        return self.read_at is not None

    @property
    def safe_url(self):
        """The link if it stays on this site, "" otherwise (no open redirects)."""
        return self.url if is_site_relative(self.url) else ""


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message (SMS)")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not sent: the decision changed")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    """The outbox: one notification to be sent on one channel (services.notify writes them, outbox.py sends them).

    One row per notification and channel, so a retried task never sends twice; staff's mail waits for the daily
    digest instead of going out one by one."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel)
    digest = models.BooleanField(_("in the daily digest"), default=False)
    status = models.CharField(_("status"), max_length=8, choices=MessageStatus, default=MessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="one_message_per_channel")]
        indexes = [models.Index(fields=["status", "digest"], name="outbox_pending_idx")]

    def __str__(self):
        return f"{self.get_channel_display()}: {self.notification}"


class Preference(models.Model):
    """Which channels a user is told on besides the portal (in-app notifications are always kept). Users without a
    row get the defaults."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference")
    email = models.BooleanField(_("by email"), default=True, help_text=_("Staff receive one digest a day."))
    sms = models.BooleanField(_("by text message"), default=True, help_text=_("Sent to your mobile phone; never to staff, who receive the digest."))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user)
