from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.activities.rollups import totals
from apps.audit.workflow import run_transition
from apps.audit.workflow import timeline as audit_timeline
from apps.collectives.models import Collective
from apps.complaints.models import Complaint, Warning
from apps.evaluations.enums import HonorStatus
from apps.evaluations.models import Honor
from apps.evaluations.uploads import EXTENSIONS, download_response
from apps.exports.registry import Workbook, staff_export
from apps.organizations.enums import Action
from apps.organizations.scope import may_manage, staff_scope
from civpost import bulk
from civpost.forms import show_errors

from . import exports, workflow
from .bulk import ACTIONS as PROPOSAL_ACTIONS
from .forms import (
    CompletionReportForm,
    ConfirmForm,
    DecisionForm,
    KeepTitleForm,
    RecheckForm,
    RecheckReportForm,
    RectificationDecisionForm,
    RectificationOrderForm,
    RevokeForm,
    StarGradeForm,
)
from .models import Outcome, Recheck, RecheckItem, Rectification, RectificationOrigin, RectificationReport, RectificationStatus, RevocationProposal

PAGE_SIZE = 30




def _admin_nodes(request):
    scope = staff_scope(request)
    nodes = scope.managed_committees()
    if not nodes and not request.user.is_superuser:
        raise PermissionDenied
    return scope, nodes


@login_required
def recheck_list(request):
    scope, _nodes = _admin_nodes(request)
    rechecks = scope.filter(Recheck.objects.select_related("node"), Action.MANAGE_NODE, "node").annotate(
        honours=Count("items"), decided=Count("items", filter=~Q(items__outcome=""))
    ).order_by("-created_at", "-pk")
    page = Paginator(rechecks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "rechecks/list.html", {"page": page})


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
        recheck.items.select_related("honor__collective", "rectification__rectification").order_by("outcome", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "rechecks/detail.html",
        {"recheck": recheck, "items": items, "decision_form": DecisionForm(), "confirm_form": ConfirmForm(),
         "undecided": recheck.items.filter(outcome="").count()},
    )


@staff_export("rechecks.recheck", gettext_lazy("Re-check"))
def recheck_export(request, pk):
    """Every honour of the re-check with its report and outcome, in the page's order."""
    recheck = _recheck(request, pk)
    items = recheck.items.select_related("honor__collective__registering_node", "rectification").order_by("outcome", "pk")
    return Workbook(f"{recheck.title}.xlsx", [exports.recheck_sheet(recheck, items)], recheck.node)


@login_required
@require_POST
def decide(request, item_pk):
    item = get_object_or_404(RecheckItem.objects.select_related("recheck__node", "honor__collective"), pk=item_pk)
    if not may_manage(request.user, item.recheck.node, staff_scope(request)):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if not form.is_valid():
        show_errors(request, form)
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
    proposal = honor.revocation_proposals.filter(decision="").first()
    reason = _("Upheld complaint %(code)s") % {"code": complaint} if complaint else (proposal.reason if proposal else "")
    form = RevokeForm(request.POST or None, initial={"reason": reason})
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


# Rectification (限期整改) -------------------------------------------------------------------------------------


@login_required
def order_rectification(request, collective_pk):
    """Order a rectification of a collective: from its staff page, or from an upheld complaint (?complaint=<pk>)."""
    collective = get_object_or_404(Collective.objects.select_related("registering_node"), pk=collective_pk)
    if not workflow.may_rectify(request.user, collective, staff_scope(request)):
        raise PermissionDenied
    complaint = None
    if request.GET.get("complaint", "").isdigit():
        complaint = get_object_or_404(Complaint.objects.upheld(), pk=request.GET["complaint"], collective=collective)
    initial = {"deadline": workflow.default_deadline(timezone.localdate())}
    if complaint:
        initial.update(origin=RectificationOrigin.COMPLAINT, reason=_("Upheld complaint %(code)s") % {"code": complaint.tracking_code})
    form = RectificationOrderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rectification, done = run_transition(
            request, workflow.order_rectification, collective, request.user, data["origin"], data["reason"],
            deadline=data["deadline"], required_changes=data["required_changes"], complaint=complaint,
        )
        if done:
            messages.success(request, _("Rectification ordered until %(date)s.") % {"date": rectification.warning.deadline.isoformat()})
            return redirect(rectification)
    return render(request, "rechecks/rectification_order.html", {"collective": collective, "form": form, "complaint": complaint})


@login_required
def rectifications(request):
    """The rectifications of the collectives the user handles complaints for, by status (reported ones first)."""
    scope = staff_scope(request)
    if not scope.can(Action.HANDLE_COMPLAINTS):
        raise PermissionDenied
    in_scope = scope.filter(Rectification.objects.all(), Action.HANDLE_COMPLAINTS, "collective__registering_node")
    status = request.GET.get("status") if request.GET.get("status") in RectificationStatus.values else RectificationStatus.REPORTED
    counts = in_scope.aggregate(**{s.value: Count("pk", filter=Q(status=s)) for s in RectificationStatus})
    listed = in_scope.filter(status=status).select_related("collective", "warning").order_by("warning__deadline", "pk")
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    tabs = [(s.value, s.label, counts[s.value]) for s in RectificationStatus]
    return render(request, "rechecks/rectifications.html", {"page": page, "tabs": tabs, "status": status})


def _staff_rectification(request, pk):
    rectification = get_object_or_404(
        Rectification.objects.select_related("warning", "collective__registering_node", "honor", "complaint"), pk=pk
    )
    if not workflow.may_rectify(request.user, rectification.collective, staff_scope(request)):
        raise PermissionDenied
    return rectification


@login_required
def rectification_detail(request, pk):
    rectification = _staff_rectification(request, pk)
    return render(
        request,
        "rechecks/rectification_detail.html",
        {
            "rectification": rectification,
            "reports": rectification.reports.select_related("filed_by"),
            "proposals": rectification.proposals.select_related("honor", "node"),
            "timeline": audit_timeline(rectification, states=dict(RectificationStatus.choices)),
            "decision_form": RectificationDecisionForm(),
        },
    )


@login_required
@require_POST
def rectification_decision(request, pk, accept):
    rectification = _staff_rectification(request, pk)
    form = RectificationDecisionForm(request.POST)
    if not form.is_valid():
        show_errors(request, form)
        return redirect(rectification)
    comment = form.cleaned_data["comment"]
    if accept:
        _result, done = run_transition(request, workflow.accept_rectification, rectification.pk, request.user, comment)
        message = _("Rectification accepted.")
    else:
        _result, done = run_transition(request, workflow.reject_rectification, rectification.pk, request.user, comment, form.cleaned_data["deadline"])
        message = _("Completion report rejected.")
    if done:
        messages.success(request, message)
    return redirect(rectification)


@login_required
def report_evidence(request, report_pk):
    """A completion report's evidence: for the collective's 号长 and the staff who decide on it."""
    report = get_object_or_404(RectificationReport.objects.select_related("rectification__collective__registering_node"), pk=report_pk)
    collective = report.rectification.collective
    if collective.leader_account_id != request.user.pk and not workflow.may_rectify(request.user, collective, staff_scope(request)):
        raise Http404
    content_type = {extension: content for content, extension in EXTENSIONS.items()}[report.evidence_extension]
    return download_response(report.evidence, content_type, f"rectification-{report.rectification_id}-{report.pk}.{report.evidence_extension}")


@login_required
def my_rectification(request, pk):
    """The 号长's page of a rectification: what is required, by when, and the report of completion with evidence."""
    rectification = get_object_or_404(
        Rectification.objects.select_related("warning", "collective"), pk=pk, collective__leader_account=request.user
    )
    form = CompletionReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        evidence = form.cleaned_data["evidence"]
        _result, done = run_transition(
            request, workflow.report_completion, rectification.pk, request.user, form.cleaned_data["text"], evidence, evidence.name, form.evidence_extension
        )
        if done:
            messages.success(request, _("Your report was sent to the committee."))
            return redirect("rechecks:my_rectification", pk=rectification.pk)
    return render(
        request,
        "rechecks/my_rectification.html",
        {"rectification": rectification, "reports": rectification.reports.all(), "form": form, "may_report": rectification.status == RectificationStatus.ORDERED},
    )


# Revocation proposals: the naming committee's queue ------------------------------------------------------------


def _proposals_in_scope(request):
    scope, _nodes = _admin_nodes(request)
    return scope.filter(RevocationProposal.objects.all(), Action.MANAGE_NODE, "node")


def _open_proposals(request):
    return _proposals_in_scope(request).filter(decision="")


@login_required
def proposals(request):
    open_proposals = _open_proposals(request).select_related("honor__collective", "node", "rectification__warning").order_by("created_at", "pk")
    page = Paginator(open_proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "rechecks/proposals.html", {"page": page, "bulk_actions": list(PROPOSAL_ACTIONS.values()), "keep_form": KeepTitleForm()})


@login_required
def proposals_bulk(request):
    """Keep the titles of the ticked proposals, or of all open ones, after one confirmation with one reason."""
    return bulk.decide(request, PROPOSAL_ACTIONS, visible=_open_proposals(request), matching=_open_proposals, back=reverse("rechecks:proposals"))


@login_required
@require_POST
def keep_title(request, proposal_pk):
    proposal = get_object_or_404(RevocationProposal, pk=proposal_pk)
    form = KeepTitleForm(request.POST)
    if not workflow.may_manage(request.user, proposal.node, staff_scope(request)):
        raise PermissionDenied
    if not form.is_valid():
        show_errors(request, form)
    else:
        _result, done = run_transition(request, workflow.keep_title, proposal.pk, request.user, form.cleaned_data["comment"])
        if done:
            messages.success(request, _("The title is kept."))
    return redirect("rechecks:proposals")


# Star grade (调整星级) -----------------------------------------------------------------------------------------


@login_required
def adjust_star(request, honor_pk):
    honor = get_object_or_404(Honor.objects.select_related("collective", "named_by"), pk=honor_pk)
    if not workflow.may_manage(request.user, honor.named_by, staff_scope(request)):
        raise PermissionDenied
    form = StarGradeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _result, done = run_transition(request, workflow.adjust_star, honor.pk, request.user, data["to_grade"], data["reason"], data["reference"])
        if done:
            messages.success(request, _("The title is now %(title)s.") % {"title": _result.title})
            return redirect("rechecks:adjust_star", honor_pk=honor.pk)
    return render(request, "rechecks/adjust_star.html", {"honor": honor, "form": form, "adjustments": honor.star_adjustments.all(), "show_reasons": True})
