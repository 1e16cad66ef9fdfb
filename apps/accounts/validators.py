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


def mask_phone(phone):
    """139****0001: enough to tell people apart in a list, not enough to call them from a screenshot. Every staff
    list shows phones through this (the `masked_phone` template filter, the admin's user list); the full number
    is shown only on a person's detail page to staff of their scope."""
    if not phone:
        return ""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else f"{phone[:3]}****"


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


class PasswordStrengthValidator:
    """At least `min_length` characters from at least 3 of the 4 classes (capitals, small letters, digits, symbols),
    and never the account's username or phone number inside it (等保 2.0: password complexity)."""

    CLASSES = (str.isupper, str.islower, str.isdigit, lambda char: not char.isalnum())

    def __init__(self, min_length=8, min_classes=3):
        self.min_length, self.min_classes = min_length, min_classes

    def validate(self, password, user=None):
        errors = []
        if len(password) < self.min_length:
            errors.append(ValidationError(
                _("The password must have at least %(min_length)d characters.") % {"min_length": self.min_length},
                code="password_too_short",
            ))
        classes = sum(any(test(char) for char in password) for test in self.CLASSES)
        if classes < self.min_classes:
            errors.append(ValidationError(
                _("The password must mix at least 3 of: capital letters, small letters, digits and symbols."),
                code="password_too_simple",
            ))
        for value in self._personal_values(user):
            if value.lower() in password.lower():
                errors.append(ValidationError(_("The password must not contain your username or phone number."), code="password_personal"))
                break
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _personal_values(user):
        values = [getattr(user, "username", ""), normalize_phone(getattr(user, "phone", "") or "")]
        return [value for value in values if value and len(value) >= 3]

    def get_help_text(self):
        return _("At least %(min_length)d characters mixing 3 of: capital letters, small letters, digits and symbols; "
                 "not containing your username or phone number.") % {"min_length": self.min_length}
