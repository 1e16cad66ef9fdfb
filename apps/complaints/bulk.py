"""The complaint queue's bulk decision: accept each complaint for investigation through `workflow.accept`."""

from django.utils.translation import gettext_lazy as _

from apps.organizations.enums import Action
from civpost.bulk import NO_COMMENT, BulkAction, register

from . import workflow
from .models import Complaint

ACTIONS = register(
    BulkAction(
        "complaints.accept",
        _("Accept for investigation"),
        _("%(count)s complaints will be accepted for investigation."),
        Action.HANDLE_COMPLAINTS,
        lambda pk, user, comment, rank, **context: workflow.accept(pk, user),
        Complaint.objects.all,
        comment=NO_COMMENT,
    ),
)
