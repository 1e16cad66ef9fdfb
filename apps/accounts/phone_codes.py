"""One-time codes sent by text message: sign-up verification of the mobile phone and password reset.

A code has 6 digits, lives CODE_MINUTES, allows MAX_ATTEMPTS guesses and one use; a phone gets at most one code
every RESEND_SECONDS (the sending views also count requests per address). Only an HMAC of the code is stored.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.notifications import sms

from .models import PhoneCode

CODE_MINUTES = 10
MAX_ATTEMPTS = 5
RESEND_SECONDS = 60


def _digest(phone, purpose, code):
    return hmac.new(settings.SECRET_KEY.encode(), f"{purpose}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def send_code(phone, purpose):
    """Send a new code to `phone`; False (nothing sent) when the previous one is younger than RESEND_SECONDS.
    Raises sms.SmsError when the provider does not accept it."""
    now = timezone.now()
    if PhoneCode.objects.filter(phone=phone, purpose=purpose, created_at__gt=now - timedelta(seconds=RESEND_SECONDS)).exists():
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        PhoneCode.objects.create(
            phone=phone, purpose=purpose, code_hash=_digest(phone, purpose, code), expires_at=now + timedelta(minutes=CODE_MINUTES)
        )
        sms.send_sms(phone, "code", [code, CODE_MINUTES])
    return True


def check_code(phone, purpose, code):
    """True once for the right code of the phone's latest live code; every guess counts."""
    now = timezone.now()
    with transaction.atomic():
        latest = (
            PhoneCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at", "-pk")
            .first()
        )
        if latest is None or latest.attempts >= MAX_ATTEMPTS:
            return False
        latest.attempts += 1
        right = hmac.compare_digest(latest.code_hash, _digest(phone, purpose, (code or "").strip()))
        if right:
            latest.used_at = now
        latest.save(update_fields=["attempts", "used_at"])
        return right


def forget_expired_codes(now):
    return PhoneCode.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()[0]
