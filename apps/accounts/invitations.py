"""Accounts that someone else creates (staff added by a committee admin, 号长 brought in by an import).

Such an account has no usable password: nobody, the creator included, can sign in with it until its owner opens
the one-time link and chooses a password. The link is Django's password-reset link, so it stops working as soon
as the password is set (the token is derived from the password hash) and after PASSWORD_RESET_TIMEOUT.
"""

import logging

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from civpost.links import public_address

from .models import User

logger = logging.getLogger(__name__)


def create_invited_user(*, username, real_name, phone=None, email=""):
    """A new account whose owner must set the password through `invitation_url`; the caller saves nothing else."""
    user = User(username=username, real_name=real_name, phone=phone or None, email=email)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


def create_invited_users(people):
    """Many invited accounts in one statement (the new 号长 of an import): the same accounts as
    create_invited_user. `people` are unsaved User objects whose username and phone the caller has checked are
    free (in the import, against the accounts loaded for the file); returns them saved."""
    for user in people:
        user.set_unusable_password()
        user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    return User.objects.bulk_create(people)


def invitation_url(user):
    """The absolute one-time link at which the account's owner chooses a password."""
    path = reverse(
        "password_reset_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)},
    )
    return public_address(path)


def is_pending_invitation(user):
    """Has the owner not chosen a password yet?"""
    return not user.has_usable_password()


def renew_invitation(user):
    """A fresh link for an account still waiting for its password; the links given before stop working, because
    a new unusable password is drawn and the token is derived from it."""
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return invitation_url(user)


def mail_invitation(user, url, introduction):
    """Mail the link to the account's address, if it has one, once the surrounding transaction commits.

    `introduction` says who added the person and as what. Returns whether a mail is on its way.
    """
    if not user.email:
        return False
    subject = render_to_string("accounts/invitation_subject.txt").strip()
    body = render_to_string("accounts/invitation_email.txt", {"user": user, "url": url, "introduction": introduction})
    transaction.on_commit(lambda: _send(subject, body, user))
    return True


def _send(subject, body, user):
    # The account exists and the admin has the link on screen: a mail failure must not undo either.
    try:
        send_mail(subject, body, None, [user.email])
    except Exception:
        logger.exception("Could not mail the invitation to user %s", user.pk)
