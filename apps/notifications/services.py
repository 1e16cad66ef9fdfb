from django.contrib.contenttypes.models import ContentType

from civpost.tasks import enqueue_on_commit

from . import outbox
from .models import Notification


def notify(recipients, subject, body="", url="", *, key="", about=None):
    """Notify each distinct active user in `recipients` in the portal, and queue the mail or text message their
    preferences ask for (outbox.py); the worker sends them once the transaction commits.

    `url` is a site-relative path ("/my/collectives/1/"). Safe inside transaction.atomic(): if it rolls back,
    neither the notifications nor the messages exist. `key` (scheduled jobs) makes the call idempotent: a recipient
    who already has a notification with this key gets nothing new. `about=(obj, "status")` names the decision told
    of: the messages are dropped if the object has left that state by the time they are sent. Returns the created
    notifications.
    """
    users = list({user.pk: user for user in recipients if user is not None and user.is_active}.values())
    if key:
        keys = {user.pk: f"{key}:{user.pk}" for user in users}
        existing = set(Notification.objects.filter(key__in=keys.values()).values_list("key", flat=True))
        users = [user for user in users if keys[user.pk] not in existing]
    if not users:
        return []
    decision = {}
    if about is not None:
        obj, field = about
        decision = {
            "about_type": ContentType.objects.get_for_model(obj),
            "about_id": obj.pk,
            "about_field": field,
            "about_state": str(getattr(obj, field)),
        }
    notifications = Notification.objects.bulk_create(
        Notification(recipient=user, subject=subject, body=body, url=url, key=keys[user.pk] if key else None, **decision)
        for user in users
    )
    for user, notification in zip(users, notifications):
        notification.recipient = user
    for chunk in outbox.queue(notifications):
        from .tasks import deliver

        enqueue_on_commit(deliver, chunk)
    return notifications
