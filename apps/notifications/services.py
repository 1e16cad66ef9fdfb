import logging

from django.core.mail import send_mail
from django.db import transaction

from civpost.links import public_address

from .models import Notification, is_site_relative

logger = logging.getLogger(__name__)


def notify(recipients, subject, body="", url=""):
    """Notify each distinct active user in `recipients`; mail those with an address once the transaction commits.

    `url` is a site-relative path ("/my/collectives/1/"). Safe inside transaction.atomic(): if it rolls back,
    neither the notifications nor the mail exist. Returns the created notifications.
    """
    users = {user.pk: user for user in recipients if user is not None and user.is_active}.values()
    notifications = Notification.objects.bulk_create(
        Notification(recipient=user, subject=subject, body=body, url=url) for user in users
    )
    text = body
    if is_site_relative(url):
        text = f"{body}\n\n{public_address(url)}".lstrip()
    addressed = [(user.pk, user.email) for user in users if user.email]
    if addressed:
        transaction.on_commit(lambda: _send(" ".join(subject.split()), text, addressed))
    return notifications


def _send(subject, text, addressed):
    # One message per recipient, so they do not see each other's address. A mail failure must not break
    # the request that has already committed: log it (by user id, not address) and go on.
    for user_pk, address in addressed:
        try:
            send_mail(subject, text, None, [address])
        except Exception:
            logger.exception("Could not mail the notification %r to user %s", subject, user_pk)
