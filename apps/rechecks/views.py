from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.activities.rollups import totals
from apps.audit.workflow import run_transition
from apps.complaints.models import Complaint, Warning
from apps.evaluations.enums import HonorStatus
from apps.evaluations.models import Honor
from apps.organizations.enums import Action
from apps.organizations.scope import may_manage, staff_scope
from civpost import bulk
from civpost.exports import xlsx_response

from . import exports, workflow
from .forms import ConfirmForm, DecisionForm, RecheckForm, RecheckReportForm, RevokeForm
from .models import Outcome, Recheck, RecheckItem

PAGE_SIZE = 30




def _admin_nodes(request):
    scope = staff_scope(request)
    nodes = scope.managed_committees()
    if not nodes and not request.user.is_superuser:
        raise PermissionDenied
    return scope, nodes


@login_required
def recheck_list(request):
    scope, nodes = _admin_nodes(request)
    rechecks = scope.filter(Recheck.objects.select_related("node"), Action.MANAGE_NODE, "node").annotate(
        honours=Count("items"), decided=Count("items", filter=~Q(items__outcome=""))
    ).order_by("-created_at", "-pk")
    page = Paginator(rechecks, PAGE_SIZE).get_page(request.GET.get("page"))
    overdue = [item for node in nodes for item in workflow.overdue_rectifications(node)]
    return render(request, "rechecks/list.html", {"page": page, "overdue": overdue})


@login_required
def recheck_create(request):
    _scope, nodes = _admin_nodes(request)
    node_id = request.POST.get("node") or request.GET.get("node")
    node = next((n for n in nodes if str(n.pk) == node_id), nodes[0] if nodes else None)
    if node is None:
        raise PermissionDenied
    today = timezone.localdate()
    two_years_ago = date(today.year - 2, today.month, min(today.day, 28))
    form = RecheckForm(request.POST or None, instance=Recheck(node=node), initial={"named_from": date(2000, 1, 1), "named_until": two_years_ago})
    if request.method == "POST" and form.is_valid():
        recheck, done = run_transition(request, workflow.open_recheck, form.save(commit=False), request.user)
        if done:
            messages.success(request, _("Re-check opened for %(count)s honours.") % {"count": recheck.items.count()})
            return redirect(recheck)
    return render(request, "rechecks/form.html", {"form": form, "nodes": nodes, "node": node})


def _recheck(request, pk):
    scope, _nodes = _admin_nodes(request)
    return get_object_or_404(scope.filter(Recheck.objects.select_related("node"), Action.MANAGE_NODE, "node"), pk=pk)


@login_required
def recheck_detail(request, pk):
    recheck = _recheck(request, pk)
    items = Paginator(
        recheck.items.select_related("honor__collective", "rectification").order_by("outcome", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "rechecks/detail.html",
        {"recheck": recheck, "items": items, "decision_form": DecisionForm(), "confirm_form": ConfirmForm(),
         "undecided": recheck.items.filter(outcome="").count()},
    )


@login_required
def recheck_export(request, pk):
    """Every honour of the re-check with its report and outcome, in the page's order."""
    recheck = _recheck(request, pk)
    items = recheck.items.select_related("honor__collective__registering_node", "rectification").order_by("outcome", "pk")
    return xlsx_response(f"{recheck.title}.xlsx", exports.recheck_sheet(recheck, items))


@login_required
@require_POST
def decide(request, item_pk):
    item = get_object_or_404(RecheckItem.objects.select_related("recheck__node", "honor__collective"), pk=item_pk)
    if not may_manage(request.user, item.recheck.node, staff_scope(request)):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    elif form.cleaned_data["outcome"] == Outcome.REVOKE and not bulk.is_confirmed(request) and not item.outcome:
        return _confirm_revocation(request, item.honor, form, back=item.recheck.get_absolute_url())
    else:
        data = form.cleaned_data
        _result, done = run_transition(request, workflow.decide, item.pk, request.user, data["outcome"], data["reason"], data["deadline"], data["required_changes"], data["reference"])
        if done:
            messages.success(request, _("Outcome recorded."))
    return redirect(item.recheck)


@login_required
@require_POST
def confirm(request, item_pk):
    item = get_object_or_404(RecheckItem.objects.select_related("recheck"), pk=item_pk)
    form = ConfirmForm(request.POST)
    form.is_valid()
    _result, done = run_transition(request, workflow.confirm_rectification, item.pk, request.user, form.cleaned_data.get("comment", ""))
    if done:
        messages.success(request, _("Rectification confirmed."))
    return redirect(item.recheck)


@login_required
@require_POST
def close(request, pk):
    recheck = get_object_or_404(Recheck, pk=pk)
    _result, done = run_transition(request, workflow.close_recheck, recheck.pk, request.user)
    if done:
        messages.success(request, _("Re-check closed."))
    return redirect(recheck)


def _confirm_revocation(request, honor, form, back):
    """The confirmation page of a revocation, from a re-check's outcome or a direct decision."""
    return bulk.confirmation(
        request,
        title=_("Revoke a title"),
        summary=_("The title %(title)s of %(name)s will be revoked: it disappears at once from every public list and its 号长 is notified.")
        % {"title": honor.title, "name": honor.collective.name},
        form=form,
        back=back,
        button=_("Revoke the title"),
        rows=[(f"{honor.collective.name} · {honor.title} · {honor.certificate_number}", None)],
        irreversible=True,
    )


@login_required
def revoke(request, honor_pk):
    """Revoke a title directly: the naming committee, after a re-check, an upheld complaint or another decision."""
    honor = get_object_or_404(Honor.objects.select_related("collective", "named_by"), pk=honor_pk)
    if not may_manage(request.user, honor.named_by, staff_scope(request)):
        raise PermissionDenied
    complaint = request.GET.get("complaint", "")
    form = RevokeForm(request.POST or None, initial={"reason": _("Upheld complaint %(code)s") % {"code": complaint} if complaint else ""})
    if request.method == "POST" and form.is_valid() and not bulk.is_confirmed(request) and honor.status == HonorStatus.NAMED:
        return _confirm_revocation(request, honor, form, back=reverse("rechecks:revoke", args=[honor.pk]))
    if request.method == "POST" and form.is_valid():
        _result, done = run_transition(request, workflow.revoke, honor.pk, request.user, form.cleaned_data["reason"], form.cleaned_data["reference"])
        if done:
            messages.success(request, _("The title %(title)s of %(name)s is revoked.") % {"title": honor.title, "name": honor.collective.name})
            return redirect("rechecks:list")
    return render(request, "rechecks/revoke.html", {"honor": honor, "form": form})


# The collective -----------------------------------------------------------------------------------------


@login_required
def my_item(request, item_pk):
    item = get_object_or_404(
        RecheckItem.objects.select_related("honor__collective", "recheck"), pk=item_pk, honor__collective__leader_account=request.user
    )
    collective = item.honor.collective
    since = item.honor.named_on
    form = RecheckReportForm(request.POST or None, initial={"report": item.report})
    if request.method == "POST" and form.is_valid():
        _result, done = run_transition(request, workflow.file_report, item.pk, request.user, form.cleaned_data["report"])
        if done:
            messages.success(request, _("Re-check report filed."))
            return redirect("collectives:my")
    # What the portal attaches to the report: activity totals, complaints and warnings since the title was named.
    attached = {
        "totals": totals(collective.reports.filter(held_on__gte=since)),
        "upheld": Complaint.objects.upheld().filter(collective=collective, created_at__date__gte=since).count(),
        "complaints": Complaint.objects.filter(collective=collective, created_at__date__gte=since).count(),
        "warnings": Warning.objects.filter(collective=collective, issued_at__date__gte=since).count(),
    }
    return render(request, "rechecks/my_item.html", {"item": item, "form": form, "attached": attached, "since": since})
