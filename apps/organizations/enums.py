from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class NodeKind(models.TextChoices):
    LEAGUE_COMMITTEE = "league", _("League committee")
    INDUSTRY_UNIT = "industry", _("Industry member unit")


class Role(models.TextChoices):
    ADMIN = "admin", _("Committee admin")
    REVIEWER = "reviewer", _("Reviewer staff")
    EXPERT = "expert", _("Expert reviewer")
    VIEWER = "viewer", _("Viewer")


class Action(models.TextChoices):
    """What a staff member may do in the subtree of their node; ROLE_ACTIONS says which role may do what."""

    VIEW = "view", _("See lists and records")
    REVIEW_REGISTRATIONS = "review_registrations", _("Approve or return registrations")
    RECOMMEND = "recommend", _("Recommend, return or decline applications")
    MODERATE_REPORTS = "moderate_reports", _("Hide inappropriate activity reports")
    HANDLE_COMPLAINTS = "handle_complaints", _("Handle complaints and issue warnings")
    MANAGE_NODE = "manage_node", _("Manage the committee and its staff")


# Experts only score what they are assigned (issue 4), so they see nothing of the subtree.
ROLE_ACTIONS = {
    Role.ADMIN: {Action.VIEW, Action.REVIEW_REGISTRATIONS, Action.RECOMMEND, Action.MODERATE_REPORTS, Action.HANDLE_COMPLAINTS, Action.MANAGE_NODE},
    Role.REVIEWER: {Action.VIEW, Action.REVIEW_REGISTRATIONS, Action.RECOMMEND, Action.MODERATE_REPORTS, Action.HANDLE_COMPLAINTS},
    Role.VIEWER: {Action.VIEW},
    Role.EXPERT: set(),
}


def roles_allowed(action):
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions]
