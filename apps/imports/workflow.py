"""The states of an import job and the steps between them; every step writes its audit entry.

    upload ──▶ checking ──dry run──▶ checked ──confirm──▶ importing ──▶ imported
                   │                    │                     ├──▶ rejected (a row refused: nothing written)
                   ├──▶ rejected        │                     └──▶ failed (the file or the database: nothing written)
                   └──▶ failed          └ (a new upload replaces a rejected file)

Files of BACKGROUND_ROWS rows or more are checked and imported by the task worker (tasks.py); smaller ones at once,
in the request. Views, tasks and commands call these functions; none of them sets `status` itself.
"""

from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit import labels
from apps.audit.models import record
from apps.audit.workflow import TransitionError
from apps.organizations.scope import StaffScope

from . import registry, services
from .models import PERSONAL_DATA_STATEMENT, ImportJob, JobStatus
from .resources import ImportContext
from .workbook import Table

BACKGROUND_ROWS = 2000

STEP_LABELS = {
    "upload": gettext_lazy("Uploaded"),
    "check": gettext_lazy("Dry run"),
    "confirm": gettext_lazy("Confirm the import"),
    "import": gettext_lazy("Import"),
    "fail": gettext_lazy("Failed"),
}
labels.register(actions=STEP_LABELS)


def may_import(user, kind, node, scope=None):
    """May the user run this kind of import for this committee (their own or one below it)?"""
    return (scope or StaffScope(user)).can(kind.action, node)


def start(kind, upload, node, user, rows_estimate, statement=False):
    """Record the uploaded file as a job (status: checking); the caller then runs or enqueues `check`. A file of
    people's data needs the committee's statement on it, kept on the job (who and when: the importer, the upload)."""
    if not may_import(user, kind, node):
        raise PermissionError(kind.slug)
    if kind.personal_data and not statement:
        raise TransitionError(_("Confirm the committee's statement on the personal data in the file."))
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind.slug,
            importer=user,
            node=node,
            file=upload,
            file_name=upload.name[:200],
            language=translation.get_language() or "zh-hans",
            in_background=(rows_estimate or 0) >= BACKGROUND_ROWS,
            rows_total=rows_estimate or 0,
            personal_data_statement=str(PERSONAL_DATA_STATEMENT) if kind.personal_data else "",
        )
        record(job, actor=user, action="upload", to_state=job.status, comment=job.file_name)
    return job


def check(job_pk):
    """The dry run: counts of new, updated and unchanged records, and every refused row. Writes no data."""
    job = ImportJob.objects.select_related("node", "importer").get(pk=job_pk)
    if job.status != JobStatus.CHECKING:
        return job
    with translation.override(job.language):
        outcome = _run(job, dry_run=True)
        target = JobStatus.CHECKED if outcome.ok else (JobStatus.FAILED if outcome.failure else JobStatus.REJECTED)
        job.checked_rows = outcome.table.as_json() if outcome.ok else None
        _finish(job, outcome, target, action="check", actor=None)
    return job


def confirm(job_pk, user):
    """The importer (or a colleague with the same right) confirms a checked file; the import follows."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update(of=("self",)).select_related("node").get(pk=job_pk)
        if not may_import(user, registry.get(job.kind), job.node):
            raise PermissionError(job.kind)
        if job.status != JobStatus.CHECKED:
            raise TransitionError(
                _("This import is now “%(state)s”; it cannot be confirmed.") % {"state": job.get_status_display()}
            )
        job.status = JobStatus.IMPORTING
        job.rows_done = 0
        job.save(update_fields=["status", "rows_done"])
        record(job, actor=user, action="confirm", from_state=JobStatus.CHECKED, to_state=JobStatus.IMPORTING)
    return job


def run_import(job_pk):
    """The import itself, all rows in one transaction; a refused row or any failure leaves nothing written."""
    job = ImportJob.objects.select_related("node", "importer").get(pk=job_pk)
    if job.status != JobStatus.IMPORTING:
        return job
    with translation.override(job.language):
        context = _context(job)
        outcome = _run(job, dry_run=False, context=context)
        target = JobStatus.IMPORTED if outcome.ok else (JobStatus.FAILED if outcome.failure else JobStatus.REJECTED)
        with transaction.atomic():
            _finish(job, outcome, target, action="import", actor=None)
            if target == JobStatus.IMPORTED and context.invited_user_ids:
                job.invited_users.add(*context.invited_user_ids)
    return job


def fail(job_pk, message):
    """A step that crashed: the job is failed (its import transaction rolled back, so nothing was written)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_pk, status__in=JobStatus.running()).first()
        if job is None:
            return
        from_state, job.status, job.failure, job.finished_at = job.status, JobStatus.FAILED, message, timezone.now()
        job.save(update_fields=["status", "failure", "finished_at"])
        record(job, actor=None, action="fail", from_state=from_state, to_state=JobStatus.FAILED)


def _context(job):
    return ImportContext(node=job.node, actor=job.importer, label=job.file_name, progress=ProgressWriter(job.pk))


def _run(job, dry_run, context=None):
    context = context or _context(job)
    kind = registry.get(job.kind)
    if job.checked_rows and not dry_run:
        outcome = services.run(kind, None, context, dry_run=False, table=Table.from_json(job.checked_rows, kind.columns()))
        job.checked_rows = None
    else:
        with job.file.open("rb") as upload:
            outcome = services.run(kind, upload, context, dry_run=dry_run)
    job.notes = context.notes
    return outcome


def _finish(job, outcome, target, action, actor):
    from_state = job.status
    job.status = target
    job.new_count, job.updated_count, job.unchanged_count = outcome.new, outcome.updated, outcome.unchanged
    job.error_count = outcome.refused_rows
    job.row_errors = outcome.errors
    job.failure = outcome.failure
    job.rows_total = job.rows_done = outcome.rows
    job.finished_at = timezone.now()
    rejected = outcome.rejected_workbook_bytes()
    if rejected:
        job.rejected_file.save(f"rejected-{job.pk}.xlsx", ContentFile(rejected), save=False)
    with transaction.atomic():
        job.save()
        record(job, actor=actor, action=action, from_state=from_state, to_state=target)


class ProgressWriter:
    """Writes a job's progress where the polling page can read it while the import's own transaction is still open:
    on PostgreSQL through a second connection of its own (opened once, closed with the last report); on SQLite,
    which allows one writer at a time, through the import's connection (visible when the transaction ends)."""

    def __init__(self, job_pk):
        self.job_pk = job_pk
        self.side = None

    def __call__(self, done, total):
        if connection.in_atomic_block and connection.vendor == "postgresql":
            self.side = self.side or connections.create_connection(DEFAULT_DB_ALIAS)
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET rows_done = %s, rows_total = %s WHERE id = %s",
                    [done, total, self.job_pk],
                )
        else:
            ImportJob.objects.filter(pk=self.job_pk).update(rows_done=done, rows_total=total)
        if done >= total and self.side is not None:
            self.side.close()
            self.side = None
