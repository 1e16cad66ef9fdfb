"""Running one import kind on one file: the dry run and the import, for the workbench and the command line alike.

The dry run writes nothing (rows are validated against lookups and natural keys loaded once). The import runs in
one transaction: every row is written, or — when any row is refused or anything fails — none is.
"""

import io
import logging
from dataclasses import dataclass, field

import tablib
from django.utils.translation import gettext as _

from .workbook import WorkbookError, read_table, rejected_rows_workbook

logger = logging.getLogger(__name__)


def FAILED_UNEXPECTEDLY():  # noqa: N802 (a message, translated when it is shown)
    return _("The import failed unexpectedly; nothing has been written. Please try again or tell the administrator.")


@dataclass
class Outcome:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    # [{"row": sheet row number, "column": header or "", "message": text}]
    errors: list = field(default_factory=list)
    refused_rows: int = 0
    failure: str = ""  # the file as a whole could not be imported
    headers: list = field(default_factory=list)
    rejected: list = field(default_factory=list)  # [(values as uploaded, "column: message; …")]
    rows: int = 0
    table: object = None  # the rows as read (workbook.Table), with the values a dry run cleaned (Table.staged)

    @property
    def ok(self):
        return not self.failure and not self.refused_rows

    def rejected_workbook_bytes(self):
        if not self.rejected:
            return None
        buffer = io.BytesIO()
        rejected_rows_workbook(self.headers, self.rejected, _("Errors")).save(buffer)
        return buffer.getvalue()


def run(kind, upload, context, dry_run, table=None):
    """Check (dry_run=True) or import the uploaded file as `kind`, acting for context.node; `table`, the rows a dry
    run read (Outcome.table), stands for the file when given: the import then checks every row again against the
    database as it is now (existing records, accounts, committees), but takes the cells' cleaned values from the
    dry run instead of reading them again."""
    if table is None:
        try:
            table = read_table(upload, kind.columns())
        except WorkbookError as error:
            return Outcome(failure=str(error))
    context.total = len(table)
    context.row_numbers = table.row_numbers
    context.report(0)
    resource = kind.resource(context)
    staged = table.staged if table.staged and len(table.staged["rows"]) == len(table) else None
    if staged and not dry_run and hasattr(resource, "use_staged"):
        resource.use_staged(staged)
    dataset = tablib.Dataset(*table.rows, headers=[column.column_name for column in table.columns])
    try:
        result = resource.import_data(
            dataset, dry_run=dry_run, use_transactions=not dry_run, rollback_on_validation_errors=True
        )
    except Exception:  # the transaction rolled back: nothing is written, and the person is told so
        logger.exception("Import of %s failed", kind.slug)
        return Outcome(failure=FAILED_UNEXPECTEDLY(), rows=len(table))
    context.report(len(table))
    outcome = _outcome(result, table, resource)
    if dry_run and hasattr(resource, "staged_values"):
        table.staged = resource.staged_values(dataset.headers) if outcome.ok else None
    outcome.table = table
    return outcome


def _outcome(result, table, resource):
    outcome = Outcome(
        new=result.totals["new"],
        updated=result.totals["update"],
        unchanged=result.totals["skip"],
        headers=[column.column_name for column in table.columns],
        rows=len(table),
    )
    if result.base_errors:
        for error in result.base_errors:
            logger.error("Import of %s failed", resource.__class__.__name__, exc_info=error.error)
        outcome.failure = FAILED_UNEXPECTEDLY()
        return outcome
    for invalid in result.invalid_rows:
        messages = []
        for attribute, texts in invalid.error_dict.items():
            column = resource.column_of(attribute)
            for text in texts:
                outcome.errors.append({"row": table.row_numbers[invalid.number - 1], "column": column, "message": text})
                messages.append(f"{column}：{text}" if column else text)
        outcome.rejected.append((table.rows[invalid.number - 1], "；".join(messages)))
    for error_row in result.error_rows:
        for error in error_row.errors:
            logger.error("Import row %s failed", error_row.number, exc_info=error.error)
        text = _("This row could not be read; check its values.")
        outcome.errors.append({"row": table.row_numbers[error_row.number - 1], "column": "", "message": text})
        outcome.rejected.append((table.rows[error_row.number - 1], text))
    outcome.refused_rows = len(result.invalid_rows) + len(result.error_rows)
    outcome.errors.sort(key=lambda e: e["row"])
    return outcome
