import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Landline with optional area code and extension, mobile, or a short service hotline (12345, 95598, 400-...).
SERVICE_PHONE_RE = re.compile(
    r"^(?:1[3-9]\d{9}|(?:0\d{2,3}-?)?[2-9]\d{6,7}(?:-\d{1,6})?|400-?\d{3}-?\d{4}|1\d{4}|9\d{4})$"
)


def normalize_phone(value):
    """A phone number as typed (typed, or pasted from a spreadsheet: "１３９ 0000 0001", "+86 139-0000-0001", "(0556)5551234") without the decoration.

    NFKC turns full-width digits and brackets (Chinese input methods) into ASCII ones. Dashes stay in landlines
    and hotlines, where they separate the area code; a mobile number is stored as its 11 digits.
    """
    value = re.sub(r"[\s()]", "", unicodedata.normalize("NFKC", str(value or "")))
    mobile = re.sub(r"^(?:\+|00)86", "", value).replace("-", "")
    return mobile if MOBILE_RE.match(mobile) else value


def validate_mobile(value):
    if not MOBILE_RE.match(normalize_phone(value)):
        raise ValidationError(
            _("Enter a valid 11-digit mobile phone number, e.g. 13800138000."), code="invalid_mobile"
        )


def validate_service_phone(value):
    if not SERVICE_PHONE_RE.match(normalize_phone(value)):
        raise ValidationError(
            _("Enter a valid phone number: a landline such as 0556-5551234, a mobile number, or a hotline."),
            code="invalid_phone",
        )


def clean_contact(value):
    """A phone number or an email address by which staff can reach a member of the public; returns it tidied."""
    value = (value or "").strip()
    message = _("Enter a valid email address or phone number.")
    if "@" in value:
        EmailValidator(message=message)(value)
        return value
    phone = normalize_phone(value)
    if not (MOBILE_RE.match(phone) or SERVICE_PHONE_RE.match(phone)):
        raise ValidationError(message, code="invalid_contact")
    return phone
