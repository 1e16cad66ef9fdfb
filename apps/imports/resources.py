"""What every import kind's resource shares (django-import-export underneath): columns with Chinese headers, cells
cleaned the way people fill spreadsheets, existing records found by their natural key in one query per file, and
the speed of bulk writes.

A kind's resource (in its domain app, e.g. apps/collectives/resources.py) subclasses `ImportResource` and says:

- its columns, as `ImportField`s (header, whether required, help text shown in the template, drop-down choices);
- `natural_key(values)` and `load_existing(rows)`: how a row finds the record it updates;
- `check_row(instance, row, errors)`: the rules that span several columns or rows (`errors.add(attribute, message)`,
  a RowErrors: attribute → messages);
- optionally `after_bulk_create(instances)` (audit entries, …) and `finish()` (counts kept on other rows).

Rows are validated without touching the database row by row (no full_clean queries: foreign keys come from the
lookups loaded once, uniqueness from the natural-key index), then written with bulk_create/bulk_update in batches.
"""

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from apps.accounts.validators import normalize_phone, validate_mobile, validate_service_phone
from civpost.cells import parse_date

BATCH_SIZE = 1000
PROGRESS_EVERY = 500


@dataclass
class ImportContext:
    """Who imports, for which committee, and where the import reports to.

    `node` is the committee the import acts for: its subtree bounds every region, committee and record a row may
    name. `actor` is None for the command line (recorded as the system in the audit trail)."""

    node: object
    actor: object = None
    label: str = ""  # the file's name, for the audit trail
    progress: object = None  # callable(rows done, rows in all) or None
    total: int = 0
    row_numbers: list = field(default_factory=list)  # the sheet's row number of each data row
    invited_user_ids: list = field(default_factory=list)
    notes: dict = field(default_factory=dict)  # kind-specific figures shown with the result (e.g. new accounts)

    def report(self, done):
        if self.progress:
            self.progress(done, self.total)


class ImportField(fields.Field):
    """A column of an import file: its header (and other accepted spellings), whether it must be filled, the help
    text the template carries as a comment, and the values its drop-down offers."""

    def __init__(self, *args, required=False, aliases=(), help_text="", choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.required = required
        self.aliases = aliases
        self.help_text = help_text
        self._choices = choices

    def header_names(self):
        return [self.column_name, *self.aliases]

    def choices(self):
        choices = self._choices() if callable(self._choices) else self._choices
        return [str(c) for c in choices or []]

    def clean(self, row, **kwargs):
        value = row.get(self.column_name)
        if value is None and self.required:
            raise ValueError(_("This column must be filled in."))
        if value is None and self.default is not fields.NOT_PROVIDED:
            return self.default() if callable(self.default) else self.default
        return self.widget.clean(value, row=row, **kwargs)


def nfkc(value):
    """Full-width digits, letters and signs as ASCII, every space removed: for codes, numbers and phones."""
    text = str(value)
    if not text.isascii():  # ASCII is its own NFKC form: most cells skip the normalisation
        text = unicodedata.normalize("NFKC", text)
    return "".join(text.split())


class TextWidget(widgets.Widget):
    """Text with runs of spaces collapsed (multi-line text keeps its lines), within the column's length."""

    def __init__(self, max_length=None, multiline=False):
        super().__init__()
        self.max_length = max_length
        self.multiline = multiline

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        text = str(value)
        if self.multiline:
            lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
            text = "\n".join(line for line in lines if line)
        else:
            text = " ".join(text.split())
        if self.max_length and len(text) > self.max_length:
            raise ValueError(_("At most %(limit)s characters (this has %(count)s).") % {"limit": self.max_length, "count": len(text)})
        return text

    def render(self, value, obj=None, **kwargs):
        return value or ""


class CodeWidget(TextWidget):
    """A code or number: full-width characters and stray spaces normalised; None when empty (such codes are unique
    when given)."""

    def clean(self, value, row=None, **kwargs):
        return None if value is None else super().clean(nfkc(value), row, **kwargs) or None


class PhoneWidget(widgets.Widget):
    """A mobile number (mobile=True) or any service number, written the way people do: full-width digits, spaces
    and brackets are normalised, not refused."""

    def __init__(self, mobile=True):
        super().__init__()
        self.validator = validate_mobile if mobile else validate_service_phone

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        phone = normalize_phone(value)
        try:
            self.validator(phone)
        except ValidationError as error:
            raise ValueError(error.messages[0])
        return phone

    def render(self, value, obj=None, **kwargs):
        return value or ""


class DateWidget(widgets.Widget):
    """A date as Excel stores it, or written in any of the forms civpost.cells.parse_date reads (2024-05-01,
    2024/5/1, 2024.5.1, 2024年5月1日, 20240501, full-width or not, an Excel serial number)."""

    def unstage(self, value):
        """A date the dry run cleaned: ISO text once kept on the job as JSON."""
        return value if isinstance(value, date) else date.fromisoformat(value)

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return None
        parsed = parse_date(value)
        if parsed is None:
            raise ValueError(_("“%(value)s” is not a date. Write it as 2024-05-01.") % {"value": value})
        return parsed

    def render(self, value, obj=None, **kwargs):
        return value


class ChoiceWidget(widgets.Widget):
    """One of a few values, by its Chinese label (what the drop-down offers) or its stored value."""

    def __init__(self, choices):
        super().__init__()
        self.choices = choices  # [(stored value, label)]
        self._by_text = {}  # language → {label or stored value as text: stored value}

    def labels(self):
        return [str(label) for _value, label in self.choices]

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return None
        language = get_language()
        if language not in self._by_text:  # labels may be translated: one table per language
            table = {}
            for stored, label in self.choices:
                table.setdefault(nfkc(label), stored)
                table.setdefault(str(stored), stored)
            self._by_text[language] = table
        text = nfkc(value)
        if text in self._by_text[language]:
            return self._by_text[language][text]
        raise ValueError(
            _("“%(value)s” is not one of: %(choices)s.") % {"value": value, "choices": "、".join(self.labels())}
        )

    def render(self, value, obj=None, **kwargs):
        return next((str(label) for stored, label in self.choices if stored == value), value)


YES, NO = "是", "否"


class YesNoWidget(ChoiceWidget):
    def __init__(self):
        super().__init__([(True, YES), (False, NO)])

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = None if value is None else nfkc(value).lower()
        if text in ("y", "yes", "true", "1", "√"):
            return True
        if text in ("n", "no", "false", "0", "×"):
            return False
        return super().clean(value, row, **kwargs)


class LookupWidget(widgets.Widget):
    """A record named by its code or its name, found in lookups loaded once per file (`resource.lookups[key]`,
    filled by the resource's `load_lookups`): {normalised code or name: record, or AMBIGUOUS}."""

    AMBIGUOUS = object()

    def __init__(self, key, render_attribute="name"):
        super().__init__()
        self.key = key
        self.render_attribute = render_attribute
        self.resource = None  # set by ImportResource

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return None
        found = self.resource.lookups[self.key].get(nfkc(value))
        if found is self.AMBIGUOUS:
            raise ValueError(_("“%(value)s” names several places; write its code instead.") % {"value": value})
        if found is None:
            raise ValueError(self.resource.unknown_message(self.key, value))
        return found

    def render(self, value, obj=None, **kwargs):
        return getattr(value, self.render_attribute, "") if value is not None else ""


def add_lookup(lookup, key, record):
    key = nfkc(key)
    if lookup.get(key, record) is not record:
        lookup[key] = LookupWidget.AMBIGUOUS
    else:
        lookup[key] = record


class RowErrors(dict):
    """The messages found on a row, {attribute: [message]}: what check_row adds to, with add(attribute, message)."""

    def add(self, attribute, message):
        self.setdefault(attribute, []).append(message)


class ImportResource(resources.ModelResource):
    """The base of every import kind's resource; see the module docstring."""

    # Attributes compared to tell an updated record from an unchanged one, and written by bulk_update.
    tracked_fields = ()
    # Validation errors on these attributes are reported under this column (e.g. "leader_account": "号长手机").
    error_columns = {}

    class Meta:
        use_bulk = True
        batch_size = BATCH_SIZE
        skip_diff = True  # no deep copy and no HTML diff per row: "unchanged" is told by tracked_fields
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = False  # validate_instance checks fields without a query per row
        import_id_fields = []

    def __init__(self, context, **kwargs):
        super().__init__(**kwargs)
        self.context = context
        self.dry_run = True
        self.row_index = 0
        self.lookups = {}
        self.existing = {}
        self.snapshots = {}
        self.cleaned, self.cleaning_errors = {}, {}
        self._fields_for = None
        self._blank = None
        self.staging = []  # the dry run's cleaned values, row by row (staged_values)
        self.staged_fields, self._staged_set, self.staged_rows = [], set(), None
        for import_field in self.fields.values():
            if isinstance(import_field.widget, LookupWidget):
                import_field.widget.resource = self

    # What a kind says -------------------------------------------------------------------------------------------

    @classmethod
    def columns(cls):
        """The import columns in the order of Meta.fields, which is the template's."""
        return [cls.fields[name] for name in cls._meta.fields if isinstance(cls.fields.get(name), ImportField)]

    def load_lookups(self, rows):
        """Fill self.lookups for the LookupWidgets, scoped to the context's node."""

    def load_existing(self, rows):
        """Fill self.existing: {natural key: instance} for the rows of the file (one or a few queries)."""

    def natural_key(self, row):
        """The key that finds the record a row updates (None when the row cannot name one)."""
        raise NotImplementedError

    def check_row(self, instance, row, errors):
        """Rules spanning columns, rows or the database; add messages with errors.add(attribute, message)."""

    def unknown_message(self, key, value):
        return _("“%(value)s” is not known.") % {"value": value}

    def after_bulk_create(self, instances):
        """Called in the transaction after each batch of new records is inserted."""

    def after_bulk_update(self, instances):
        """Called in the transaction after each batch of updated records is written."""

    def finish(self, dry_run):
        """Called once after every row, in the transaction."""

    @classmethod
    def template_example(cls, node):
        """{column name: value} for the template's example row."""
        return {}

    @classmethod
    def code_tables(cls, node):
        """[(title, headers, rows)] for the template's code sheet."""
        return []

    # The machinery ----------------------------------------------------------------------------------------------

    def import_data(self, dataset, dry_run=False, **kwargs):
        self.dry_run = dry_run
        return super().import_data(dataset, dry_run=dry_run, **kwargs)

    def before_import_row(self, row, **kwargs):
        self.row_index = kwargs["row_number"]
        self.cleaned, self.cleaning_errors = self.clean_row(row)

    def clean_row(self, row):
        """({attribute: value}, {attribute: [message]}): each column of the row cleaned once, for finding the record
        (get_instance) and setting it (import_instance). On confirm, the values the dry run cleaned stand for the
        cells (every column but the lookups, which are found again among the records as they are now)."""
        cleaned, errors = {}, {}
        staged = self.staged_rows[self.row_index - 1] if self.staged_rows else None
        fields = self._row_fields(row)
        if staged is not None:
            for (attribute, unstage), value in zip(self.staged_fields, staged):
                cleaned[attribute] = value if unstage is None or value is None else unstage(value)
        for import_field in fields:
            if staged is not None and import_field in self._staged_set:
                continue
            try:
                cleaned[import_field.attribute] = import_field.clean(row)
            except ValueError as error:
                errors[import_field.attribute] = [str(error)]
        if self.dry_run:  # dates become ISO text in the job's JSON (DjangoJSONEncoder); unstage reads them back
            self.staging.append(None if errors else [cleaned[f.attribute] for f in fields if not isinstance(f.widget, LookupWidget)])
        return cleaned, errors

    def _row_fields(self, row):
        """The import fields with a column in the row (import-export gives every row the file's headers)."""
        columns = tuple(row)
        if self._fields_for != columns:
            self._fields_for_columns = [f for f in self.get_import_fields() if f.attribute and f.column_name in row]
            self._fields_for = columns
        return self._fields_for_columns

    def value(self, attribute, default=None):
        """The cleaned value of the row's column for `attribute` (default when the file has no such column); raises
        ValueError when the cell could not be read (the row is then refused with the cell's message)."""
        if attribute in self.cleaning_errors:
            raise ValueError(self.cleaning_errors[attribute][0])
        return self.cleaned.get(attribute, default)

    # Staging: the dry run's cleaned values, kept with the rows for the import ---------------------------------------

    def use_staged(self, staged):
        """Take the values a dry run of the same rows cleaned (`staged_values()` of that dry run)."""
        if not staged:
            return
        by_attribute = {f.attribute: f for f in self.get_import_fields() if f.attribute}
        if any(name not in by_attribute for name in staged["attributes"]):
            return  # kept by another version of the columns: clean the cells again
        self.staged_fields = [(name, getattr(by_attribute[name].widget, "unstage", None)) for name in staged["attributes"]]
        self._staged_set = {by_attribute[name] for name in staged["attributes"]}
        self.staged_rows = staged["rows"]

    def staged_values(self, headers):
        """The cleaned values of this dry run, JSON-ready, for `use_staged` when the import is confirmed."""
        if not self.staging:
            return None
        columns = set(headers)
        attributes = [
            f.attribute for f in self.get_import_fields()
            if f.attribute and f.column_name in columns and not isinstance(f.widget, LookupWidget)
        ]
        return {"attributes": attributes, "rows": self.staging}

    def sheet_row(self, index=None):
        """The row number in the sheet of the dataset's row `index` (default: the row being imported)."""
        numbers = self.context.row_numbers
        index = index or self.row_index
        return numbers[index - 1] if numbers else index

    def first_seen(self, registry, key):
        """The sheet row where `key` was first seen in this file (None the first time); remembers this row."""
        if key in registry:
            return registry[key]
        registry[key] = self.sheet_row()
        return None

    def before_import(self, dataset, **kwargs):
        rows = [dict(zip(dataset.headers, values)) for values in dataset]
        self.load_lookups(rows)
        self.load_existing(rows)

    def get_instance(self, instance_loader, row):
        try:
            key = self.natural_key(row)
        except ValueError:
            return None  # the key columns are wrong: reported when the row's fields are cleaned
        instance = self.existing.get(key) if key is not None else None
        if instance is not None:
            self.snapshots[id(instance)] = self.snapshot(instance)
        return instance

    @cached_property
    def _checked_by_widgets(self):
        return {f.attribute for f in self.get_import_fields() if f.attribute and not isinstance(f.widget, TextWidget | LookupWidget)} | {
            f.attribute for f in self.get_import_fields() if isinstance(f.widget, TextWidget) and f.widget.max_length
        }

    def init_instance(self, row=None):
        """A new record with the model's defaults, copied from one built once per file (Model() goes through every
        field's default and the init signals: as long as cleaning a row); callable defaults are drawn again for
        each record. Models with init signal receivers are built the ordinary way."""
        model = self._meta.model
        if self._blank is None:
            self._blank = False
            if not (signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)):
                self._blank = {name: value for name, value in model().__dict__.items() if name != "_state"}
                self._fresh_defaults = [f for f in model._meta.concrete_fields if f.has_default() and callable(f.default)]
        if self._blank is False:
            return model()
        instance = model.__new__(model)
        instance.__dict__.update(self._blank)
        for model_field in self._fresh_defaults:
            instance.__dict__[model_field.attname] = model_field.get_default()
        instance._state = ModelState()
        return instance

    @cached_property
    def _not_validated(self):
        """The fields validate_instance leaves out: those the columns' widgets check, relations, the primary key."""
        model_fields = self._meta.model._meta.fields
        return self._checked_by_widgets | {f.name for f in model_fields if f.is_relation or f.primary_key}

    @cached_property
    def _validated(self):
        return {f.name for f in self._meta.model._meta.fields} - self._not_validated

    def get_import_fields(self):
        # import-export works the list out again for every row; it does not change during an import.
        if not hasattr(self, "_import_fields"):
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def snapshot(self, instance):
        return tuple(getattr(instance, name) for name in self.tracked_fields)

    def import_instance(self, instance, row, **kwargs):
        """Set the row's cleaned values on the instance (as import-export's Field.save would), then check_row."""
        errors = RowErrors({attribute: list(messages) for attribute, messages in self.cleaning_errors.items()})
        for attribute, value in self.cleaned.items():
            setattr(instance, attribute, value)
        if not errors:
            self.check_row(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        before = self.snapshots.get(id(instance))
        return not import_validation_errors and before is not None and before == self.snapshot(instance)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's own field rules (lengths, validators, blanks) without the queries of full_clean: foreign
        keys come from the lookups, uniqueness from the natural keys."""
        errors = dict(import_validation_errors or {})
        # The columns' widgets have checked their own values (lengths, formats, choices): the model's field rules run
        # on the rest, as a net for what a resource sets itself.
        exclude = self._not_validated
        if self._validated - set(errors):
            try:
                instance.clean_fields(exclude=exclude | set(errors))
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def after_import_row(self, row, row_result, **kwargs):
        if kwargs["row_number"] % PROGRESS_EVERY == 0:
            self.context.report(kwargs["row_number"])

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if dry_run:  # the dry run validates without writing (import-export would write and roll back)
            self.create_instances.clear()
            return
        created = list(self.create_instances)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size, result)
        if created and not result.base_errors:
            self.after_bulk_create(created)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if dry_run:
            self.update_instances.clear()
            return
        updated = list(self.update_instances)
        if updated and "updated_at" in {f.name for f in self._meta.model._meta.fields}:
            now = timezone.now()  # bulk_update does not run auto_now
            for instance in updated:
                instance.updated_at = now
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size, result)
        if updated and not result.base_errors:
            self.after_bulk_update(updated)

    def get_bulk_update_fields(self):
        names = [name.removesuffix("_id") for name in self.tracked_fields]
        if "updated_at" in {f.name for f in self._meta.model._meta.fields}:
            names.append("updated_at")
        return names

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if not result.has_validation_errors() and not result.base_errors:
            self.finish(self._is_dry_run(kwargs))

    def column_of(self, attribute):
        """The column header under which an error on `attribute` is reported ("" for the row as a whole)."""
        if attribute == NON_FIELD_ERRORS:
            return ""
        if attribute in self.error_columns:
            return self.error_columns[attribute]
        for import_field in self.fields.values():
            if import_field.attribute == attribute:
                return import_field.column_name
        return ""

