"""The revocation proposals' bulk decision: keep the titles, each through `workflow.keep_title` with the one reason.
Revoking stays one title at a time (rechecks:revoke), each with its own confirmation."""

from django.utils.translation import gettext_lazy as _

from apps.organizations.enums import Action
from civpost.bulk import REQUIRED_COMMENT, BulkAction, register

from . import workflow
from .models import RevocationProposal

ACTIONS = register(
    BulkAction(
        "rechecks.keep_title",
        _("Keep the titles"),
        _("%(count)s proposals will be closed and the titles kept."),
        Action.MANAGE_NODE,
        lambda pk, user, comment, rank, **context: workflow.keep_title(pk, user, comment),
        lambda: RevocationProposal.objects.select_related("honor__collective"),
        comment=REQUIRED_COMMENT,
    ),
)
