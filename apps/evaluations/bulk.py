"""The application queue's bulk decisions: each item through the same step of APPLICATION_STEPS as the single
recommendation, return or decline (`workflow.recommend`, `workflow.send_back`)."""

from django.utils.translation import gettext_lazy as _

from apps.organizations.enums import Action
from civpost.bulk import REQUIRED_COMMENT, BulkAction, register

from . import workflow
from .models import Application


def _applications():
    return Application.objects.select_related("collective", "round")


ACTIONS = register(
    BulkAction(
        "evaluations.recommend",
        _("Recommend"),
        _("%(count)s applications will be recommended to the next committee with the ranks below; each 号长 and the next committee are notified."),
        Action.RECOMMEND,
        lambda pk, user, comment, rank, **context: workflow.recommend(pk, user, rank=rank or 1, comment=comment),
        _applications,
        ranked=True,
        irreversible=True,
    ),
    BulkAction(
        "evaluations.return",
        _("Return for revision"),
        _("%(count)s applications will be returned to their 号长 for revision, with your reason."),
        Action.RECOMMEND,
        lambda pk, user, comment, rank, **context: workflow.send_back(pk, user, "return", comment),
        _applications,
        comment=REQUIRED_COMMENT,
    ),
    BulkAction(
        "evaluations.decline",
        _("Do not recommend"),
        _("%(count)s applications will not be recommended: their climb ends at your committee, with your reason."),
        Action.RECOMMEND,
        lambda pk, user, comment, rank, **context: workflow.send_back(pk, user, "decline", comment),
        _applications,
        comment=REQUIRED_COMMENT,
        irreversible=True,
    ),
)
