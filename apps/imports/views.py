import io
from functools import reduce
from operator import or_

import openpyxl
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.invitations import invitation_url, is_pending_invitation
from apps.audit.workflow import run_transition, timeline
from apps.organizations.models import Node
from apps.organizations.scope import staff_scope

from . import registry, tasks, workflow
from .forms import UploadForm
from .models import ImportJob
from .workbook import XLSX_MIME, template_workbook, text_cell

PAGE_SIZE = 30
ERRORS_PAGE_SIZE = 100


def _kinds(request):
    """The kinds this user may import somewhere; none means the workbench's import pages are closed to them."""
    scope = staff_scope(request)
    kinds = [kind for kind in registry.all_kinds() if scope.can(kind.action)]
    if not kinds:
        raise PermissionDenied
    return kinds


def _nodes(request, kinds):
    """The committees the user imports for: their own (a superuser: the national root)."""
    scope = staff_scope(request)
    if request.user.is_superuser:
        return Node.objects.filter(depth=1)
    pks = {node.pk for kind in kinds for node in scope.root_nodes(kind.action)}
    return Node.objects.filter(pk__in=pks).order_by("path")


def _jobs(request, kinds):
    scope = staff_scope(request)
    return ImportJob.objects.filter(reduce(or_, (Q(kind=k.slug) & scope.q(k.action, "node") for k in kinds)))


def _job(request, pk):
    return get_object_or_404(_jobs(request, _kinds(request)).select_related("node", "importer"), pk=pk)


@login_required
def job_list(request):
    kinds = _kinds(request)
    nodes = _nodes(request, kinds)
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds, nodes=nodes)
    if request.method == "POST" and form.is_valid():
        kind = registry.get(form.cleaned_data["kind"])
        job, started = run_transition(
            request,
            workflow.start,
            kind,
            form.cleaned_data["file"],
            form.cleaned_data["node"],
            request.user,
            form.rows_estimate,
            form.cleaned_data["statement"],
        )
        if started:
            if job.in_background:
                tasks.enqueue_after_commit(tasks.check_job, job.pk)
            else:
                workflow.check(job.pk)
            return redirect("imports:detail", pk=job.pk)
    page = Paginator(_jobs(request, kinds).select_related("node", "importer"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "imports/job_list.html", {"form": form, "kinds": kinds, "nodes": nodes, "page": page})


@login_required
def template(request, kind):
    kinds = _kinds(request)
    try:
        chosen = registry.get(kind)
    except KeyError:
        raise Http404
    if chosen not in kinds:
        raise PermissionDenied
    nodes = _nodes(request, [chosen])
    node = nodes.filter(pk=request.GET.get("node")).first() if request.GET.get("node", "").isdigit() else nodes.first()
    if node is None:
        raise PermissionDenied
    resource = chosen.resource_class
    workbook = template_workbook(chosen.columns(), resource.template_example(node), resource.code_tables(node))
    return _xlsx_response(workbook, f"{chosen.slug}-template.xlsx")


@login_required
def job_detail(request, pk):
    job = _job(request, pk)
    errors = Paginator(job.row_errors, ERRORS_PAGE_SIZE).get_page(request.GET.get("page"))
    # Refused rows and new accounts never come together (accounts exist only after a clean import): one page number.
    accounts = Paginator(job.invited_users.order_by("pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    for account in accounts:
        account.link = invitation_url(account) if is_pending_invitation(account) else ""
    return render(
        request,
        "imports/job_detail.html",
        {"job": job, "kind": registry.get(job.kind), "errors": errors, "accounts": accounts, "timeline": _timeline(job)},
    )


def _timeline(job):
    return timeline(job, states={value: label for value, label in job._meta.get_field("status").choices})


@login_required
def job_status(request, pk):
    """What the progress page polls: a few numbers, no personal data."""
    job = _job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "running": job.is_running,
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "percent": job.percent,
        }
    )


@login_required
@require_POST
def job_confirm(request, pk):
    job = _job(request, pk)
    job, confirmed = run_transition(request, workflow.confirm, job.pk, request.user)
    if confirmed:
        if job.in_background:
            tasks.enqueue_after_commit(tasks.import_job, job.pk)
            messages.success(request, _("The import runs in the background; this page shows its progress."))
        else:
            workflow.run_import(job.pk)
    return redirect("imports:detail", pk=pk)


@login_required
def rejected_rows(request, pk):
    job = _job(request, pk)
    if not job.rejected_file:
        raise Http404
    return FileResponse(job.rejected_file.open("rb"), as_attachment=True, filename=f"rejected-rows-{job.pk}.xlsx", content_type=XLSX_MIME)


@login_required
def invited_accounts(request, pk):
    """The new 号长 accounts with their one-time links, for staff to pass on (links of accounts that have set their
    password are gone)."""
    job = _job(request, pk)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(_("New accounts"))
    sheet.append([text_cell(sheet, h) for h in (_("Name"), _("Mobile phone"), _("One-time link to set the password"))])
    for account in job.invited_users.order_by("pk").iterator(chunk_size=2000):
        link = invitation_url(account) if is_pending_invitation(account) else _("Password already set")
        sheet.append([text_cell(sheet, v) for v in (account.real_name, account.phone, link)])
    return _xlsx_response(workbook, f"new-accounts-{job.pk}.xlsx")


def _xlsx_response(workbook, filename):
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
