from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.audit.workflow import run_transition
from apps.exports.registry import Workbook, staff_export
from apps.organizations.enums import Action
from apps.organizations.scope import staff_scope
from civpost import bulk
from civpost.forms import show_errors
from civpost.exports import dated_filename
from civpost.lists import PAGE_SIZES, ScalingPaginator, page_size, sort_order

from . import exports, workflow
from .bulk import ACTIONS as BULK_ACTIONS
from .bulk import CHANGE_ACTIONS
from .filters import ChangeRequestFilter, StaffCollectiveFilter
from .forms import ApproveForm, CollectiveForm, DecisionForm, DissolveForm, MemberFormSet, MemberRowsForm, ReturnForm, without_errors
from .member_rows import XLSX_CONTENT_TYPE, members_template_xlsx
from .models import ChangeRequest, ChangeStatus, Collective, NodeStatusCount, Status
from .public import cache_page, cached_page, render_page, stored_page
from .rules import CompositionRules, check_composition, young_count
from .member_changes import plan_member_rows, plan_saved_rows
from .services import CONSENT_REQUIRED, members_consent_needed, save_collective, save_member_rows

# The 号长's workspace ---------------------------------------------------------------------


@login_required
def my_workspace(request):
    collectives = (
        Collective.objects.filter(leader_account=request.user)
        .with_places()
        .prefetch_related("members", "honors", _pending_changes())
        .order_by("-created_at")
    )
    return render(request, "collectives/my_workspace.html", {"collectives": collectives})


def _pending_changes():
    return Prefetch("change_requests", ChangeRequest.objects.filter(status=ChangeStatus.PENDING), to_attr="pending_changes")


def _own_collective(request, pk):
    return get_object_or_404(Collective.objects.with_places().prefetch_related(_pending_changes()), pk=pk, leader_account=request.user)


@login_required
def my_collective(request, pk):
    collective = _own_collective(request, pk)
    return render(
        request,
        "collectives/my_collective.html",
        {
            "collective": collective,
            "members": collective.members.all(),
            "checks": collective.composition_checks(),
            "problems": workflow.submission_problems(collective),
            "can_edit": workflow.may_edit(request.user, collective),
            "can_submit": workflow.may_perform(request.user, collective, workflow.SUBMIT)
            and collective.status in workflow.SUBMIT.sources,
            "can_dissolve": collective.status in workflow.DISSOLVE.sources,
            "timeline": workflow.timeline(collective),
        },
    )


@login_required
def my_dissolve(request, pk):
    """The 号长 marks their collective dissolved, after a confirmation page with the reason."""
    collective = _own_collective(request, pk)
    return _dissolve(request, collective, reverse("collectives:my_collective", args=[collective.pk]))


def _dissolve(request, collective, back):
    """The dissolution's confirmation page (GET, or a POST without confirmation) and the step itself."""
    form = DissolveForm(request.POST if bulk.is_confirmed(request) else None)
    if form.is_valid():
        _result, done = run_transition(request, workflow.dissolve, collective.pk, request.user, form.cleaned_data["comment"])
        if done:
            messages.success(request, _("%(name)s is marked dissolved; its titles have ended.") % {"name": collective.name})
        return redirect(back)
    return bulk.confirmation(
        request,
        title=workflow.DISSOLVE.label,
        summary=_("%(name)s will be marked dissolved: it leaves the public lists, and each of its titles ends with your reason (its history is kept).")
        % {"name": collective.name},
        form=form,
        back=back,
        button=workflow.DISSOLVE.label,
        irreversible=True,
    )


@login_required
def create_collective(request):
    return _edit_collective(request, Collective())


@login_required
def edit_collective(request, pk):
    collective = _own_collective(request, pk)
    if not workflow.may_edit(request.user, collective):
        messages.error(request, _("The collective cannot be changed while the committee is reviewing it."))
        return redirect("collectives:my_collective", pk=collective.pk)
    return _edit_collective(request, collective)


def _edit_collective(request, collective):
    wants_submit = request.POST.get("action") == "submit"
    refreshing = request.method == "POST" and request.POST.get("action") == "refresh"
    form = CollectiveForm(request.POST or None, instance=collective, refreshing=refreshing)
    members = MemberFormSet(request.POST or None, instance=collective, prefix="members")
    if refreshing:
        # A region was chosen: the form comes back with the next list filled, as typed, nothing checked or saved.
        without_errors(form)
        without_errors(members)
    elif request.method == "POST":
        if wants_submit and not request.POST.get("accept_pledge"):
            form.add_error("accept_pledge", _("Accept the credit pledge before submitting the registration."))
        if members_consent_needed(collective, members) and not request.POST.get("member_data_consent"):
            form.add_error("member_data_consent", str(CONSENT_REQUIRED))
        if form.is_valid() and members.is_valid():
            consent = form.cleaned_data["member_data_consent"]
            saved, done = run_transition(request, save_collective, form, members, request.user, consent=consent)
            if done and not wants_submit:
                messages.success(request, _saved_message(saved))
                return redirect("collectives:my_collective", pk=saved.pk)
            if done:
                return _submit(request, saved)
        else:
            messages.error(request, _("Please correct the errors marked below. Nothing has been saved yet."))
    return render(request, "collectives/collective_form.html", {"form": form, "members": members, "collective": collective})


def _saved_message(collective):
    if collective.is_named and collective.change_requests.filter(status=ChangeStatus.PENDING).exists():
        return _("Saved. Changes to the name, unit and members wait for %(node)s's approval; until then the public page shows the approved data.") % {
            "node": collective.registering_node.name
        }
    return _("Saved.")


@login_required
def members(request, pk):
    """The 号长's members page: rows pasted from Excel or the uploaded template, previewed (parsed rows, each bad row
    with its line, the resulting count and youth share against the rules), then saved all or nothing on confirm."""
    collective = _own_collective(request, pk)
    if not workflow.may_edit(request.user, collective):
        messages.error(request, _("The collective cannot be changed while the committee is reviewing it."))
        return redirect("collectives:my_collective", pk=collective.pk)
    form = MemberRowsForm(request.POST or None, request.FILES or None)
    change = None
    if request.method == "POST" and form.is_valid():
        rows, mode = form.cleaned_data["sheet_rows"], form.cleaned_data["mode"]
        if request.POST.get("action") == "confirm":
            consent = form.cleaned_data["consent"]
            change, done = run_transition(request, save_member_rows, collective.pk, request.user, rows, mode, consent)
            if done and collective.is_named:
                messages.success(request, _saved_message(collective))
                return redirect("collectives:my_collective", pk=collective.pk)
            if done:
                messages.success(request, _("The member list is saved: %(count)s members.") % {"count": len(change.result)})
                return redirect("collectives:my_collective", pk=collective.pk)
        change = plan_member_rows(collective, rows, mode)
    current, rules = list(collective.members.all()), CompositionRules()
    return render(
        request,
        "collectives/members.html",
        {
            "collective": collective,
            "form": form,
            "change": change,
            "members": current,
            "checks": check_composition(current, rules),
            "rules": rules,
            "young_count": young_count(current, timezone.localdate(), rules.youth_age),
        },
    )


@login_required
def members_template(request, pk):
    """The members template (.xlsx): the columns the members page reads, with an example row."""
    _own_collective(request, pk)
    response = HttpResponse(members_template_xlsx(), content_type=XLSX_CONTENT_TYPE)
    filename = quote(_("Members template") + ".xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@login_required
@require_POST
def submit_collective(request, pk):
    return _submit(request, _own_collective(request, pk))


def _submit(request, collective):
    _result, done = run_transition(request, workflow.perform, "submit", collective.pk, request.user)
    if done:
        messages.success(
            request,
            _("Submitted. %(node)s will review the registration; you will see the outcome here.")
            % {"node": collective.registering_node.name},
        )
    return redirect("collectives:my_collective", pk=collective.pk)


# The staff queue ---------------------------------------------------------------------------


def _staff_collectives(request):
    scope = staff_scope(request)
    if not scope.can(Action.VIEW):
        raise PermissionDenied
    queryset = Collective.objects.filter(status__in=Status.staff_visible())
    return scope.filter(queryset, Action.VIEW, "registering_node")


# Sort keys of the queue's column headers; each order is backed by an index (Collective.Meta.indexes).
QUEUE_ORDERS = {"updated": ["updated_at", "id"], "name": ["name", "id"]}


def _queue_filter(request, in_scope):
    """The queue's filters and sort order on the request (the submitted tab by default, the latest change first):
    the page and its export read the same."""
    params = request.GET.copy()
    params.setdefault("status", Status.SUBMITTED)
    sort, order = sort_order(request, QUEUE_ORDERS, "-updated")
    return StaffCollectiveFilter(params, queryset=in_scope.with_places().order_by(*order)), params, sort


def _queue_count(request, filterset, params):
    """The tab counts from the counters, and the list's count when the counters give it (no search, no industry)."""
    counts = NodeStatusCount.in_scope(staff_scope(request), Action.VIEW)
    tabs = [(s.value, s.label, counts.get(s.value, 0)) for s in Status.staff_visible()]
    cleaned = filterset.form.cleaned_data if filterset.form.is_valid() else None
    if cleaned is not None and not (cleaned["q"] or cleaned["industry"] or cleaned["outside_rules"] is not None):
        status = cleaned["status"]
        return tabs, sum(count for value, _label, count in tabs if value == status or not status)
    return tabs, None


@login_required
def staff_queue(request):
    in_scope = _staff_collectives(request)
    filterset, params, sort = _queue_filter(request, in_scope)
    status_tabs, count = _queue_count(request, filterset, params)
    page = ScalingPaginator(filterset.qs, page_size(request), count).get_page(request.GET.get("page"))
    return render(
        request,
        "collectives/staff_queue.html",
        {
            "filter": filterset,
            "page": page,
            "status_tabs": status_tabs,
            "current_status": params.get("status"),
            "sort": sort,
            "page_sizes": PAGE_SIZES,
            "nodes": staff_scope(request).root_nodes(Action.VIEW),
            "bulk_actions": [
                action for action in BULK_ACTIONS.values()
                if params.get("status") == Status.SUBMITTED and staff_scope(request).can(action.permission)
            ],
        },
    )


@login_required
def staff_queue_bulk(request):
    """Approve or return the ticked registrations, or all those matching the queue's filter, after one confirmation."""
    in_scope = _staff_collectives(request)
    return bulk.decide(
        request,
        BULK_ACTIONS,
        visible=in_scope,
        matching=lambda request: _queue_filter(request, in_scope)[0].qs,
        back=reverse("collectives:staff_queue"),
    )


@staff_export("collectives.registrations", gettext_lazy("Registrations"))
def staff_queue_export(request):
    """The queue as Excel, exactly as filtered on the page, every page of it."""
    filterset, _params, _sort = _queue_filter(request, _staff_collectives(request))
    sheet = exports.registration_sheet(filterset.qs.with_young_members(timezone.localdate()))
    return Workbook(dated_filename(_("Registrations")), [sheet])


@login_required
def staff_detail(request, pk):
    collective = get_object_or_404(_staff_collectives(request).with_places(), pk=pk)
    actions = workflow.available_transitions(request.user, collective, staff_scope(request))
    return render(
        request,
        "collectives/staff_detail.html",
        {
            "collective": collective,
            "members": collective.members.all(),
            "checks": collective.composition_checks(),
            "timeline": workflow.timeline(collective),
            "can_approve": workflow.APPROVE in actions,
            "can_return": workflow.RETURN in actions,
            "can_dissolve": collective.status in workflow.DISSOLVE.sources
            and workflow.may_perform(request.user, collective, workflow.DISSOLVE, staff_scope(request)),
            "pending_change": collective.change_requests.filter(status=ChangeStatus.PENDING).first(),
            "decision_form": DecisionForm(),
        },
    )


@login_required
def staff_dissolve(request, pk):
    collective = get_object_or_404(_staff_collectives(request), pk=pk)
    if not workflow.may_perform(request.user, collective, workflow.DISSOLVE, staff_scope(request)):
        raise PermissionDenied
    return _dissolve(request, collective, reverse("collectives:staff_detail", args=[collective.pk]))


# Change requests of named collectives ----------------------------------------------------------------------------


def _staff_changes(request):
    scope = staff_scope(request)
    if not scope.can(Action.VIEW):
        raise PermissionDenied
    return scope.filter(ChangeRequest.objects.all(), Action.VIEW, "collective__registering_node")


def _change_filter(request, in_scope):
    params = request.GET.copy()
    params.setdefault("status", ChangeStatus.PENDING)
    queryset = in_scope.select_related("collective__registering_node", "requested_by").order_by("requested_at", "pk")
    return ChangeRequestFilter(params, queryset=queryset), params


@login_required
def change_queue(request):
    """The changes named collectives ask of the committee: oldest first, pending by default."""
    filterset, params = _change_filter(request, _staff_changes(request))
    page = ScalingPaginator(filterset.qs, page_size(request)).get_page(request.GET.get("page"))
    scope = staff_scope(request)
    return render(
        request,
        "collectives/change_queue.html",
        {
            "filter": filterset,
            "page": page,
            "page_sizes": PAGE_SIZES,
            "bulk_actions": [
                action for action in CHANGE_ACTIONS.values() if params.get("status") == ChangeStatus.PENDING and scope.can(action.permission)
            ],
        },
    )


@login_required
def change_queue_bulk(request):
    in_scope = _staff_changes(request)
    return bulk.decide(
        request,
        CHANGE_ACTIONS,
        visible=in_scope,
        matching=lambda request: _change_filter(request, in_scope)[0].qs,
        back=reverse("collectives:change_queue"),
    )


@login_required
def change_detail(request, pk):
    """One change beside the approved data: the new name and unit, and who joins, leaves or changes position, with
    the rules checked on the resulting list."""
    change = get_object_or_404(_staff_changes(request).select_related("collective__registering_node", "requested_by"), pk=pk)
    plan = None
    if change.member_rows and change.status == ChangeStatus.PENDING:
        plan = plan_saved_rows(change.collective, change.member_rows, change.member_mode)
    return render(
        request,
        "collectives/change_detail.html",
        {
            "change": change,
            "plan": plan,
            "can_decide": change.status == ChangeStatus.PENDING and workflow.may_decide_change(request.user, change, staff_scope(request)),
            "decision_form": DecisionForm(),
        },
    )


CHANGE_STEPS = {"approve": (workflow.approve_change, ApproveForm), "return": (workflow.return_change, ReturnForm)}


@login_required
@require_POST
def change_decide(request, pk, name):
    change = get_object_or_404(_staff_changes(request).select_related("collective__registering_node"), pk=pk)
    if not workflow.may_decide_change(request.user, change, staff_scope(request)):
        raise PermissionDenied
    step, form_class = CHANGE_STEPS[name]
    form = form_class(request.POST)
    back = reverse("collectives:change_detail", args=[change.pk])
    if not form.is_valid():
        show_errors(request, form)
        return redirect(back)
    if name == "approve" and not bulk.is_confirmed(request) and change.status == ChangeStatus.PENDING:
        action = CHANGE_ACTIONS["approve_change"]
        return bulk.confirmation(
            request, title=action.label, summary=action.summary % {"count": 1}, form=form, back=back,
            button=action.label, rows=[(change.collective.name, None)], irreversible=True,
        )
    _result, done = run_transition(request, step, change.pk, request.user, form.cleaned_data["comment"])
    if not done:
        return redirect(back)
    messages.success(request, _("The change of %(name)s was decided.") % {"name": change.collective.name})
    return redirect("collectives:change_queue")


STAFF_TRANSITION_FORMS = {"approve": ApproveForm, "return": ReturnForm}


@login_required
@require_POST
def staff_transition(request, pk, name):
    collective = get_object_or_404(_staff_collectives(request), pk=pk)
    if not workflow.may_perform(request.user, collective, workflow.TRANSITIONS[name], staff_scope(request)):
        raise PermissionDenied
    form = STAFF_TRANSITION_FORMS[name](request.POST)
    if not form.is_valid():
        show_errors(request, form)
        return redirect("collectives:staff_detail", pk=collective.pk)
    if name == "approve" and not bulk.is_confirmed(request) and collective.status in workflow.APPROVE.sources:
        return bulk.confirmation(
            request,
            title=workflow.APPROVE.label,
            summary=BULK_ACTIONS["approve"].summary % {"count": 1},
            form=form,
            back=reverse("collectives:staff_detail", args=[collective.pk]),
            button=workflow.APPROVE.label,
            rows=[(collective.name, None)],
            irreversible=True,
        )
    updated, done = run_transition(request, workflow.perform, name, collective.pk, request.user, form.cleaned_data["comment"])
    if not done:
        return redirect("collectives:staff_detail", pk=collective.pk)
    collective = updated
    if name == "approve":
        messages.success(
            request,
            _("%(name)s is registered as an aspiring collective, number %(number)s.")
            % {"name": collective.name, "number": collective.registration_number},
        )
    else:
        messages.success(request, _("%(name)s was returned to its 号长 for revision.") % {"name": collective.name})
    return redirect("collectives:staff_queue")


# Public ------------------------------------------------------------------------------------


def public_page(request, pk):
    """The post's public page (the QR code and the plaque lead here). Delisted and dissolved collectives keep their page,
    which says so.

    Its title, description and content are read from the (shared) cache with the version itself; the first visit of
    a version reads the page the task worker stored for it, or renders it if there is none yet
    (apps/collectives/public.py). A change to the post, its honours, reports or photos shows at once."""
    language = get_language()
    page = cached_page(pk, language)
    if page is None:
        page, version = stored_page(pk, language)
        if page is None:
            page, version = render_page(pk)
        if page is None:
            raise Http404
        cache_page(pk, version, language, page)
    return render(request, "collectives/public_page.html", {**page, "content": mark_safe(page["content"])})
