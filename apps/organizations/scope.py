"""Which nodes and which objects a staff member may see or act on.

A membership covers its node and the node's whole subtree. Every staff list and detail view
narrows its queryset through `StaffScope.filter` so the rule lives here and only here.
"""

from functools import cached_property, reduce
from operator import or_

from django.db.models import Q

from .enums import ROLE_ACTIONS, Action, NodeKind
from .models import Membership, Node


class StaffScope:
    def __init__(self, user):
        self.user = user

    @cached_property
    def memberships(self):
        if not self.user.is_authenticated:
            return []
        return list(Membership.objects.current().filter(user=self.user, node__is_active=True).select_related("node"))

    @property
    def is_staff_member(self):
        return self.user.is_superuser or bool(self.memberships)

    def root_nodes(self, action):
        """The nodes whose subtrees this user may perform `action` in."""
        return [m.node for m in self.memberships if action in ROLE_ACTIONS[m.role]]

    def can(self, action, node=None):
        """May the user perform `action` at all (node=None), or on this particular node?"""
        if self.user.is_superuser:
            return True
        roots = self.root_nodes(action)
        if node is None:
            return bool(roots)
        return any(node.path.startswith(root.path) for root in roots)

    def acts_at(self, action, node):
        """May the user perform `action` for this very node (not merely somewhere above it)?

        Recommendation goes node by node: a province's staff may not act in a county's stead.
        """
        if self.user.is_superuser:
            return True
        return any(root.pk == node.pk for root in self.root_nodes(action))

    def q(self, action, node_field):
        """A Q object selecting rows whose `node_field` (a Node foreign key) lies in scope."""
        if self.user.is_superuser:
            return Q()
        roots = self.root_nodes(action)
        if not roots:
            return Q(pk__in=[])
        prefix = f"{node_field}__" if node_field else ""
        return reduce(or_, (root.subtree_q(prefix=prefix) for root in roots))

    def path_q(self, action, path_field):
        """A Q object selecting rows whose copy of their node's tree path (`path_field`, e.g. ActivityReport.node_path)
        lies in scope: one prefix test on the row's own indexed column, no join through collectives and nodes."""
        if self.user.is_superuser:
            return Q()
        roots = self.root_nodes(action)
        if not roots:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{path_field}__startswith": root.path}) for root in roots))

    def filter(self, queryset, action, node_field):
        return queryset.filter(self.q(action, node_field))

    def managed_committees(self):
        """The league committees this user administers (their own nodes, not those below): where they may open
        rounds and re-checks."""
        return [node for node in self.root_nodes(Action.MANAGE_NODE) if node.kind == NodeKind.LEAGUE_COMMITTEE]

    def nodes(self, action):
        return self.filter(Node.objects.all(), action, node_field="").order_by("path")


def may_manage(user, node, scope=None):
    """May the user administer this node (it is theirs or lies below theirs): its staff, its rounds, its re-checks."""
    return (scope or StaffScope(user)).can(Action.MANAGE_NODE, node)


def staff_scope(request):
    """The scope of the requesting user, computed once per request."""
    if not hasattr(request, "_staff_scope"):
        request._staff_scope = StaffScope(request.user)
    return request._staff_scope
