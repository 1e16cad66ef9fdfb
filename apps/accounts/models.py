from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from .validators import MOBILE_RE, normalize_phone, validate_mobile


# What an anonymised account shows instead of the person (stored data, in the programme's language).
ANONYMISED_NAME = "已注销用户"
ANONYMISED_USERNAME_PREFIX = "deleted-"


class User(AbstractUser):
    """A person who signs in: league committee staff or a collective's 号长.

    The phone number is private data: it is used to sign in and never shown on public pages.
    """

    real_name = models.CharField(_("real name"), max_length=50)
    phone = models.CharField(
        _("mobile phone"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_mobile],
        error_messages={"unique": _("This mobile phone number is already registered.")},
    )
    phone_verified_at = models.DateTimeField(_("mobile phone verified at"), null=True, blank=True, editable=False)

    objects = UserManager()

    REQUIRED_FIELDS = ["email", "real_name"]

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.real_name or self.username

    def get_full_name(self):
        return self.real_name or self.username

    def anonymise(self):
        """Erase the person from the account (PIPL Art. 47) and close it: name, phone, email and username become a
        placeholder, the password unusable. The row stays, so every decision, title and audit entry that names the
        account keeps pointing at it (and now shows the placeholder). The caller saves and audits."""
        self.username = f"{ANONYMISED_USERNAME_PREFIX}{self.pk}"
        self.real_name = ANONYMISED_NAME
        self.first_name = self.last_name = self.email = ""
        self.phone = None
        self.is_active = False
        self.set_unusable_password()

    @property
    def is_anonymised(self):
        return self.username == f"{ANONYMISED_USERNAME_PREFIX}{self.pk}"

    def save(self, *args, **kwargs):
        # Store NULL, not "", so the unique constraint allows many users without a phone.
        self.phone = self.phone or None
        super().save(*args, **kwargs)


def accounts_by_login(login):
    """Accounts whose username is `login`, or whose mobile phone it is however it was typed (sign-in, staff search)."""
    login = (login or "").strip()
    lookup = models.Q(username=login)
    phone = normalize_phone(login)
    if MOBILE_RE.match(phone):
        lookup |= models.Q(phone=phone)
    return User.objects.filter(lookup).order_by("pk")


class PhoneCode(models.Model):
    """A one-time code sent by text message (phone_codes.py): to verify a mobile phone at sign-up or reset a
    password. Only its keyed hash is stored."""

    class Purpose(models.TextChoices):
        SIGNUP = "signup", _("Sign-up")
        RESET = "reset", _("Password reset")

    phone = models.CharField(max_length=11)
    purpose = models.CharField(max_length=8, choices=Purpose)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone", "purpose", "created_at"], name="phone_code_idx")]
