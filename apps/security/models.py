"""The security trail: sign-ins, failed sign-ins, sign-outs, lockouts, password and two-factor changes, role changes
and downloads of personal data (等保 2.0 level 3: security audit), each with who, when, from which address and
the result.

Why a model of its own rather than more rows of apps.audit.AuditEntry: an audit entry is a state change of a
domain object, shown on that object's timeline and kept as long as the decision it documents; a security event
often has no object (a failed sign-in for an account that does not exist), always has a client address, comes in
far larger numbers (every sign-in of every 号长) and is kept for a fixed time (SECURITY_EVENT_RETENTION_DAYS, at
least 180 days), after which `manage.py purge_security_events` deletes it. Role changes are written to both: the
membership's audit entry as before, and a security event beside it in the same transaction (receivers.py).

Append-only. In the application: saving an existing event, deleting one, or updating or deleting through a
queryset raises `AppendOnlyError`; the admin offers neither. On PostgreSQL, triggers (django-pgtrigger) refuse
every UPDATE, and every DELETE of an event younger than the legal floor of 180 days, whoever runs the statement;
the retention command deletes only older events, so it needs no way around the trigger. (pgtrigger.ignore was not
chosen: it works by a session variable that any database client can set, so it would be a bypass for everyone.)
TRUNCATE is not covered: the test runner empties tables with it, and only the database owner may run it.
"""

from datetime import timedelta

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LEGAL_MINIMUM_DAYS = 180  # the floor the trigger enforces; SECURITY_EVENT_RETENTION_DAYS may be longer


class AppendOnlyError(Exception):
    """Security events are never changed or deleted, except by the retention command once they are old enough."""


class Event(models.TextChoices):
    LOGIN = "login", _("Sign-in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOGOUT = "logout", _("Sign-out")
    LOCKED_OUT = "locked_out", _("Sign-in locked")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password set through a link")
    OTP_ENROLLED = "otp_enrolled", _("Two-factor authentication turned on")
    OTP_REMOVED = "otp_removed", _("Two-factor authentication turned off")
    OTP_RESET = "otp_reset", _("Two-factor authentication reset by an administrator")
    RECOVERY_CODES = "recovery_codes", _("New recovery codes")
    ROLE_GRANTED = "role_granted", _("Role given")
    ROLE_CHANGED = "role_changed", _("Role changed")
    ROLE_ENDED = "role_ended", _("Role ended")
    UNLOCKED = "unlocked", _("Sign-in unlocked")
    EXPORT = "export", _("Download of personal data")


class Result(models.TextChoices):
    SUCCESS = "success", _("Succeeded")
    PENDING = "pending", _("Awaiting the second factor")
    FAILURE = "failure", _("Failed")


class SecurityEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("security events cannot be changed")

    def delete(self):
        raise AppendOnlyError("security events cannot be deleted")

    def older_than(self, days):
        return self.filter(created_at__lt=timezone.now() - timedelta(days=days))

    def purge(self, days):
        """Delete the events older than `days` (never fewer than the legal minimum); returns how many. Only the
        retention command calls this."""
        days = max(days, LEGAL_MINIMUM_DAYS)
        return models.QuerySet.delete(self.older_than(days))[0]


class SecurityEvent(models.Model):
    created_at = models.DateTimeField(_("at"), default=timezone.now, editable=False, db_index=True)
    event = models.CharField(_("event"), max_length=20, choices=Event)
    result = models.CharField(_("result"), max_length=10, choices=Result, default=Result.SUCCESS)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="security_events",
        verbose_name=_("account"),
        help_text=_("The account the event concerns, when it is known."),
    )
    username = models.CharField(_("username"), max_length=150, blank=True, help_text=_("As typed at sign-in, or the account's."))
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        indexes = [
            models.Index(fields=["account", "-created_at"], name="security_account_idx"),
            models.Index(fields=["actor", "-created_at"], name="security_actor_idx"),
            models.Index(fields=["event", "-created_at"], name="security_event_idx"),
            models.Index(fields=["address", "-created_at"], name="security_address_idx"),
            models.Index(fields=["username", "-created_at"], name="security_username_idx"),
        ]
        triggers = [
            pgtrigger.Protect(name="security_event_append_only", operation=pgtrigger.Update),
            pgtrigger.Protect(
                name="security_event_retention",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Condition(f"OLD.created_at > NOW() - INTERVAL '{LEGAL_MINIMUM_DAYS} days'"),
            ),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.event} {self.username}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("security events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("security events cannot be deleted")
