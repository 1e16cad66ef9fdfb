"""The registration queue's bulk decisions: each item through `workflow.perform`, as the single approve and return."""

from django.utils.translation import gettext_lazy as _

from apps.organizations.enums import Action
from civpost.bulk import REQUIRED_COMMENT, BulkAction, register

from . import workflow
from .models import Collective

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
