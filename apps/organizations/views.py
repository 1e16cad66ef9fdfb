"""The staff pages of the workbench: a committee admin lists, adds, re-roles and ends the staff of its subtree.

Every change goes through `workflow.py`; these views only find things within the admin's scope and show them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.accounts.invitations import is_pending_invitation
from apps.accounts.models import accounts_by_login
from apps.audit.workflow import run_transition
from civpost.forms import show_errors

from . import workflow
from .enums import Action
from .forms import CURRENT, ChangeRoleForm, EndForm, FindAccountForm, GrantForm, NewAccountForm, StaffFilter
from .models import Membership, Node
from .scope import staff_scope

PAGE_SIZE = 50
INVITATION_KEY = "staff_invitation"  # the one-time link, kept in the session until the admin has seen it once


def _scope(request):
    scope = staff_scope(request)
    if not scope.can(Action.MANAGE_NODE):
        raise PermissionDenied
    return scope


def _chosen_node(request, scope):
    """?node= within the admin's subtrees (404 outside), or None for all of them."""
    node_id = request.GET.get("node", "")
    if not node_id.isdigit():
        return None
    return get_object_or_404(scope.nodes(Action.MANAGE_NODE), pk=node_id)


def _tree_around(node, scope):
    """For drilling down: the way from the admin's own node to `node`, and the nodes right below it."""
    if node is None:
        roots = scope.root_nodes(Action.MANAGE_NODE) or list(Node.objects.get_root_nodes())
        return [], roots
    above = [n for n in Node.objects.get_ancestors(node) if scope.can(Action.MANAGE_NODE, n)]
    return above, list(Node.objects.get_children(node).filter(is_active=True))


@login_required
def staff_list(request):
    scope = _scope(request)
    node = _chosen_node(request, scope)
    memberships = scope.filter(Membership.objects.select_related("user", "node"), Action.MANAGE_NODE, "node")
    if node is not None:
        memberships = memberships.filter(node.subtree_q("node__"))
    params = request.GET.copy()
    params.setdefault("status", CURRENT)
    filterset = StaffFilter(params, queryset=memberships.order_by("node__path", "role", "user__real_name", "pk"))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    above, below = _tree_around(node, scope)
    return render(request, "organizations/staff_list.html", {"filter": filterset, "page": page, "node": node, "above": above, "below": below})


def _offered_nodes(request, scope):
    """The committee chosen on the list (else the admin's own) and those right below it, for the role form."""
    node = _chosen_node(request, scope)
    if node is None:
        roots = scope.root_nodes(Action.MANAGE_NODE) or list(Node.objects.get_root_nodes())
        node = roots[0]
    return node, [node, *Node.objects.get_children(node).filter(is_active=True)]


@login_required
def add(request):
    """Find an account by mobile phone or username and give it a role, or create the account."""
    scope = _scope(request)
    node, offered = _offered_nodes(request, scope)
    choices = {"offered_nodes": offered, "chosen_node": node}
    find_form = FindAccountForm(request.GET if "find" in request.GET else None)
    searched = find_form.cleaned_data["find"] if find_form.is_valid() else ""
    found = list(accounts_by_login(searched)[:2]) if searched else []
    grant_form = GrantForm(_posted(request, "grant"), **choices)
    new_form = NewAccountForm(_posted(request, "create"), initial=NewAccountForm.initial_for(searched) if searched and not found else {}, **choices)
    if grant_form.is_bound:
        if grant_form.is_valid() and (done := _grant_existing(request, grant_form.cleaned_data)):
            return done
        found = [grant_form.cleaned_data["user"]] if "user" in grant_form.cleaned_data else found
    if new_form.is_bound:
        if not new_form.is_valid():
            messages.error(request, _("Please correct the errors marked below. Nothing has been saved yet."))
        elif done := _create_account(request, new_form.cleaned_data):
            return done
    context = {"node": node, "deeper": offered[1:], "find_form": find_form, "found": found, "searched": find_form.is_bound}
    return render(request, "organizations/staff_add.html", {**context, "grant_form": grant_form, "new_form": new_form})


def _posted(request, action):
    """The POST data if this form's button was pressed, else None (an unbound form)."""
    return request.POST if request.method == "POST" and request.POST.get("action") == action else None


def _grant_existing(request, data):
    membership, done = run_transition(request, workflow.grant, request.user, data["user"], data["node"], data["role"])
    if done:
        messages.success(request, _("%(name)s is now %(role)s of %(node)s.") % _names(membership))
        return redirect("organizations:staff_detail", pk=membership.pk)
    return None


def _create_account(request, data):
    account = {field: data[field] for field in ("username", "real_name", "phone", "email")}
    result, done = run_transition(request, workflow.invite, request.user, data["node"], data["role"], **account)
    if not done:
        return None
    membership, url = result
    request.session[INVITATION_KEY] = {"membership": membership.pk, "url": url}
    messages.success(request, _("The account of %(name)s was created; they are now %(role)s of %(node)s.") % _names(membership))
    return redirect("organizations:staff_detail", pk=membership.pk)


def _names(membership):
    return {"name": membership.user.get_full_name(), "role": membership.get_role_display(), "node": membership.node.name}


def _membership_in_scope(request, pk):
    """A role (current or ended) at a committee the admin manages; 404 for any other."""
    memberships = Membership.objects.select_related("user", "node", "granted_by", "ended_by")
    return get_object_or_404(_scope(request).filter(memberships, Action.MANAGE_NODE, "node"), pk=pk)


@login_required
def staff_detail(request, pk):
    membership = _membership_in_scope(request, pk)
    scope, person = staff_scope(request), membership.user
    others = scope.filter(Membership.objects.filter(user=person).exclude(pk=pk).select_related("node"), Action.MANAGE_NODE, "node")
    invitation = request.session.get(INVITATION_KEY)
    if invitation and invitation["membership"] == membership.pk:
        del request.session[INVITATION_KEY]  # Shown once: a reload no longer shows it.
    else:
        invitation = None
    may_act = membership.is_current and workflow.may_act_on(request.user, membership, scope)
    pending = is_pending_invitation(person)
    return render(
        request,
        "organizations/staff_detail.html",
        {
            "membership": membership,
            "person": person,
            "others": others.order_by("ended_at", "node__path"),
            "invitation_url": invitation and invitation["url"],
            "pending": pending,
            "may_act": may_act,
            "may_reissue": may_act and pending and workflow.may_reissue(request.user, person, scope),
            "locked": workflow.is_sign_in_locked(person),
            "may_unlock": may_act and workflow.may_reissue(request.user, person, scope),
            "role_form": ChangeRoleForm(initial={"role": membership.role}),
            "end_form": EndForm(),
            "timeline": workflow.timeline(membership),
            "add_url": f"{reverse('organizations:staff_add')}?node={membership.node_id}&find={person.username}",
        },
    )


STEPS = {
    "role": (ChangeRoleForm, lambda user, pk, data: workflow.change_role(user, pk, data["role"]), gettext_lazy("Role changed.")),
    "end": (EndForm, lambda user, pk, data: workflow.end(user, pk, data["reason"]), gettext_lazy("The role has ended.")),
    "invitation": (None, lambda user, pk, data: workflow.reissue_invitation(user, pk), gettext_lazy("A new password link was issued; earlier links no longer work.")),
    "unlock": (None, lambda user, pk, data: workflow.unlock_sign_in(user, pk), gettext_lazy("Sign-in is unlocked: the person can sign in again now.")),
}


@login_required
@require_POST
def step(request, pk, name):
    membership = _membership_in_scope(request, pk)
    form_class, action, success = STEPS[name]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        show_errors(request, form)
        return redirect("organizations:staff_detail", pk=pk)
    result, done = run_transition(request, action, request.user, membership.pk, form.cleaned_data if form else None)
    if done:
        messages.success(request, success)
        if name == "invitation":
            request.session[INVITATION_KEY] = {"membership": membership.pk, "url": result}
    return redirect("organizations:staff_detail", pk=pk)
