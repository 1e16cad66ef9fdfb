"""The states of rounds and applications, with the groups the rest of the code asks for."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundKind(models.TextChoices):
    """The national cycle's two rounds: collectives file their intent (创建备案, odd years), then are named (认定,
    even years) in a naming round linked to the filing round."""

    NAMING = "naming", _("Naming (认定)")
    FILING = "filing", _("Creation registration (创建备案)")


class RoundStage(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    FILING = "filing", _("Accepting creation registrations")
    FILED = "filed", _("Creation registration closed")
    OPEN = "open", _("Accepting applications")
    REVIEW = "review", _("Recommendation and review")
    NOTICE = "notice", _("Public notice")
    NAMED = "named", _("Named")


class AppStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Awaiting recommendation")
    RETURNED = "returned", _("Returned for revision")
    DECLINED = "declined", _("Not recommended")
    REVIEW = "review", _("In expert review")
    NOT_SELECTED = "not_selected", _("Not selected")
    NOTICE = "notice", _("On public notice")
    WITHDRAWN = "withdrawn", _("Withdrawn after objection")
    NAMED = "named", _("Named")

    @classmethod
    def editable(cls):
        return [cls.DRAFT, cls.RETURNED]

    @classmethod
    def on_notice_list(cls):
        """Entries of a published notice, whatever became of them."""
        return [cls.NOTICE, cls.WITHDRAWN, cls.NAMED]


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld: entry withdrawn")
    DISMISSED = "dismissed", _("Dismissed")


class InspectionStatus(models.TextChoices):
    """现场考核: planned by the round's committee, visited by its team, concluded by the committee (or cancelled)."""

    PLANNED = "planned", _("Planned")
    VISITED = "visited", _("Findings recorded")
    CONCLUDED = "concluded", _("Concluded")
    CANCELLED = "cancelled", _("Cancelled")


class HonorStatus(models.TextChoices):
    NAMED = "named", _("Valid")
    REVOKED = "revoked", _("Revoked")


STAR_GRADES = [(1, _("One star")), (2, _("Two stars")), (3, _("Three stars"))]

# The letter in front of a certificate number tells the naming level at a glance.
LEVEL_CODES = {"national": "N", "provincial": "P", "city": "C", "county": "X"}
