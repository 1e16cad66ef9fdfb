from functools import cached_property

from apps.collectives.models import Collective
from apps.evaluations.models import ReviewAssignment
from apps.imports.registry import all_kinds
from apps.organizations.enums import Action, Role
from apps.organizations.scope import staff_scope


class Navigation:
    """What the header and the workbench menu offer the user: only what they can use.

    Each answer is computed the first time a template asks for it, once per request; the memberships behind them
    are read once (`staff_scope`), and anonymous visitors get no object at all, so public pages pay nothing.
    """

    def __init__(self, request):
        self.user = request.user
        self.scope = staff_scope(request)

    @cached_property
    def workbench(self):
        return self.scope.is_staff_member

    @cached_property
    def my_collective(self):
        # Everyone else is a 号长, or about to register a collective; staff see it only when they lead one.
        return not self.workbench or Collective.objects.filter(leader_account=self.user).exists()

    @cached_property
    def committee_lists(self):
        """Registrations, applications, rounds, campaigns and statistics of the user's subtree."""
        return self.scope.can(Action.VIEW)

    @cached_property
    def complaints(self):
        return self.scope.can(Action.HANDLE_COMPLAINTS)

    @cached_property
    def reviews(self):
        if any(m.role == Role.EXPERT for m in self.scope.memberships):
            return True
        return self.workbench and ReviewAssignment.objects.filter(expert=self.user).exists()

    @cached_property
    def imports(self):
        return any(self.scope.can(kind.action) for kind in all_kinds())

    @cached_property
    def privacy_requests(self):
        """Account deletion requests (apps/privacy): for those who handle registrations."""
        return self.scope.can(Action.REVIEW_REGISTRATIONS)

    @cached_property
    def staff(self):
        return self.scope.can(Action.MANAGE_NODE)


def navigation(request):
    if not request.user.is_authenticated:
        return {}
    return {"nav": Navigation(request)}


# 长辈模式 (large-text mode): larger text, more line spacing, stronger contrast, no animation; a cookie remembers
# it for the visitor, set by the header's button (civpost.views.display_mode), with or without JavaScript.
ELDER_COOKIE = "elder"


def display(request):
    return {"elder_mode": request.COOKIES.get(ELDER_COOKIE) == "1"}
