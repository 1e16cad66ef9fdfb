"""What every workflow of the portal shares: the error a refused step raises, running a step from a view, and the
audit trail of an object ready for display."""

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied

from . import labels
from .models import AuditEntry, record


class TransitionError(Exception):
    """A step that may not happen now (state moved on, rule not met); the message is shown to the user as it is."""


def change_state(subject, user, action, to_state, comment="", field="status", changes=None, update_fields=None):
    """Move the subject to `to_state` and write its audit entry (who, from which state to which, why): every
    workflow's one way of changing a state, inside the caller's transaction."""
    from_state = getattr(subject, field)
    setattr(subject, field, to_state)
    subject.save(update_fields=update_fields)
    record(subject, actor=user, action=action, from_state=from_state, to_state=to_state, comment=comment, changes=changes)


def require_state(subject, states, refusal, field="status", **names):
    """Refuse a step the subject's state no longer allows; `refusal` names the state with %(state)s (and may name
    `names`, e.g. the step's %(action)s)."""
    if getattr(subject, field) not in states:
        raise TransitionError(refusal % {"state": getattr(subject, f"get_{field}_display")(), **names})


def run_transition(request, step, *args, **kwargs):
    """Call a workflow step for a view: (result, True), or (None, False) with the refusal shown as a message.

    A user who may not act at all gets a 403 page, not a message.
    """
    try:
        return step(*args, **kwargs), True
    except PermissionError:
        raise PermissionDenied
    except TransitionError as error:
        messages.error(request, str(error))
        return None, False


def timeline(subject, actions=None, states=None):
    """The subject's audit entries with display names for their action and states: the subject's own workflow's
    names first, then those other apps registered for what they record on it (labels.py)."""
    actions, states = actions or {}, states or {}
    entries = list(AuditEntry.objects.for_object(subject))
    for entry in entries:
        entry.action_label = actions.get(entry.action) or labels.action_label(entry.action)
        entry.from_label = states.get(entry.from_state) or labels.state_label(entry.from_state)
        entry.to_label = states.get(entry.to_state) or labels.state_label(entry.to_state)
        entry.changed = [(_field_label(subject, field), old, new) for field, (old, new) in entry.changes.items()]
    return entries


def _field_label(subject, field):
    try:
        return subject._meta.get_field(field).verbose_name
    except FieldDoesNotExist:
        return field
