from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from civpost.exports import XLSX_CONTENT_TYPE, count_rows, xlsx_response

from . import workflow
from .models import ExportJob, ExportStatus

PAGE_SIZE = 30


def export(request, kind, arguments):
    """A staff list as Excel: at once when it has at most EXPORT_SYNC_LIMIT rows, else a job the worker writes."""
    workbook = kind.build(request, **arguments)
    limit = settings.EXPORT_SYNC_LIMIT
    if count_rows(workbook.sheets, limit) <= limit:
        return xlsx_response(workbook.filename, *workbook.sheets)
    job = workflow.start(request, kind, arguments, workbook.node)
    return redirect("exports:detail", pk=job.pk)


def _own_jobs(request):
    """The requester's exports; superusers see everyone's (to help when one fails)."""
    jobs = ExportJob.objects.select_related("node", "requester")
    return jobs if request.user.is_superuser else jobs.filter(requester=request.user)


@login_required
def job_list(request):
    page = Paginator(ExportJob.objects.filter(requester=request.user).select_related("node"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "refreshing": any(job.is_pending for job in page),
        "sync_limit": settings.EXPORT_SYNC_LIMIT,
        "retention_days": settings.EXPORT_RETENTION_DAYS,
    }
    return render(request, "exports/job_list.html", context)


@login_required
def job_detail(request, pk):
    job = get_object_or_404(_own_jobs(request), pk=pk)
    return render(request, "exports/job_detail.html", {"job": job, "retention_days": settings.EXPORT_RETENTION_DAYS})


@login_required
def download(request, pk):
    job = get_object_or_404(_own_jobs(request), pk=pk)
    if job.status != ExportStatus.READY or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name, content_type=XLSX_CONTENT_TYPE)
