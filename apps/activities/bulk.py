"""A campaign's bulk reminder: each collective that has not reported through `workflow.remind`."""

from django.utils.translation import gettext_lazy as _

from apps.collectives.models import Collective
from apps.organizations.enums import Action
from civpost.bulk import BulkAction, register

from . import workflow

ACTIONS = register(
    BulkAction(
        "activities.remind",
        _("Remind to report"),
        _("%(count)s collectives that have not reported will be reminded: each 号长 is notified, with your comment."),
        Action.MODERATE_REPORTS,
        lambda pk, user, comment, rank, campaign: workflow.remind(pk, user, campaign, comment),
        Collective.objects.all,
    ),
)
