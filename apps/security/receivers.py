"""What writes the security trail besides the two-factor steps: Django's and django-axes' sign-in signals, password
saves, and the role steps of apps/organizations (through their audit entries, in the same transaction)."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save

from apps.accounts.models import accounts_by_login
from apps.audit import labels
from apps.audit.models import AuditEntry

from . import trail, twofactor
from .models import Event, Result

# Membership steps (apps/organizations/workflow.py) → security events.
ROLE_EVENTS = {
    "grant_role": Event.ROLE_GRANTED,
    "change_role": Event.ROLE_CHANGED,
    "end_membership": Event.ROLE_ENDED,
    "unlock_sign_in": Event.UNLOCKED,
}


def signed_in(sender, request, user, **kwargs):
    """Every sign-in (the login page, the admin's, a new account's): a person with two-factor authentication on must
    still give a code; a committee admin or superuser without it, when it is required, must enrol first."""
    if request is None or not hasattr(request, "session"):
        return
    if twofactor.has_two_factor(user):
        request.session[twofactor.SESSION_STATE] = twofactor.VERIFY
        trail.log(Event.LOGIN, request=request, actor=user, result=Result.PENDING)
        return
    if twofactor.is_required(user):
        request.session[twofactor.SESSION_STATE] = twofactor.ENROL
    trail.log(Event.LOGIN, request=request, actor=user)


def signed_out(sender, request, user, **kwargs):
    if user is not None:
        trail.log(Event.LOGOUT, request=request, actor=user)


def sign_in_failed(sender, credentials, request=None, **kwargs):
    typed = (credentials or {}).get("username", "") or ""
    account = accounts_by_login(typed).first() if typed else None
    trail.log(Event.LOGIN_FAILED, request=request, account=account, username=typed, result=Result.FAILURE, detail="password")


def locked_out(sender, request, username, ip_address, **kwargs):
    account = accounts_by_login(username).first() if username else None
    trail.log(Event.LOCKED_OUT, request=request, account=account, username=username or "", result=Result.FAILURE)


def password_saved(sender, instance, created, **kwargs):
    # AbstractBaseUser keeps the new raw password in `_password` from set_password() until the save completes.
    if created or getattr(instance, "_password", None) is None:
        return
    request = trail.current_request.get()
    match = getattr(request, "resolver_match", None)
    reset = match is not None and match.url_name == "password_reset_confirm"
    trail.log(Event.PASSWORD_RESET if reset else Event.PASSWORD_CHANGED, account=instance)


def role_recorded(sender, instance, created, **kwargs):
    event = ROLE_EVENTS.get(instance.action)
    if not created or event is None or instance.content_type.model != "membership":
        return
    membership = instance.subject
    change = " → ".join(str(labels.state_label(state)) for state in (instance.from_state, instance.to_state) if state)
    trail.log(event, actor=instance.actor, account=membership.user, detail=f"{membership.node.name} {change}".strip())


def connect():
    user_logged_in.connect(signed_in, dispatch_uid="security.signed_in")
    user_logged_out.connect(signed_out, dispatch_uid="security.signed_out")
    user_login_failed.connect(sign_in_failed, dispatch_uid="security.sign_in_failed")
    user_locked_out.connect(locked_out, dispatch_uid="security.locked_out")
    post_save.connect(password_saved, sender=get_user_model(), dispatch_uid="security.password_saved")
    post_save.connect(role_recorded, sender=AuditEntry, dispatch_uid="security.role_recorded")
