"""Two-factor authentication (django-otp): a time-based code from an authenticator app (TOTP), and ten recovery codes
(django_otp.plugins.otp_static) for when the phone is lost, each usable once.

A person signs in with the password as before; when they have turned two-factor authentication on, the session is
then marked VERIFY and TwoFactorMiddleware lets it reach nothing but the code page and sign-out until the code is
given. With OTP_REQUIRED_FOR_ADMINS on, a committee admin or superuser without a device is marked ENROL instead and
reaches nothing but the enrolment pages. Wrong codes are throttled by django-otp (each failure doubles the wait:
1, 2, 4, 8 … seconds per device) and recorded in the security trail.
"""

import base64
import io
import math
import unicodedata

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.audit.workflow import TransitionError
from apps.organizations.enums import Role
from apps.organizations.models import Membership

from . import trail
from .models import Event

SESSION_STATE = "otp:state"
VERIFY, ENROL = "verify", "enrol"
NEW_CODES = "otp:new_codes"  # the recovery codes just made, shown once
RECOVERY_CODE_COUNT = 10
WRONG_CODE = gettext_lazy("The code is wrong or has expired. Enter the 6 digits your app shows now, or one of your recovery codes.")


def has_two_factor(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_required(user):
    """Must this person use two-factor authentication (committee admins and superusers, when the setting is on)?"""
    if not settings.OTP_REQUIRED_FOR_ADMINS:
        return False
    return user.is_superuser or Membership.objects.current().filter(user=user, role=Role.ADMIN).exists()


def pending_device(user):
    """The key of the enrolment under way: made on the first visit, kept until confirmed, so that reloading the page
    does not invalidate a QR code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


def qr_code(device):
    """The device's otpauth:// address as a QR code: an SVG made here, as a data: URI for an <img>."""
    buffer = io.BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def secret(device):
    """The key to type into an app that cannot scan, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def normalize(code):
    """Codes as people type them: full-width digits, spaces and dashes allowed, any case."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", code or "") if ch.isalnum()).lower()


def confirm(user, code):
    """Confirm the pending device with a code from the app; replaces any earlier device and returns the new
    recovery codes."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            raise TransitionError(_("The set-up expired. Scan the new QR code and enter its code."))
        refusal = _check(device, normalize(code))  # a wrong code's throttling is saved: no raise in here
        if refusal is None:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _new_recovery_codes(user)
            trail.log(Event.OTP_ENROLLED, actor=user)
    if refusal:
        raise TransitionError(refusal)
    return codes


def verify(user, code):
    """Check a code at sign-in: six digits from the app, or a recovery code (used up). Returns the device."""
    code = normalize(code)
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        refusal = WRONG_CODE if device is None else _check(device, code)
    if refusal:
        raise TransitionError(refusal)
    return device


def _check(device, code):
    """None when the code is right, else why it was refused (the failure is counted by the device)."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        wait = math.ceil((info["locked_until"] - timezone.now()).total_seconds()) if info and "locked_until" in info else 1
        return _("Too many wrong codes. Wait %(seconds)s seconds, then try again.") % {"seconds": max(wait, 1)}
    if not device.verify_token(code):
        return str(WRONG_CODE)
    return None


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user).count()


def regenerate_codes(user):
    with transaction.atomic():
        if not has_two_factor(user):
            raise TransitionError(_("Two-factor authentication is not turned on."))
        codes = _new_recovery_codes(user)
        trail.log(Event.RECOVERY_CODES, actor=user)
    return codes


def _new_recovery_codes(user):
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Recovery codes"))
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def remove(user, actor=None):
    """Turn two-factor authentication off: by its owner (after the password) or reset by a superuser."""
    actor = actor or user
    with transaction.atomic():
        if not TOTPDevice.objects.filter(user=user).exists() and not StaticDevice.objects.filter(user=user).exists():
            return False
        for device in django_otp.devices_for_user(user, confirmed=None):
            device.delete()
        trail.log(Event.OTP_REMOVED if actor.pk == user.pk else Event.OTP_RESET, actor=actor, account=user)
    return True
