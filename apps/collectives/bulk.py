"""The registration queue's bulk decisions: each item through `workflow.perform`, as the single approve and return."""

from django.utils.translation import gettext_lazy as _

from apps.organizations.enums import Action
from civpost.bulk import REQUIRED_COMMENT, BulkAction, register

from . import workflow
from .models import ChangeRequest, Collective

ACTIONS = register(
    BulkAction(
        "collectives.approve",
        _("Approve registration"),
        _("%(count)s registrations will be approved: each collective gets its registration number and its 号长 is notified."),
        Action.REVIEW_REGISTRATIONS,
        lambda pk, user, comment, rank, **context: workflow.perform("approve", pk, user, comment),
        Collective.objects.all,
        irreversible=True,
    ),
    BulkAction(
        "collectives.return",
        _("Return for revision"),
        _("%(count)s registrations will be returned to their 号长 for revision, with your comment."),
        Action.REVIEW_REGISTRATIONS,
        lambda pk, user, comment, rank, **context: workflow.perform("return", pk, user, comment),
        Collective.objects.all,
        comment=REQUIRED_COMMENT,
    ),
)


# The change requests of named collectives: each through workflow.approve_change / return_change, as the single ones.
CHANGE_ACTIONS = register(
    BulkAction(
        "collectives.approve_change",
        _("Approve the change"),
        _("%(count)s changes will be approved: each collective takes its new name, unit or members, and its 号长 is notified."),
        Action.REVIEW_REGISTRATIONS,
        lambda pk, user, comment, rank, **context: workflow.approve_change(pk, user, comment),
        lambda: ChangeRequest.objects.select_related("collective"),
        irreversible=True,
    ),
    BulkAction(
        "collectives.return_change",
        _("Return the change"),
        _("%(count)s changes will be returned to their 号长 with your comment; the collectives keep their approved data."),
        Action.REVIEW_REGISTRATIONS,
        lambda pk, user, comment, rank, **context: workflow.return_change(pk, user, comment),
        lambda: ChangeRequest.objects.select_related("collective"),
        comment=REQUIRED_COMMENT,
    ),
)
