"""The outbox: which messages a notification becomes, and sending them (by the task worker, never in a request).

A notification becomes one Message per channel its recipient wants: email when they have an address, a text message
(SMS) when they have a mobile phone and an SMS backend is configured. Staff (anyone with a current committee role,
and superusers) get no mail per event: their messages wait for the daily digest, and no text messages. Before a
message goes out the object it tells of is read again: if its state changed since (a decision reversed), the
message is marked skipped and not sent.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.organizations.models import Membership
from civpost.links import public_address

from . import sms
from .models import Channel, Message, MessageStatus, Notification, Preference, is_site_relative

logger = logging.getLogger(__name__)

CHUNK = 500  # messages per delivery task


def staff_ids(users):
    ids = {user.pk for user in users if user.is_superuser}
    ids.update(Membership.objects.current().filter(user__in=[u.pk for u in users]).values_list("user_id", flat=True))
    return ids


def queue(notifications):
    """Write the outbox rows of `notifications` (recipients loaded); return the ids to send now, in chunks."""
    users = [n.recipient for n in notifications]
    preferences = {p.user_id: p for p in Preference.objects.filter(user__in=[u.pk for u in users])}
    default = Preference()
    staff = staff_ids(users)
    rows = []
    for notification in notifications:
        user = notification.recipient
        wants = preferences.get(user.pk, default)
        is_staff = user.pk in staff
        if user.email and wants.email:
            rows.append(Message(notification=notification, channel=Channel.EMAIL, digest=is_staff))
        if user.phone and wants.sms and not is_staff and sms.enabled():
            rows.append(Message(notification=notification, channel=Channel.SMS))
    created = Message.objects.bulk_create(rows)
    now = [m.pk for m in created if not m.digest]
    return [now[i : i + CHUNK] for i in range(0, len(now), CHUNK)]


def still_valid(notifications):
    """The notifications whose object is still in the state they tell of (or that tell of none): one query per
    kind of object."""
    wanted = defaultdict(set)
    for n in notifications:
        if n.about_type_id:
            wanted[n.about_type_id].add(n.about_id)
    states = {}
    for type_id, ids in wanted.items():
        model = next(n.about_type for n in notifications if n.about_type_id == type_id).model_class()
        fields = {n.about_field for n in notifications if n.about_type_id == type_id}
        for row in model._base_manager.filter(pk__in=ids).values("pk", *fields):
            for field in fields:
                states[(type_id, row["pk"], field)] = str(row[field])
    return {
        n.pk
        for n in notifications
        if not n.about_type_id or states.get((n.about_type_id, n.about_id, n.about_field)) == n.about_state
    }


def mail_text(notification):
    text = notification.body
    if is_site_relative(notification.url):
        text = f"{notification.body}\n\n{public_address(notification.url)}".lstrip()
    return text


def _send_one(message):
    notification, user = message.notification, message.notification.recipient
    if message.channel == Channel.EMAIL:
        send_mail(" ".join(notification.subject.split()), mail_text(notification), None, [user.email])
    else:
        sms.send_sms(user.phone, "notice", [notification.subject[: sms.NOTICE_PARAM_MAX]])


def send(message_ids):
    """Send the waiting messages among `message_ids`; returns how many failed (they stay waiting for the retry)."""
    messages = list(
        Message.objects.filter(pk__in=message_ids, status=MessageStatus.PENDING, digest=False).select_related(
            "notification__recipient", "notification__about_type"
        )
    )
    valid = still_valid([m.notification for m in messages])
    failed = 0
    for message in messages:
        if message.notification_id not in valid:
            _mark(message, MessageStatus.SKIPPED)
            continue
        try:
            _send_one(message)
        except Exception as error:  # a mail server or provider down: the task is retried
            failed += 1
            logger.exception("Could not send message %s (user %s)", message.pk, message.notification.recipient_id)
            Message.objects.filter(pk=message.pk).update(attempts=message.attempts + 1, error=str(error)[:2000])
        else:
            _mark(message, MessageStatus.SENT, attempts=message.attempts + 1)
    return failed


def _mark(message, status, **fields):
    Message.objects.filter(pk=message.pk, status=MessageStatus.PENDING).update(status=status, sent_at=timezone.now(), **fields)


def send_digests():
    """One mail per staff member with every notification waiting for the digest; twice in a row sends nothing new.
    Returns the number of mails sent."""
    waiting = list(
        Message.objects.filter(status=MessageStatus.PENDING, digest=True)
        .select_related("notification__recipient", "notification__about_type")
        .order_by("notification__recipient", "notification__created_at", "pk")
    )
    valid = still_valid([m.notification for m in waiting])
    by_user = defaultdict(list)
    for message in waiting:
        if message.notification_id in valid:
            by_user[message.notification.recipient].append(message)
        else:
            _mark(message, MessageStatus.SKIPPED)
    sent = 0
    for user, messages in by_user.items():
        items = [{"subject": m.notification.subject, "body": m.notification.body, "link": _link(m.notification)} for m in messages]
        subject = _("Civpost daily digest: %(count)s notifications") % {"count": len(items)}
        body = render_to_string("notifications/digest_email.txt", {"user": user, "items": items, "site": settings.SITE_URL.rstrip("/")})
        try:
            send_mail(subject, body, None, [user.email])
        except Exception as error:
            logger.exception("Could not send the digest to user %s", user.pk)
            Message.objects.filter(pk__in=[m.pk for m in messages]).update(error=str(error)[:2000])
            continue
        Message.objects.filter(pk__in=[m.pk for m in messages], status=MessageStatus.PENDING).update(
            status=MessageStatus.SENT, sent_at=timezone.now()
        )
        sent += 1
    return sent


def _link(notification):
    return public_address(notification.url) if is_site_relative(notification.url) else ""


def forget_old(now):
    """Retention: read notifications and finished messages older than NOTIFICATION_RETENTION_DAYS."""
    cutoff = now - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    deleted, _rows = Notification.objects.filter(read_at__lt=cutoff, created_at__lt=cutoff).exclude(
        messages__status=MessageStatus.PENDING
    ).delete()
    return deleted
