from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from apps.accounts.invitations import create_invited_users
from apps.accounts.models import User
from apps.accounts.validators import normalize_phone
from apps.audit import labels as audit_labels
from apps.audit.models import AuditEntry
from apps.imports import registry as imports
from apps.imports.resources import (
    NO,
    YES,
    ChoiceWidget,
    CodeWidget,
    DateWidget,
    ImportField,
    ImportResource,
    LookupWidget,
    PhoneWidget,
    TextWidget,
    YesNoWidget,
    add_lookup,
    nfkc,
)
from apps.organizations.enums import Action, NodeKind
from apps.organizations.models import Industry, Membership, Node, Region
from civpost.exports import escape_formula

from . import workflow
from .models import Collective, Member, Status
from .public import publish_versions
from .validation import member_key, validate_birth_date


class EscapeFormulasMixin:
    """Exports text cells so that a spreadsheet shows them as text and never runs them as formulas."""

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))


class CollectiveResource(EscapeFormulasMixin, resources.ModelResource):
    """Exports the collectives list (no members: they are personal data) and updates profiles on import."""

    industry = fields.Field(attribute="industry", column_name="industry", widget=ForeignKeyWidget(Industry, "code"))
    region = fields.Field(attribute="region", column_name="region", widget=ForeignKeyWidget(Region, "code"))
    registering_node = fields.Field(
        attribute="registering_node", column_name="registering_node", widget=ForeignKeyWidget(Node, "pk")
    )

    class Meta:
        model = Collective
        fields = [
            "id",
            "registration_number",
            "name",
            "workplace_unit",
            "industry",
            "region",
            "address",
            "registering_node",
            "has_league_branch",
            "supervision_phone",
            "service_promises",
            "status",
            "registered_on",
            "member_count",
        ]
        export_order = fields
        # Status, numbers and counts change only through the workflow, never through a spreadsheet.
        import_exclude = ["status", "registration_number", "registered_on", "member_count"]
        skip_unchanged = True
        clean_model_instances = True


# Staff imports (apps/imports): collectives with their 号长, and members --------------------------------------------
#
# Natural keys. A collective is found by its registration number (备案编号) when the row has one, otherwise by its
# workplace unit and name (所在单位 + 集体名称, unique together). A member is found by collective, name and birth
# date. Re-importing the same file therefore finds every record and changes nothing.

IMPORTED = "imported"
audit_labels.register(actions={IMPORTED: gettext_lazy("Imported")})

# The file's status column: its values are the programme's words, whatever the interface language.
STATUS_VALUES = [(Status.REGISTERED, "争创集体"), (Status.DRAFT, "草稿")]
YES_NO = [YES, NO]


class CollectiveImportResource(ImportResource):
    """Collectives with their 号长 (matched to an account by mobile phone, or invited), for a committee's subtree."""

    name = ImportField(attribute="name", column_name="集体名称", required=True, widget=TextWidget(100))
    workplace_unit = ImportField(attribute="workplace_unit", column_name="所在单位", required=True, widget=TextWidget(100))
    region = ImportField(
        attribute="region", column_name="所在地区", required=True, widget=LookupWidget("regions", render_attribute="code"),
        help_text=gettext_lazy("The county or district: its name or its GB/T 2260 code (see the code sheet)."),
    )
    address = ImportField(attribute="address", column_name="地址", required=True, widget=TextWidget(200))
    industry = ImportField(
        attribute="industry", column_name="行业", required=True, widget=LookupWidget("industries"),
        choices=lambda: list(Industry.objects.values_list("name", flat=True)),
    )
    registering_node = ImportField(
        attribute="registering_node", column_name="备案团委", aliases=("备案单位",), widget=LookupWidget("committees"),
        help_text=gettext_lazy(
            "The committee the collective is registered with (name, or region code of a county committee). "
            "Empty: your committee when it registers collectives, otherwise the county committee of the region."
        ),
    )
    status = ImportField(
        attribute="status", column_name="状态", widget=ChoiceWidget(STATUS_VALUES), choices=[label for _v, label in STATUS_VALUES],
        help_text=gettext_lazy("争创集体 (with its registration number and date) or 草稿. Empty: 争创集体 when a number is given."),
    )
    registration_number = ImportField(attribute="registration_number", column_name="备案编号", widget=CodeWidget(20))
    registered_on = ImportField(attribute="registered_on", column_name="备案日期", widget=DateWidget())
    has_league_branch = ImportField(
        attribute="has_league_branch", column_name="是否建有团支部", widget=YesNoWidget(), default=False, choices=YES_NO
    )
    service_promises = ImportField(
        attribute="service_promises", column_name="服务承诺", required=True, widget=TextWidget(multiline=True),
        help_text=gettext_lazy("One promise per line (Alt+Enter in Excel)."),
    )
    supervision_phone = ImportField(
        attribute="supervision_phone", column_name="监督电话", required=True, widget=PhoneWidget(mobile=False)
    )
    leader_name = ImportField(attribute="leader_name", column_name="号长姓名", required=True, widget=TextWidget(50))
    leader_phone = ImportField(
        attribute="leader_phone", column_name="号长手机", required=True, widget=PhoneWidget(mobile=True),
        help_text=gettext_lazy("The 号长's account is found by this number, or created: the 号长 then sets a password through a one-time link."),
    )

    tracked_fields = (
        "name", "workplace_unit", "region_id", "address", "industry_id", "registering_node_id", "status",
        "registration_number", "registered_on", "has_league_branch", "service_promises", "supervision_phone",
    )
    error_columns = {"leader_account": "号长手机"}

    class Meta:
        model = Collective
        fields = [
            "name", "workplace_unit", "region", "address", "industry", "registering_node", "status",
            "registration_number", "registered_on", "has_league_branch", "service_promises", "supervision_phone",
            "leader_name", "leader_phone",
        ]

    def __init__(self, context, **kwargs):
        super().__init__(context, **kwargs)
        self.seen_keys, self.seen_numbers = {}, {}
        self.accounts = {}  # phone → account (existing, or created by this import)
        self.staff_phones = set()
        self.taken_usernames = set()
        self.new_phones = set()
        self.today = timezone.localdate()

    # Lookups and existing records, loaded once ------------------------------------------------------------------

    def load_lookups(self, rows):
        node = self.context.node
        prefix = node.region.code_prefix
        regions, parents = {}, dict(Region.objects.values_list("code", "parent_id"))
        names = dict(Region.objects.values_list("code", "name"))
        self.county_codes = set()
        for code in (c for c in names if c.startswith(prefix)):
            parent = parents.get(code)
            if parent and parents.get(parent):  # a county or district: national → province → city → county
                self.county_codes.add(code)
            region = Region(code=code, name=names[code], parent_id=parent)
            add_lookup(regions, code, region)
            add_lookup(regions, names[code], region)
            if parent:
                add_lookup(regions, names[parent] + names[code], region)
        self.lookups["regions"] = regions
        self.lookups["industries"] = {}
        for industry in Industry.objects.all():
            add_lookup(self.lookups["industries"], industry.code, industry)
            add_lookup(self.lookups["industries"], industry.name, industry)
        committees = {}
        self.registering, self.committee_by_pk = {}, {}
        for committee in Node.registering_nodes().filter(node.subtree_q()).select_related("region"):
            self.committee_by_pk[committee.pk] = committee
            add_lookup(committees, committee.name, committee)
            if not committee.is_industry_unit:
                add_lookup(committees, committee.region_id, committee)
                self.registering[committee.region_id] = committee
        self.lookups["committees"] = committees
        self.default_committee = self.committee_by_pk.get(node.pk)

    def unknown_message(self, key, value):
        outside = _("“%(value)s” is outside the area of %(node)s, for which you import.")
        if key == "regions":
            if Region.objects.filter(Q(code=nfkc(value)) | Q(name=value)).exists():
                return outside % {"value": value, "node": self.context.node.name}
            return _("“%(value)s” is not a known region. Use a name or GB/T 2260 code from the code sheet.") % {"value": value}
        if key == "committees":
            if Node.objects.filter(Q(name=value) | Q(region_id=nfkc(value), kind=NodeKind.LEAGUE_COMMITTEE)).exists():
                return _("“%(value)s” cannot register collectives for your area: choose a county committee or an industry unit within %(node)s.") % {
                    "value": value, "node": self.context.node.name
                }
            return _("“%(value)s” is not a known committee. Use a name from the code sheet.") % {"value": value}
        return _("“%(value)s” is not a known industry. Use a name from the code sheet.") % {"value": value}

    def load_existing(self, rows):
        numbers, units, names, phones = set(), set(), set(), set()
        for row in rows:
            numbers.add(nfkc(row.get("备案编号") or ""))
            units.add(" ".join(str(row.get("所在单位") or "").split()))
            names.add(" ".join(str(row.get("集体名称") or "").split()))
            phones.add(normalize_phone(row.get("号长手机") or ""))
        numbers.discard("")
        found = Collective.objects.select_related("leader_account", "registering_node").filter(
            Q(registration_number__in=numbers) | Q(workplace_unit__in=units, name__in=names)
        )
        for collective in found:
            if collective.registration_number:
                self.existing[("number", collective.registration_number)] = collective
            self.existing[("unit", collective.workplace_unit, collective.name)] = collective
        phones.discard("")
        for account in User.objects.filter(phone__in=phones).annotate(is_staff_member=Exists(Membership.objects.filter(user=OuterRef("pk")))):
            self.accounts[account.phone] = account
            if account.is_staff_member or account.is_superuser or account.is_staff:
                self.staff_phones.add(account.phone)
        self.taken_usernames = set(User.objects.filter(username__in=phones).values_list("username", flat=True))

    def get_instance(self, instance_loader, row):
        try:
            number = self.value("registration_number")
            key = (self.value("workplace_unit", ""), self.value("name", ""))
        except ValueError:
            return None
        instance = self.existing.get(("number", number)) if number else None
        instance = instance or self.existing.get(("unit", *key))
        if instance is not None:
            self.snapshots[id(instance)] = self.snapshot(instance)
        return instance

    # Rules across columns, rows and the database --------------------------------------------------------------

    def check_row(self, instance, row, errors):
        error = errors.add
        same_row = self.first_seen(self.seen_keys, (instance.workplace_unit, instance.name))
        if same_row:
            error(NON_FIELD_ERRORS, _("The same collective (workplace unit and name) is already on row %(row)s.") % {"row": same_row})
        if instance.registration_number:
            same_number = self.first_seen(self.seen_numbers, instance.registration_number)
            if same_number:
                error("registration_number", _("The same registration number is already on row %(row)s.") % {"row": same_number})
        if errors:
            return
        same_name = self.existing.get(("unit", instance.workplace_unit, instance.name))
        if instance.pk is None:
            self._check_new(instance, row, error)
        else:
            self._check_existing(instance, same_name, error)
        if not errors:
            self._check_status(instance, error)
            self._check_committee(instance, error)
        if not errors:
            self._check_leader(instance, error)

    def _check_new(self, instance, row, error):
        # A number already in the portal would have found its collective: a new row's number is free.
        if instance.status is None or "状态" not in row:
            instance.status = Status.REGISTERED if instance.registration_number else Status.DRAFT

    def _check_existing(self, instance, other, error):
        before = dict(zip(self.tracked_fields, self.snapshots[id(instance)]))
        if before["registering_node_id"] not in self.committee_by_pk:
            node = Node.objects.get(pk=before["registering_node_id"])
            error(NON_FIELD_ERRORS, _("This collective is registered with %(node)s, outside your area.") % {"node": node.name})
            return
        if instance.status is None:
            instance.status = before["status"]
        if instance.registering_node_id is None:  # an empty column keeps the committee it has
            instance.registering_node_id = before["registering_node_id"]
        if before["status"] in (Status.SUBMITTED, Status.RETURNED):
            error("status", _("This collective's registration is being reviewed; it cannot be changed by an import."))
        elif instance.status != before["status"]:
            error("status", _("The status of an existing collective changes only through registration review (it is “%(status)s”).") % {
                "status": dict(STATUS_VALUES).get(before["status"], before["status"])
            })
        if other is not None and other.pk != instance.pk:
            error("name", _("Another collective, “%(name)s”, already has this workplace unit and name.") % {"name": other.name})
        if before["registration_number"] and instance.registration_number != before["registration_number"]:
            error("registration_number", _("This collective's registration number is %(number)s.") % {"number": before["registration_number"]})
        if before["status"] == Status.REGISTERED:
            for attribute in ("region_id", "registering_node_id"):
                if getattr(instance, attribute) != before[attribute]:
                    error(attribute.removesuffix("_id"), _("The region and the registering committee of a registered collective are fixed."))

    def _check_status(self, instance, error):
        today = self.today
        if instance.status == Status.REGISTERED:
            if not instance.registration_number:
                error("registration_number", _("An aspiring collective (争创集体) needs its registration number."))
            if not instance.registered_on:
                error("registered_on", _("An aspiring collective (争创集体) needs its registration date."))
            elif instance.registered_on > today:
                error("registered_on", _("The registration date cannot be in the future."))
        elif instance.registration_number or instance.registered_on:
            error("status", _("A draft has no registration number or date: write 争创集体, or leave them empty."))
        if instance.region_id is not None and instance.region_id not in self.county_codes:
            error("region", _("Name the collective's county or district, not a province or city."))

    def _check_committee(self, instance, error):
        node = self.committee_by_pk.get(instance.registering_node_id)
        if instance.registering_node_id is None:
            node = self.default_committee or self.registering.get(instance.region_id)
        if node is None:
            error("registering_node", _("Name the committee the collective is registered with (see the code sheet)."))
            return
        instance.registering_node = node
        if not node.is_industry_unit and not instance.region_id.startswith(node.region.code_prefix):
            error("registering_node", _("%(node)s does not cover the region %(region)s.") % {"node": node.name, "region": instance.region_id})

    def _check_leader(self, instance, error):
        phone, name = instance.leader_phone, instance.leader_name
        if instance.pk is not None:
            if instance.leader_account.phone != phone:
                error("leader_account", _("The 号长 of an existing collective cannot be changed by an import (the account on file has another phone)."))
            return
        if phone in self.staff_phones:
            error("leader_account", _("%(phone)s belongs to a committee staff account; a 号长 needs an account of their own.") % {"phone": phone})
            return
        account = self.accounts.get(phone)
        if account is not None and account.real_name and account.real_name != name:
            error("leader_name", _("%(phone)s belongs to %(owner)s, not %(name)s. Check the name and the phone.") % {
                "phone": phone, "owner": account.real_name, "name": name
            })
            return
        if account is None:
            account = self._new_account(phone, name)
        instance.leader_account = account

    def _new_account(self, phone, name):
        """A new 号长 account, created with the batch of collectives it leads (bulk_create) and invited to set its
        password; in a dry run only counted."""
        self.new_phones.add(phone)
        self.context.notes["new_accounts"] = len(self.new_phones)
        username = phone if phone not in self.taken_usernames else f"{phone}-{len(self.new_phones)}"
        account = User(username=username, real_name=name, phone=phone)
        self.accounts[phone] = account
        return account

    # Writing ----------------------------------------------------------------------------------------------------

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not dry_run:
            new_accounts = list({id(c.leader_account): c.leader_account for c in self.create_instances if c.leader_account.pk is None}.values())
            if new_accounts:
                create_invited_users(new_accounts)
                self.context.invited_user_ids.extend(account.pk for account in new_accounts)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size, result)

    def after_bulk_create(self, instances):
        self._audit(instances, from_state="")
        publish_versions({c.pk: c.updated_at for c in instances})

    def after_bulk_update(self, instances):
        self._audit(instances, from_state=None)
        publish_versions({c.pk: c.updated_at for c in instances})

    def _audit(self, collectives, from_state):
        content_type = ContentType.objects.get_for_model(Collective)
        AuditEntry.objects.bulk_create(
            AuditEntry(
                content_type=content_type, object_id=c.pk, actor=self.context.actor, action=IMPORTED,
                from_state=c.status if from_state is None else from_state, to_state=c.status, comment=self.context.label,
            )
            for c in collectives
        )

    # Template and export ----------------------------------------------------------------------------------------

    def dehydrate_leader_name(self, collective):
        return collective.leader_account.real_name

    def dehydrate_leader_phone(self, collective):
        return collective.leader_account.phone or ""

    @classmethod
    def template_example(cls, node):
        return {
            "集体名称": "示例：营业厅青年班组（导入时跳过本行）",
            "所在单位": "国网安庆供电公司",
            "所在地区": "340803",
            "地址": "安庆市大观区德宽路1号",
            "行业": "电力",
            "备案团委": "",
            "状态": "争创集体",
            "备案编号": "340803-2024-00001",
            "备案日期": "2024-05-01",
            "是否建有团支部": YES,
            "服务承诺": "微笑服务，文明用语\n首问负责，一次告知",
            "监督电话": "0556-5551234",
            "号长姓名": "王晓明",
            "号长手机": "13800138000",
        }

    @classmethod
    def code_tables(cls, node):
        prefix = node.region.code_prefix
        regions = Region.objects.filter(code__startswith=prefix).select_related("parent").order_by("code")
        committees = Node.registering_nodes().filter(node.subtree_q()).select_related("region")
        return [
            ("地区", ["代码", "名称", "上级"], [(r.code, r.name, r.parent.name if r.parent else "") for r in regions]),
            ("行业", ["代码", "名称"], list(Industry.objects.values_list("code", "name"))),
            ("备案团委", ["名称", "地区代码", "类别"], [(c.name, c.region_id, c.get_kind_display()) for c in committees]),
        ]


class MemberImportResource(ImportResource):
    """Members of collectives in the committee's subtree; the collective by registration number, or unit + name."""

    collective_number = ImportField(attribute="collective_number", column_name="备案编号", widget=CodeWidget(20))
    collective_unit = ImportField(attribute="collective_unit", column_name="所在单位", widget=TextWidget(100))
    collective_name = ImportField(attribute="collective_name", column_name="集体名称", widget=TextWidget(100))
    name = ImportField(attribute="name", column_name="姓名", required=True, widget=TextWidget(50))
    birth_date = ImportField(attribute="birth_date", column_name="出生日期", required=True, widget=DateWidget())
    position = ImportField(attribute="position", column_name="岗位", required=True, widget=TextWidget(50))
    is_leader = ImportField(attribute="is_leader", column_name="是否号长", widget=YesNoWidget(), default=False, choices=YES_NO)
    phone = ImportField(
        attribute="phone", column_name="手机", widget=PhoneWidget(mobile=True),
        help_text=gettext_lazy("Optional. Members' phones are not kept; the 号长's must be the phone of the collective's 号长 account."),
    )

    tracked_fields = ("position", "is_leader")

    class Meta:
        model = Member
        fields = ["collective_number", "collective_unit", "collective_name", "name", "birth_date", "position", "is_leader", "phone"]

    def __init__(self, context, **kwargs):
        super().__init__(context, **kwargs)
        self.collectives = {}
        self.seen_members, self.seen_leaders = {}, {}
        self.leaders = {}  # collective id → the member the file makes its 号长
        self.touched = set()
        self.today = timezone.localdate()

    def load_existing(self, rows):
        numbers, units, names = set(), set(), set()
        for row in rows:
            numbers.add(nfkc(row.get("备案编号") or ""))
            units.add(" ".join(str(row.get("所在单位") or "").split()))
            names.add(" ".join(str(row.get("集体名称") or "").split()))
        numbers.discard("")
        found = Collective.objects.select_related("leader_account", "registering_node").filter(
            Q(registration_number__in=numbers) | Q(workplace_unit__in=units, name__in=names)
        ).only("pk", "name", "workplace_unit", "registration_number", "leader_account__phone", "registering_node__path", "registering_node__name")
        for collective in found:
            if collective.registration_number:
                self.collectives[("number", collective.registration_number)] = collective
            self.collectives[("unit", collective.workplace_unit, collective.name)] = collective
        ids = list({c.pk for c in self.collectives.values()})
        for start in range(0, len(ids), 2000):
            for member in Member.objects.filter(collective_id__in=ids[start:start + 2000]):
                self.existing[member_key(member.collective_id, member.name, member.birth_date)] = member

    def find_collective(self):
        """The collective the row names (None when none does); raises ValueError when its cells cannot be read."""
        number = self.value("collective_number", "")
        if number:
            return self.collectives.get(("number", number))
        return self.collectives.get(("unit", self.value("collective_unit", ""), self.value("collective_name", "")))

    def get_instance(self, instance_loader, row):
        try:
            self.collective = self.find_collective()
            name, birth_date = self.value("name"), self.value("birth_date")
        except ValueError:
            self.collective = None
            return None
        key = member_key(self.collective.pk, name, birth_date) if self.collective and name is not None and birth_date else None
        instance = self.existing.get(key) if key else None
        if instance is not None:
            self.snapshots[id(instance)] = self.snapshot(instance)
        return instance

    def check_row(self, instance, row, errors):
        error = errors.add
        collective = self.collective
        if not (instance.collective_number or (instance.collective_unit and instance.collective_name)):
            error("collective_number", _("Name the collective: its registration number, or its workplace unit and name."))
            return
        if collective is None:
            attribute = "collective_number" if instance.collective_number else "collective_name"
            error(attribute, _("No collective with this registration number (or workplace unit and name) exists. Import the collectives first."))
            return
        if not collective.registering_node.path.startswith(self.context.node.path):
            error(NON_FIELD_ERRORS, _("This collective is registered with %(node)s, outside your area.") % {"node": collective.registering_node.name})
            return
        instance.collective = collective
        try:  # the other field rules are the model's, checked for every row by validate_instance
            validate_birth_date(instance.birth_date, self.today)
        except ValidationError as problem:
            error("birth_date", problem.messages[0])
            return
        same_row = self.first_seen(self.seen_members, member_key(collective.pk, instance.name, instance.birth_date))
        if same_row:
            error(NON_FIELD_ERRORS, _("The same member (name and birth date) of this collective is already on row %(row)s.") % {"row": same_row})
        if instance.is_leader:
            leader_row = self.first_seen(self.seen_leaders, collective.pk)
            if leader_row:
                error("is_leader", _("A collective has one 号长: row %(row)s already marks one.") % {"row": leader_row})
            elif instance.phone and instance.phone != collective.leader_account.phone:
                error("phone", _("The 号长's phone must be the phone of the collective's 号长 account."))
            else:
                self.leaders[collective.pk] = instance
        self.touched.add(collective.pk)

    def before_save_instance(self, instance, row, **kwargs):
        if not self.dry_run and self.leaders and not getattr(self, "_leaders_moved", False):
            # The file's 号长 replaces the previous one: clear the old flags before any row is written, so that the
            # one-号长-per-collective constraint holds at every insert.
            self._leaders_moved = True
            keep = [m.pk for m in self.leaders.values() if m.pk]
            Member.objects.filter(collective_id__in=list(self.leaders), is_leader=True).exclude(pk__in=keep).update(is_leader=False)

    def finish(self, dry_run):
        if dry_run or not self.touched:
            return
        count = Member.objects.filter(collective=OuterRef("pk")).order_by().values("collective").annotate(n=Count("pk")).values("n")
        ids, now = list(self.touched), timezone.now()
        for start in range(0, len(ids), 2000):
            Collective.objects.filter(pk__in=ids[start:start + 2000]).update(member_count=Subquery(count), updated_at=now)
        publish_versions(dict.fromkeys(ids, now))
        # The composition flag follows the members, as on the 号长's pages; its 号长 hears of a collective that left the rules.
        for start in range(0, len(ids), 500):
            for collective in Collective.objects.filter(pk__in=ids[start:start + 500]).select_related("leader_account").prefetch_related("members"):
                workflow.refresh_composition(collective, self.context.actor)

    @classmethod
    def template_example(cls, node):
        return {
            "备案编号": "示例：340803-2024-00001（导入时跳过本行）",
            "所在单位": "国网安庆供电公司",
            "集体名称": "营业厅青年班组",
            "姓名": "李小青",
            "出生日期": "1998-03-02",
            "岗位": "客户经理",
            "是否号长": NO,
            "手机": "",
        }


imports.register(
    imports.ImportKind(
        slug="collectives",
        label=gettext_lazy("Collectives and their 号长"),
        description=gettext_lazy(
            "New or existing collectives of your area with their 号长. A 号长 without an account gets one, with a one-time link to set the password."
        ),
        resource_class=CollectiveImportResource,
        action=Action.REVIEW_REGISTRATIONS,
        order=10,
        command="collectives",
        personal_data=True,
    )
)
imports.register(
    imports.ImportKind(
        slug="members",
        label=gettext_lazy("Members of collectives"),
        description=gettext_lazy("Members of collectives already in the portal (import the collectives first)."),
        resource_class=MemberImportResource,
        action=Action.REVIEW_REGISTRATIONS,
        order=20,
        command="members",
        personal_data=True,
    )
)
