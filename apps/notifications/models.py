from django.conf import settings
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
