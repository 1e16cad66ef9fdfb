from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.activities.photos import process_photo
from apps.audit.workflow import run_transition
from apps.collectives.models import Collective
from apps.exports.registry import Workbook, staff_export
from apps.organizations.enums import Action
from apps.organizations.scope import staff_scope
from civpost import bulk
from civpost.exports import dated_filename
from civpost.forms import normalize_code, show_errors
from civpost.lists import ScalingPaginator
from civpost.ratelimit import limit_reached, too_many_requests

from . import exports, workflow
from .bulk import ACTIONS as BULK_ACTIONS
from .forms import AskStatementForm, CloseForm, ComplaintForm, LiftForm, NotesForm, StatementForm, TrackingLookupForm, WarningForm
from .models import Complaint, ComplaintStatus, Warning

PAGE_SIZE = 30
COMPLAINTS_PER_HOUR = 5




# The public ------------------------------------------------------------------------------------------


def complain(request, pk):
    collective = get_object_or_404(Collective.objects.public(), pk=pk)
    form = ComplaintForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if limit_reached(request, "complaint", COMPLAINTS_PER_HOUR, 3600):
            return too_many_requests(request, _("Too many complaints from your network in the last hour. Please try again later or call the supervision phone."))
        if form.is_valid():
            if form.is_spam():
                return redirect(collective)  # Bots get no tracking code and leave no trace.
            complaint = form.save(commit=False)
            complaint.collective = collective
            photo = form.cleaned_data.get("evidence")
            if photo:
                image, _thumbnail = process_photo(photo)  # Re-encoded: no GPS or camera data of the complainant.
                complaint.evidence.save("evidence.jpg", image, save=False)
            workflow.file(complaint)
            messages.success(request, _("Your complaint was received. Keep the tracking code %(code)s to follow it.") % {"code": complaint.tracking_code})
            return redirect(complaint)
        messages.error(request, _("Please correct the errors marked below. Nothing has been saved yet."))
    return render(request, "complaints/complain.html", {"form": form, "collective": collective})


def track_lookup(request):
    """投诉进度查询 without a code: the form; submitted (GET), the complaint's page."""
    form = TrackingLookupForm(request.GET or None)
    if form.is_valid():
        return redirect("complaints:track", code=form.cleaned_data["code"])
    return render(request, "complaints/track.html", {"form": form})


def track(request, code):
    code = normalize_code(code).upper()
    complaint = Complaint.objects.select_related("collective").filter(tracking_code=code).first()
    form = TrackingLookupForm(initial={"code": code})
    return render(request, "complaints/track.html", {"complaint": complaint, "code": code, "form": form}, status=200 if complaint else 404)


# Committee staff -------------------------------------------------------------------------------------


def _scope(request):
    scope = staff_scope(request)
    if not scope.can(Action.HANDLE_COMPLAINTS):
        raise PermissionDenied
    return scope


def _queue(request, scope):
    """The complaints in scope and the tab on the request (received by default): the page and its export read both."""
    in_scope = scope.filter(Complaint.objects.all(), Action.HANDLE_COMPLAINTS, "node")
    status = request.GET.get("status") if request.GET.get("status") in ComplaintStatus.values else ComplaintStatus.RECEIVED
    return in_scope, status


@login_required
def queue(request):
    scope = _scope(request)
    in_scope, status = _queue(request, scope)
    counts = in_scope.aggregate(**{s.value: Count("pk", filter=Q(status=s)) for s in ComplaintStatus})
    # The tab's count is known: the paginator counts nothing and reads the back half from the other end.
    tab = in_scope.filter(status=status).select_related("collective", "node")
    page = ScalingPaginator(tab, PAGE_SIZE, counts[status]).get_page(request.GET.get("page"))
    tabs = [(s.value, s.label, counts[s.value]) for s in ComplaintStatus]
    bulk_actions = [action for action in BULK_ACTIONS.values() if status == ComplaintStatus.RECEIVED]
    return render(request, "complaints/queue.html", {"page": page, "tabs": tabs, "status": status, "bulk_actions": bulk_actions})


def _tab(request, scope):
    in_scope, status = _queue(request, scope)
    return in_scope.filter(status=status)


@login_required
def queue_bulk(request):
    """Accept the ticked complaints, or all those of the tab, after one confirmation."""
    scope = _scope(request)
    in_scope = scope.filter(Complaint.objects.all(), Action.HANDLE_COMPLAINTS, "node")
    return bulk.decide(
        request,
        BULK_ACTIONS,
        visible=in_scope,
        matching=lambda request: _tab(request, scope),
        back=reverse("complaints:queue"),
    )


@staff_export("complaints.complaints", gettext_lazy("Complaints"))
def queue_export(request):
    """The complaints of the tab as Excel; like the list, without the complainants' names and contacts."""
    in_scope, status = _queue(request, _scope(request))
    complaints = in_scope.filter(status=status).select_related("collective", "node")
    return Workbook(dated_filename(_("Complaints")), [exports.complaint_sheet(complaints)])


@staff_export("complaints.warnings", gettext_lazy("Warnings"))
def warning_export(request):
    """Warnings and rectification orders on the collectives of the user's subtree, newest first."""
    scope = _scope(request)
    warnings = scope.filter(Warning.objects.all(), Action.HANDLE_COMPLAINTS, "collective__registering_node")
    warnings = warnings.select_related("collective__registering_node", "issued_by", "lifted_by")
    return Workbook(dated_filename(_("Warnings")), [exports.warning_sheet(warnings)])


def _staff_complaint(request, pk):
    scope = _scope(request)
    return get_object_or_404(scope.filter(Complaint.objects.select_related("collective__registering_node", "node"), Action.HANDLE_COMPLAINTS, "node"), pk=pk)


@login_required
def detail(request, pk):
    complaint = _staff_complaint(request, pk)
    return render(
        request,
        "complaints/detail.html",
        {
            "complaint": complaint,
            "timeline": workflow.timeline(complaint),
            "ask_form": AskStatementForm(),
            "close_form": CloseForm(),
            "notes_form": NotesForm(initial={"staff_notes": complaint.staff_notes}),
            "honors": complaint.collective.honors.filter(status="named").select_related("named_by"),
        },
    )


STAFF_STEPS = {
    "accept": (None, lambda c, user, data: workflow.accept(c.pk, user), gettext_lazy("Accepted for investigation.")),
    "ask": (AskStatementForm, lambda c, user, data: workflow.ask_statement(c.pk, user, data["request_text"]), gettext_lazy("The collective was asked for its statement.")),
    "close": (CloseForm, lambda c, user, data: workflow.close(c.pk, user, data["decision"] == "upheld", data["outcome"], data["serious"]), gettext_lazy("The complaint is closed.")),
    "notes": (NotesForm, lambda c, user, data: workflow.save_notes(c.pk, user, data["staff_notes"]), gettext_lazy("Notes saved.")),
}


@login_required
@require_POST
def step(request, pk, name):
    if name not in STAFF_STEPS:
        raise Http404
    complaint = _staff_complaint(request, pk)
    form_class, action, success = STAFF_STEPS[name]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        show_errors(request, form)
        return redirect("complaints:detail", pk=pk)
    _result, done = run_transition(request, action, complaint, request.user, form.cleaned_data if form else None)
    if done:
        messages.success(request, success)
    return redirect("complaints:detail", pk=pk)


@login_required
def evidence(request, pk):
    complaint = _staff_complaint(request, pk)
    if not complaint.evidence:
        raise Http404
    return FileResponse(complaint.evidence.open("rb"), content_type="image/jpeg")


@login_required
@require_POST
def warn(request, collective_pk):
    scope = _scope(request)
    collective = get_object_or_404(scope.filter(Collective.objects.all(), Action.HANDLE_COMPLAINTS, "registering_node"), pk=collective_pk)
    form = WarningForm(request.POST)
    if form.is_valid():
        _result, done = run_transition(request, workflow.issue_warning, collective, request.user, form.cleaned_data["reason"])
        if done:
            messages.success(request, _("Warning issued to %(name)s.") % {"name": collective.name})
    else:
        messages.error(request, _("Give the reason for the warning."))
    return _back(request)


@login_required
@require_POST
def lift(request, warning_pk):
    _scope(request)
    warning = get_object_or_404(Warning, pk=warning_pk)
    form = LiftForm(request.POST)
    form.is_valid()
    _result, done = run_transition(request, workflow.lift_warning, warning.pk, request.user, form.cleaned_data.get("comment", ""))
    if done:
        messages.success(request, _("Warning lifted."))
    return _back(request)


def _back(request):
    """Back to the page the form was on, if it is one of ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("collectives:staff_queue")


# The collective ----------------------------------------------------------------------------------------


@login_required
def my_complaint(request, pk):
    """What the collective sees of a complaint: what happened and when, never who complained."""
    complaint = get_object_or_404(Complaint.objects.select_related("collective"), pk=pk, collective__leader_account=request.user)
    form = StatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _result, done = run_transition(request, workflow.give_statement, complaint.pk, request.user, form.cleaned_data["statement"])
        if done:
            messages.success(request, _("Your statement was sent to the committee."))
        return redirect("complaints:my_complaint", pk=pk)
    return render(request, "complaints/my_complaint.html", {"complaint": complaint, "form": form})
