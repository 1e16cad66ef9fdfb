"""Historical titles as a kind of the staff import flow (apps/imports): the workbench's template, dry run, confirm
and background import, and its rejected-rows workbook, for a committee's admins.

The rules are TitleResource's (resources.py), the same for the command line (manage.py import_titles) and the
superusers' /admin/; this module only speaks the flow's language: built from an ImportContext, its columns as
ImportFields for the template, the sheet's own row numbers in messages. resources.py imports it when apps.imports
is installed.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy

from apps.imports import registry
from apps.imports.resources import ImportField
from apps.organizations.enums import Action

from .resources import (
    CERTIFICATE_NUMBER, COLLECTIVE_NAME, DECISION_REFERENCE, EDITION, HEADER_ALIASES, LEVEL, NAMED_BY, NAMED_ON,
    REGISTRATION_NUMBER, REQUIRED_COLUMNS, STAR_GRADE, TITLE_COLUMNS, WORKPLACE_UNIT, YEAR, TitleResource,
)

HELP = {
    REGISTRATION_NUMBER: gettext_lazy("The collective's registration number; or leave it empty and give its workplace unit and name."),
    LEVEL: gettext_lazy("全国, 省级, 市级 or 县级: the level of the naming committee."),
    YEAR: gettext_lazy("The year of the title, e.g. 2019."),
    EDITION: gettext_lazy("Optional, e.g. 21 for 第21届."),
    STAR_GRADE: gettext_lazy("National titles only: 一星级, 二星级 or 三星级."),
    CERTIFICATE_NUMBER: gettext_lazy("As printed on the certificate; unique."),
    NAMED_BY: gettext_lazy("The naming committee's name or region code, e.g. 340800."),
    DECISION_REFERENCE: gettext_lazy("The reference of the naming decision, e.g. 团安委联〔2019〕12号."),
    NAMED_ON: gettext_lazy("Optional; when only the year is known, the title counts from 31 December of that year."),
}
CHOICES = {LEVEL: ["全国", "省级", "市级", "县级"], STAR_GRADE: ["一星级", "二星级", "三星级"]}


class TitleImportResource(TitleResource):
    def __init__(self, context, **kwargs):
        super().__init__(user=context.actor, node=context.node, **kwargs)
        self.context = context

    @classmethod
    def columns(cls):
        aliases = {}
        for alias, column in HEADER_ALIASES.items():
            aliases.setdefault(column, []).append(alias)
        return [
            ImportField(
                attribute=column,
                column_name=column,
                required=column in REQUIRED_COLUMNS,
                aliases=aliases.get(column, ()),
                help_text=HELP.get(column, ""),
                choices=CHOICES.get(column),
            )
            for column in TITLE_COLUMNS
        ]

    @classmethod
    def template_example(cls, node):
        return {
            REGISTRATION_NUMBER: "示例：340803-2019-00001（导入时跳过本行）",
            WORKPLACE_UNIT: "国网安庆供电公司",
            COLLECTIVE_NAME: "营业厅青年班组",
            LEVEL: "市级",
            YEAR: 2019,
            CERTIFICATE_NUMBER: "AQ-2019-001",
            NAMED_BY: node.region_id,
            DECISION_REFERENCE: "团安委联〔2019〕12号",
            NAMED_ON: "2019-12-31",
        }

    @classmethod
    def code_tables(cls, node):
        return []

    def sheet_line(self, row_number):
        numbers = self.context.row_numbers
        return numbers[row_number - 1] if numbers else super().sheet_line(row_number)

    def column_of(self, attribute):
        """TitleResource reports errors under the column's own header."""
        return "" if attribute == NON_FIELD_ERRORS else attribute


registry.register(
    registry.ImportKind(
        slug="titles",
        label=gettext_lazy("Historical titles"),
        description=gettext_lazy(
            "Titles your committee and those below it named before the portal existed, with their certificate numbers and naming decisions (import the collectives first)."
        ),
        resource_class=TitleImportResource,
        action=Action.MANAGE_NODE,
        order=30,
        command="titles",
    )
)
