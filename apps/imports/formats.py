"""The workbench's reading of a workbook as a django-import-export format, for the admin's import of a kind."""

import io

import tablib
from import_export.formats.base_formats import XLSX

from .workbook import read_table


class WorkbookFormat(XLSX):
    """Reads an upload as the workbench does (workbook.read_table): checked by content, headers as people type them
    (the template's * included), the template's example row skipped, formulas and merged cells refused with a
    Chinese message."""

    columns = ()

    @classmethod
    def for_resource(cls, resource_class):
        return type(f"{resource_class.__name__}Workbook", (cls,), {"columns": resource_class.columns()})

    def create_dataset(self, in_stream):
        table = read_table(io.BytesIO(in_stream), self.columns)
        return tablib.Dataset(*table.rows, headers=[column.column_name for column in table.columns])
