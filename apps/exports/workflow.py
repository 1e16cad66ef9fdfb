"""The life of an export job: requested (queued), written by the task worker (running), then ready to download or
failed; its file is deleted after EXPORT_RETENTION_DAYS (expired). Each step writes its audit entry.

The worker rebuilds the workbook with the export's own builder (registry.py) on a replayed request: the requester,
the page's query string and the URL's arguments. So the file holds exactly the page's scoped, filtered rows, and a
requester who has lost the right to see the list by then gets no file.
"""

import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.files import File
from django.db import transaction
from django.http import Http404, HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.audit.models import record
from apps.notifications.services import notify
from apps.organizations.enums import Action
from apps.organizations.scope import staff_scope
from civpost.exports import write_xlsx
from civpost.tasks import enqueue_on_commit

from . import registry
from .models import ExportJob, ExportStatus

ATTEMPTS = 3  # the first run and two retries (tasks.py)


def start(request, kind, arguments, node=None):
    """Record the request of a list too long to write now; the worker writes it once this transaction commits. The
    same list asked for again while its job waits or runs (a second click) is that job, not another."""
    from .tasks import export_job

    query = request.GET.urlencode()
    pending = ExportJob.objects.filter(requester=request.user, kind=kind.key, query=query, arguments=arguments, status__in=ExportStatus.pending())
    if (job := pending.first()) is not None:
        return job
    if node is None:
        roots = staff_scope(request).root_nodes(Action.VIEW)
        node = roots[0] if roots else None
    with transaction.atomic():
        job = ExportJob.objects.create(
            kind=kind.key,
            requester=request.user,
            node=node,
            query=query,
            arguments=arguments,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        record(job, actor=request.user, action="request", to_state=ExportStatus.QUEUED)
        enqueue_on_commit(export_job, job.pk)
    return job


def replayed_request(job):
    """The page's request as far as a builder reads it: who asked, and the query string of their filter."""
    request = HttpRequest()
    request.method = "GET"
    request.user = job.requester
    request.GET = QueryDict(job.query)
    request.LANGUAGE_CODE = job.language
    return request


def write(job_pk):
    """Write the job's workbook (the worker's step). A job that is not waiting (written, expired) is left alone."""
    job = _claim(job_pk)
    if job is None:
        return None
    with translation.override(job.language):
        try:
            workbook = registry.get(job.kind).build(replayed_request(job), **job.arguments)
        except (Http404, PermissionDenied, ObjectDoesNotExist):
            _finish_failed(job, _("You may no longer see this list, so it was not exported."), final=True)
            return job
        with tempfile.TemporaryFile(suffix=".xlsx") as file:
            rows = write_xlsx(file, *workbook.sheets, progress=lambda done: ExportJob.objects.filter(pk=job.pk).update(rows_done=done))
            job.file.save(f"export-{job.pk}.xlsx", File(file), save=False)
            size = file.tell()
    with transaction.atomic():
        job.status, job.rows_done, job.file_name, job.file_size = ExportStatus.READY, rows, workbook.filename, size
        job.finished_at, job.error = timezone.now(), ""
        job.save(update_fields=["status", "rows_done", "file", "file_name", "file_size", "finished_at", "error"])
        record(job, actor=None, action="finish", from_state=ExportStatus.RUNNING, to_state=ExportStatus.READY)
        notify(
            [job.requester],
            _("Your export is ready: %(file)s (%(rows)s rows)") % {"file": workbook.filename, "rows": rows},
            url=reverse("exports:detail", args=[job.pk]),
        )
    return job


def _claim(job_pk):
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("requester").filter(pk=job_pk, status=ExportStatus.QUEUED).first()
        if job is None:
            return None
        job.status, job.started_at, job.rows_done, job.attempts = ExportStatus.RUNNING, timezone.now(), 0, job.attempts + 1
        job.save(update_fields=["status", "started_at", "rows_done", "attempts"])
    return job


def fail(job_pk, error):
    """An attempt that crashed: the error is kept for superusers (admin); the job waits for its retry, or has failed
    for good after the last attempt (tasks.py retries it ATTEMPTS - 1 times)."""
    job = ExportJob.objects.select_related("requester").filter(pk=job_pk, status=ExportStatus.RUNNING).first()
    if job is None:
        return
    _finish_failed(job, f"{type(error).__name__}: {error}", final=job.attempts >= ATTEMPTS)


def _finish_failed(job, error, final):
    with transaction.atomic():
        to_state = ExportStatus.FAILED if final else ExportStatus.QUEUED
        updated = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
            status=to_state, error=error, finished_at=timezone.now() if final else None
        )
        if not updated:
            return
        record(job, actor=None, action="fail" if final else "retry", from_state=ExportStatus.RUNNING, to_state=to_state, comment=error)
        if final:
            notify([job.requester], _("Your export could not be written"), url=reverse("exports:detail", args=[job.pk]))


def forget_old(now):
    """Delete the files of exports finished more than EXPORT_RETENTION_DAYS ago (retention job): the job stays, as
    the record of who exported which list when. Returns how many files were deleted; a second run deletes none."""
    old = ExportJob.objects.filter(status=ExportStatus.READY, finished_at__lt=now - timedelta(days=settings.EXPORT_RETENTION_DAYS))
    count = 0
    for job in old.iterator():
        job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.EXPIRED, file="")
        record(job, actor=None, action="expire", from_state=ExportStatus.READY, to_state=ExportStatus.EXPIRED)
        count += 1
    return count
