"""Sending the outbox in the background (civpost/tasks.py: retried with a growing delay)."""

from civpost.tasks import retrying_task

from . import outbox


class DeliveryError(Exception):
    pass


@retrying_task(retries=3, backoff_seconds=60)
def deliver(message_ids):
    failed = outbox.send(message_ids)
    if failed:
        raise DeliveryError(f"{failed} of {len(message_ids)} messages could not be sent; they are retried.")
