from datetime import date

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources

from apps.audit.models import record
from civpost.cells import clean_text, parse_date
from apps.collectives.models import Collective, Status
from apps.collectives.resources import EscapeFormulasMixin
from apps.organizations.enums import Level, NodeKind
from apps.organizations.models import Node

from .enums import HonorStatus
from .models import Honor
from .workflow import refresh_honor_level


def with_related(honors):
    """Everything a certificate, a named list or an export reads, in one query."""
    if hasattr(honors, "select_related"):
        return honors.select_related("collective__region__parent", "collective__industry", "named_by__region", "round")
    return honors


# Historical titles ------------------------------------------------------------------------------------------------

# The columns of the import file. They are the file's format, not interface text: the same Chinese headers whatever
# the page's language, with the English field names accepted too (HEADER_ALIASES).
REGISTRATION_NUMBER = "备案编号"
WORKPLACE_UNIT = "所在单位"
COLLECTIVE_NAME = "集体名称"
LEVEL = "称号级别"
YEAR = "年度"
EDITION = "届次"
STAR_GRADE = "星级"
CERTIFICATE_NUMBER = "证书编号"
NAMED_BY = "命名组委会"
DECISION_REFERENCE = "命名文号"
NAMED_ON = "命名日期"
TITLE_COLUMNS = [
    REGISTRATION_NUMBER, WORKPLACE_UNIT, COLLECTIVE_NAME, LEVEL, YEAR, EDITION, STAR_GRADE, CERTIFICATE_NUMBER, NAMED_BY,
    DECISION_REFERENCE, NAMED_ON,
]
REQUIRED_COLUMNS = [LEVEL, YEAR, CERTIFICATE_NUMBER, NAMED_BY, DECISION_REFERENCE]
HEADER_ALIASES = {
    "registration_number": REGISTRATION_NUMBER, "workplace_unit": WORKPLACE_UNIT, "工作单位": WORKPLACE_UNIT, "collective": COLLECTIVE_NAME,
    "level": LEVEL, "year": YEAR, "edition": EDITION, "届": EDITION, "star_grade": STAR_GRADE,
    "certificate_number": CERTIFICATE_NUMBER, "named_by": NAMED_BY, "decision_reference": DECISION_REFERENCE,
    "文号": DECISION_REFERENCE, "named_on": NAMED_ON,
}

LEVEL_NAMES = {
    "全国": Level.NATIONAL, "全国级": Level.NATIONAL, "国家级": Level.NATIONAL, "n": Level.NATIONAL,
    "省级": Level.PROVINCIAL, "省": Level.PROVINCIAL, "p": Level.PROVINCIAL,
    "市级": Level.CITY, "地市级": Level.CITY, "市": Level.CITY, "c": Level.CITY,
    "县级": Level.COUNTY, "县": Level.COUNTY, "x": Level.COUNTY,
} | {level.value: level for level in Level}
STAR_NAMES = {"1": 1, "一星": 1, "一星级": 1, "★": 1, "2": 2, "二星": 2, "二星级": 2, "★★": 2, "3": 3, "三星": 3, "三星级": 3, "★★★": 3}
# The programme began in 1994: no title is older.
FIRST_YEAR = 1994


class TitleResource(EscapeFormulasMixin, resources.ModelResource):
    """Imports historical titles (named before the portal existed) and exports them in the same columns.

    One row per title. The certificate number is the natural key: a row whose number is already in the portal for the
    same collective with the same content is skipped, so importing a file again changes nothing; any other clash is
    refused with a message. Every row is checked and refused with a message in Chinese naming the column; a saved row
    becomes an Honor without round or application, marked as imported by `user`, with an audit entry "imported" in the
    same transaction, and the collective's highest title is refreshed (apps/evaluations/workflow.py).

    `node` is the importing committee: naming committees and collectives outside its subtree are refused. None (the
    superusers' /admin/) allows the whole tree.
    """

    registration_number = fields.Field(attribute="collective__registration_number", column_name=REGISTRATION_NUMBER)
    workplace_unit = fields.Field(attribute="collective__workplace_unit", column_name=WORKPLACE_UNIT)
    collective_name = fields.Field(attribute="collective__name", column_name=COLLECTIVE_NAME)
    level = fields.Field(attribute="get_level_display", column_name=LEVEL)
    year = fields.Field(attribute="year", column_name=YEAR)
    edition = fields.Field(attribute="edition", column_name=EDITION)
    star_grade = fields.Field(attribute="star_grade", column_name=STAR_GRADE)
    certificate_number = fields.Field(attribute="certificate_number", column_name=CERTIFICATE_NUMBER)
    named_by = fields.Field(attribute="named_by__name", column_name=NAMED_BY)
    decision_reference = fields.Field(attribute="decision_reference", column_name=DECISION_REFERENCE)
    named_on = fields.Field(attribute="named_on", column_name=NAMED_ON)

    class Meta:
        model = Honor
        fields = [
            "registration_number", "workplace_unit", "collective_name", "level", "year", "edition", "star_grade",
            "certificate_number", "named_by", "decision_reference", "named_on",
        ]
        export_order = fields
        import_id_fields = ["certificate_number"]
        skip_diff = True

    def __init__(self, user=None, node=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.node = node
        self.today = timezone.localdate()
        self._committees = {}
        self._lines_by_number = {}
        self._collectives = {}  # registration number, or (unit, name): the file's collectives, read once
        self._existing = {}  # certificate number: the titles of the file already in the portal, read once
        self._named_collectives = {}

    def get_queryset(self):
        return Honor.objects.filter(round__isnull=True).select_related("collective", "named_by").order_by("pk")

    def get_export_headers(self, selected_fields=None):
        return list(TITLE_COLUMNS)

    # Reading the file ----------------------------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        dataset.headers = [HEADER_ALIASES.get(clean_text(h).lower(), clean_text(h)) for h in dataset.headers or []]
        missing = [column for column in REQUIRED_COLUMNS if column not in dataset.headers]
        if REGISTRATION_NUMBER not in dataset.headers and not {WORKPLACE_UNIT, COLLECTIVE_NAME} <= set(dataset.headers):
            missing.insert(
                0, _("%(number)s (or %(unit)s and %(name)s)") % {"number": REGISTRATION_NUMBER, "unit": WORKPLACE_UNIT, "name": COLLECTIVE_NAME}
            )
        if missing:
            raise ValueError(_("The file lacks the columns: %(columns)s.") % {"columns": "、".join(missing)})
        self._read_ahead(dataset)

    def _read_ahead(self, dataset):
        """The collectives and existing titles the rows name, in a few queries for the whole file, not one per row."""
        rows = list(dataset.dict)
        numbers = {clean_text(row.get(REGISTRATION_NUMBER)) for row in rows} - {""}
        pairs = {(clean_text(row.get(WORKPLACE_UNIT)), clean_text(row.get(COLLECTIVE_NAME))) for row in rows} - {("", "")}
        collectives = Collective.objects.select_related("registering_node")
        for chunk in _chunks(sorted(numbers)):
            self._collectives.update((c.registration_number, c) for c in collectives.filter(registration_number__in=chunk))
        for chunk in _chunks(sorted(pairs)):
            units, names = {unit for unit, _name in chunk}, {name for _unit, name in chunk}
            for collective in collectives.filter(workplace_unit__in=units, name__in=names):
                self._collectives[(collective.workplace_unit, collective.name)] = collective
        certificates = {clean_text(row.get(CERTIFICATE_NUMBER)) for row in rows} - {""}
        for chunk in _chunks(sorted(certificates)):
            self._existing.update((h.certificate_number, h) for h in Honor.objects.filter(certificate_number__in=chunk).select_related("collective"))

    def get_instance(self, instance_loader, row):
        return self._existing.get(clean_text(row.get(CERTIFICATE_NUMBER)))

    def import_instance(self, instance, row, **kwargs):
        values, errors = self.read_row(row, self.sheet_line(kwargs.get("row_number", 1)))
        if not errors and instance.pk:
            errors = self._clash_with_existing(instance, values)
        if errors:
            raise ValidationError(errors)
        if not instance.pk:
            for name, value in values.items():
                setattr(instance, name, value)

    def sheet_line(self, row_number):
        """The sheet's line of the dataset's row `row_number` (1 for the first data row): the header is line 1."""
        return row_number + 1

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # An existing number reaches this point only with the same content (import_instance refuses the rest).
        return not import_validation_errors and instance.pk is not None

    def do_instance_save(self, instance, is_create):
        instance.imported_at = timezone.now()
        instance.imported_by = self.user
        instance.save(force_insert=True)

    def after_save_instance(self, instance, row, **kwargs):
        record(instance, actor=self.user, action="imported", to_state=HonorStatus.NAMED, comment=instance.decision_reference)
        self._named_collectives[instance.collective_id] = instance.collective

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        # Once per collective rather than per title, still in the import's transaction: its highest title follows
        # all its titles in the file.
        for collective in self._named_collectives.values():
            refresh_honor_level(collective)

    def read_row(self, row, line):
        """The Honor fields of one row and the errors found, {column: message}."""
        errors = {}

        def check(column, reader):
            try:
                return reader(row)
            except ValidationError as error:
                errors[column] = error.messages
                return None

        values = {
            "collective": check(COLLECTIVE_NAME if REGISTRATION_NUMBER not in row else REGISTRATION_NUMBER, self._collective),
            "named_by": check(NAMED_BY, self._committee),
            "level": check(LEVEL, _level),
            "year": check(YEAR, self._year),
            "edition": check(EDITION, _edition),
            "star_grade": check(STAR_GRADE, _star_grade),
            "certificate_number": check(CERTIFICATE_NUMBER, lambda r: self._certificate_number(r, line)),
            "decision_reference": check(DECISION_REFERENCE, _decision_reference),
            "named_on": check(NAMED_ON, self._named_on),
        }
        if values["level"] and values["named_by"] and values["level"] != values["named_by"].level:
            errors.setdefault(LEVEL, []).append(
                _("The level %(level)s does not match the naming committee %(committee)s, which names %(its_level)s titles.")
                % {"level": Level(values["level"]).label, "committee": values["named_by"].name, "its_level": values["named_by"].get_level_display()}
            )
        if values["star_grade"] and values["level"] and values["level"] != Level.NATIONAL:
            errors.setdefault(STAR_GRADE, []).append(_("Only national titles have a star grade."))
        if values["year"] and not values["named_on"] and NAMED_ON not in errors:
            # Only the year is known: the title counts from the last day of that year (today for this year's).
            values["named_on"] = min(date(values["year"], 12, 31), self.today)
        return values, errors

    def _clash_with_existing(self, honor, values):
        if honor.collective_id != values["collective"].pk:
            return {
                CERTIFICATE_NUMBER: _("The certificate number %(number)s already belongs to another collective: %(name)s.")
                % {"number": honor.certificate_number, "name": honor.collective.name}
            }
        # Compared by id for the related objects: reading them back would cost a query per row.
        if any(getattr(honor, honor._meta.get_field(name).attname) != getattr(value, "pk", value) for name, value in values.items()):
            return {
                CERTIFICATE_NUMBER: _(
                    "The certificate number %(number)s is already in the portal with different content; it is not changed by an import."
                )
                % {"number": honor.certificate_number}
            }
        return {}

    # Columns -------------------------------------------------------------------------------------------------------

    def _in_subtree(self, node):
        return self.node is None or node.path.startswith(self.node.path)

    def _collective(self, row):
        number = clean_text(row.get(REGISTRATION_NUMBER))
        if number:
            collective = self._collectives.get(number)
            if collective is None:
                raise ValidationError(_("No collective has the registration number %(number)s.") % {"number": number})
        else:
            unit, name = clean_text(row.get(WORKPLACE_UNIT)), clean_text(row.get(COLLECTIVE_NAME))
            if not unit or not name:
                raise ValidationError(_("Give the collective's registration number, or its workplace unit and name."))
            collective = self._collectives.get((unit, name))
            if collective is None:
                raise ValidationError(_("No collective %(name)s in the workplace unit %(unit)s.") % {"name": name, "unit": unit})
        if not self._in_subtree(collective.registering_node):
            raise ValidationError(
                _("%(name)s is registered with %(node)s, outside the area of %(importer)s.")
                % {"name": collective.name, "node": collective.registering_node.name, "importer": self.node.name}
            )
        if collective.status != Status.REGISTERED:
            raise ValidationError(
                _("%(name)s is not a registered collective yet (%(state)s): titles are imported for registered collectives.")
                % {"name": collective.name, "state": collective.get_status_display()}
            )
        return collective

    def _committee(self, row):
        value = clean_text(row.get(NAMED_BY))
        if not value:
            raise ValidationError(_("Give the naming committee, by name or region code."))
        if value not in self._committees:
            self._committees[value] = self._find_committee(value)
        return self._committees[value]

    def _find_committee(self, value):
        if value.isdigit():
            committees = Node.objects.filter(region_id=value, kind=NodeKind.LEAGUE_COMMITTEE)
        else:
            committees = Node.objects.filter(name=value)
        committees = list(committees[:2])
        if not committees:
            raise ValidationError(_("No committee is called or coded %(value)s.") % {"value": value})
        if len(committees) > 1:
            raise ValidationError(_("Several committees are called %(value)s: give its region code.") % {"value": value})
        committee = committees[0]
        if not self._in_subtree(committee):
            raise ValidationError(
                _("%(committee)s is outside the area of %(importer)s.") % {"committee": committee.name, "importer": self.node.name}
            )
        return committee

    def _year(self, row):
        text = clean_text(row.get(YEAR)).removesuffix("年度").removesuffix("年")
        if not text.isdigit():
            raise ValidationError(_("Give the year in four digits, e.g. 2019."))
        year = int(text)
        if year > self.today.year:
            raise ValidationError(_("The year %(year)s is in the future.") % {"year": year})
        if year < FIRST_YEAR:
            raise ValidationError(_("The programme began in %(first)s; the year %(year)s is before it.") % {"first": FIRST_YEAR, "year": year})
        return year

    def _certificate_number(self, row, line):
        number = clean_text(row.get(CERTIFICATE_NUMBER))
        if not number:
            raise ValidationError(_("Give the certificate number."))
        if len(number) > Honor._meta.get_field("certificate_number").max_length:
            raise ValidationError(_("The certificate number is too long."))
        first_line = self._lines_by_number.setdefault(number, line)
        if first_line != line:
            raise ValidationError(
                _("The certificate number %(number)s is already on line %(line)s of this file.") % {"number": number, "line": first_line}
            )
        return number

    def _named_on(self, row):
        value = row.get(NAMED_ON)
        if not clean_text(value):
            return None
        named_on = parse_date(value)
        if named_on is None:
            raise ValidationError(_("%(value)s is not a date; write it as 2019-12-31.") % {"value": clean_text(value)})
        if named_on > self.today:
            raise ValidationError(_("The naming date is in the future."))
        return named_on


def _level(row):
    text = clean_text(row.get(LEVEL)).removesuffix("青年文明号").removesuffix("称号")
    level = LEVEL_NAMES.get(text.lower())
    if level is None:
        raise ValidationError(_("Unknown level %(value)s: write 全国, 省级, 市级 or 县级.") % {"value": text})
    return level


def _edition(row):
    text = clean_text(row.get(EDITION)).removeprefix("第").removesuffix("届")
    if not text:
        return None
    if not text.isdigit() or int(text) == 0:
        raise ValidationError(_("Write the edition as a number, e.g. 21 or 第21届."))
    return int(text)


def _star_grade(row):
    text = clean_text(row.get(STAR_GRADE)).removesuffix("全国青年文明号")
    if not text:
        return None
    if text not in STAR_NAMES:
        raise ValidationError(_("Unknown star grade %(value)s: write 一星级, 二星级 or 三星级.") % {"value": text})
    return STAR_NAMES[text]


def _decision_reference(row):
    reference = clean_text(row.get(DECISION_REFERENCE))
    if not reference:
        raise ValidationError(_("Give the reference of the naming decision (文号)."))
    if len(reference) > Honor._meta.get_field("decision_reference").max_length:
        raise ValidationError(_("The decision reference is too long."))
    return reference


def _chunks(values, size=500):
    """Lists of at most `size` values: an IN (...) stays within every database's limit on parameters."""
    values = list(values)
    return [values[start : start + size] for start in range(0, len(values), size)]


def import_errors(result):
    """The refused rows and file errors of an import result, as (line, message) pairs, line None for the file."""
    errors = [(None, str(error.error)) for error in result.base_errors]
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            errors.extend((row.number + 1, f"{column}：{message}") for message in messages)
    for number, row_errors in result.row_errors():
        errors.extend((number + 1, str(error.error)) for error in row_errors)
    return sorted(errors, key=lambda error: error[0] or 0)


if apps.is_installed("apps.imports"):
    # The staff import flow (apps/imports) finds the kinds it offers in each app's resources.py.
    from . import imports  # noqa: E402, F401
