import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.audit.workflow import run_transition
from apps.collectives.models import MEMBER_DATA_STATEMENT
from apps.organizations.scope import staff_scope
from civpost.exports import dated_filename, xlsx_response
from civpost.lists import PAGE_SIZES, ScalingPaginator, page_size

from . import export, workflow
from .forms import DeletionRequestForm, StepForm
from .models import DeletionRequest, DeletionStatus

# The public notice ------------------------------------------------------------------------------------------


def notice(request):
    return render(request, "privacy/notice.html", {"member_data_statement": MEMBER_DATA_STATEMENT})


# The person's own data --------------------------------------------------------------------------------------


@login_required
def my_data(request):
    return render(
        request,
        "privacy/my_data.html",
        {
            "form": DeletionRequestForm(),
            "may_request": workflow.may_request(request.user),
            "requests": DeletionRequest.objects.filter(account=request.user),
        },
    )


@login_required
def download_json(request):
    data = export.as_json(request.user)
    workflow.record_personal_data_export(request.user, "json")
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f"attachment; filename=\"{dated_filename('personal-data', 'json')}\""
    return response


@login_required
def download_xlsx(request):
    response = xlsx_response(dated_filename(_("My data in the portal")), *export.as_sheets(request.user))
    workflow.record_personal_data_export(request.user, "xlsx")
    return response


@login_required
@require_POST
def request_deletion(request):
    if not workflow.may_request(request.user):
        raise PermissionDenied
    form = DeletionRequestForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, error)
        return redirect("privacy:my_data")
    _result, done = run_transition(request, workflow.request_deletion, request.user, form.cleaned_data["reason"])
    if done:
        messages.success(request, _("Your request is sent to the committee. You will be told of its answer here."))
    return redirect("privacy:my_data")


# The committee's queue --------------------------------------------------------------------------------------


def _in_scope(request):
    scope = staff_scope(request)
    if not scope.can(workflow.HANDLE):
        raise PermissionDenied
    return scope.filter(DeletionRequest.objects.all(), workflow.HANDLE, "node")


@login_required
def queue(request):
    status = request.GET.get("status") or DeletionStatus.REQUESTED
    if status not in DeletionStatus.values:
        status = DeletionStatus.REQUESTED
    requests = _in_scope(request).filter(status=status).select_related("account", "node").order_by("-created_at", "-pk")
    page = ScalingPaginator(requests, page_size(request)).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/queue.html",
        {"page": page, "status": status, "statuses": DeletionStatus.choices, "page_sizes": PAGE_SIZES},
    )


@login_required
def detail(request, pk):
    deletion_request = get_object_or_404(_in_scope(request).select_related("account", "node", "decided_by"), pk=pk)
    steps = workflow.available_steps(request.user, deletion_request, staff_scope(request))
    return render(
        request,
        "privacy/detail.html",
        {
            "deletion_request": deletion_request,
            "collectives": deletion_request.account.led_collectives.select_related("registering_node").order_by("pk"),
            "steps": steps,
            "form": StepForm(),
            "timeline": workflow.timeline(deletion_request),
        },
    )


@login_required
@require_POST
def step(request, pk, name):
    if name not in workflow.STEPS:
        raise Http404
    deletion_request = get_object_or_404(_in_scope(request), pk=pk)
    if not workflow.may_handle(request.user, deletion_request, staff_scope(request)):
        raise PermissionDenied
    form = StepForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("comment", []):
            messages.error(request, error)
        return redirect("privacy:detail", pk=pk)
    _result, done = run_transition(request, workflow.perform, name, pk, request.user, form.cleaned_data["comment"])
    if done:
        messages.success(request, _("The account is anonymised.") if name == workflow.CARRY_OUT.name else _("The request is refused."))
    return redirect("privacy:detail", pk=pk)
