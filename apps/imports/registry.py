"""The kinds of import staff can run in the workbench and on the command line.

Each domain app registers its kinds in its `resources.py` (imported at start-up by ImportsConfig.ready, the way the
admin finds `admin.py`); apps/imports owns the flow (upload, dry run, confirm, background work, results) and never
imports a domain app. Plugging in a kind, e.g. historical titles in apps/evaluations/resources.py:

    from apps.imports.registry import ImportKind, register
    from apps.imports.resources import ChoiceWidget, ImportField, ImportResource, LookupWidget
    from apps.organizations.enums import Action

    class TitleImportResource(ImportResource):
        collective = ImportField(attribute="collective", column_name="备案编号", required=True,
                                 widget=LookupWidget("collectives", render_attribute="registration_number"))
        level = ImportField(attribute="level", column_name="称号级别", required=True,
                            widget=ChoiceWidget(Level.choices), choices=Level.labels)
        ...
        tracked_fields = ("level", "year", ...)            # what "unchanged" compares and bulk_update writes

        class Meta:
            model = Honor
            fields = ["collective", "level", ...]         # the columns, in the template's order

        def load_lookups(self, rows): ...                  # {code or name: record} within self.context.node's subtree
        def load_existing(self, rows): ...                 # {natural key: instance}, one query for the file
        def natural_key(self, row): ...                    # e.g. (registration number, level, year)
        def check_row(self, instance, row, errors): ...    # cross-column rules, duplicates within the file
        def after_bulk_create(self, instances): ...        # audit entries, in the same transaction
        # optional: after_bulk_update(instances), finish(dry_run), template_example(node), code_tables(node)

    register(ImportKind(
        slug="titles", label=_("Historical titles"), resource_class=TitleImportResource,
        action=Action.MANAGE_NODE, description=_("…"), order=30,
    ))

A command line for it is three lines in the domain app (see apps/imports/management/commands/import_members.py):
`class Command(ImportCommand): kind_slug = "titles"`.

The kind's `action` is the staff action (apps/organizations/enums.Action) a user needs on the committee they import
for; the flow checks it with StaffScope on every view. Collectives and members need REVIEW_REGISTRATIONS: bringing
a committee's existing register into the portal is the same responsibility as approving registrations, so
committee admins and reviewer staff may import, viewers and expert reviewers may not.
"""

from dataclasses import dataclass

_kinds = {}


@dataclass(frozen=True)
class ImportKind:
    slug: str
    label: str
    resource_class: type
    action: str
    description: str = ""
    order: int = 100
    # The command line's name for it (manage.py import_<command>), if it has one.
    command: str = ""
    # Whether its files carry people's personal data (names, birth dates, phones): the upload then needs the
    # committee's statement (models.PERSONAL_DATA_STATEMENT), kept on the job.
    personal_data: bool = False

    def columns(self):
        return self.resource_class.columns()

    def resource(self, context):
        return self.resource_class(context)


def register(kind):
    _kinds[kind.slug] = kind
    return kind


def get(slug):
    """The kind registered under this slug; KeyError when there is none."""
    return _kinds[slug]


def all_kinds():
    return sorted(_kinds.values(), key=lambda kind: (kind.order, kind.slug))
