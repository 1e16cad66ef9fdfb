from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from apps.accounts.validators import validate_service_phone
from apps.organizations.enums import Level
from apps.organizations.models import Industry, Node, Region

from .rules import CompositionRules, check_composition, youth_birth_cutoff

# The credit pledge every collective accepts before it registers (seed 002).
CREDIT_PLEDGE = "诚信为本，有诺必践，恪尽职守，率先垂范"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting registration review")
    RETURNED = "returned", _("Returned for revision")
    REGISTERED = "registered", _("Aspiring collective")
    DISSOLVED = "dissolved", _("Dissolved")

    @classmethod
    def public(cls):
        """States in which the collective is on the public lists."""
        return [cls.REGISTERED]

    @classmethod
    def with_page(cls):
        """States in which the collective has a public page: a dissolved one keeps it (plaques and QR codes point
        there), saying it was dissolved."""
        return [cls.REGISTERED, cls.DISSOLVED]

    @classmethod
    def staff_visible(cls):
        """Drafts are the 号长's own work in progress; staff see everything from the first submission."""
        return [cls.SUBMITTED, cls.RETURNED, cls.REGISTERED, cls.DISSOLVED]


class CollectiveQuerySet(models.QuerySet):
    def public(self):
        """Collectives on the public lists: registered, and not delisted by a revocation."""
        return self.filter(status__in=Status.public(), delisted_on__isnull=True)

    def named(self):
        return self.public().exclude(honor_level="")

    def with_places(self):
        return self.select_related("region__parent", "industry", "registering_node")

    def with_young_members(self, on_date, youth_age=CompositionRules.youth_age):
        """Annotates `young_members`, the members aged `youth_age` or under on `on_date`: one subquery per row on
        the members' collective index, so a list shows the youth share without loading a single member."""
        young = (
            Member.objects.filter(collective=models.OuterRef("pk"), birth_date__gt=youth_birth_cutoff(on_date, youth_age))
            .order_by()
            .values("collective")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return self.annotate(young_members=Coalesce(models.Subquery(young), 0))


class Collective(models.Model):
    """A collective of young workers in one workplace unit, led by a 号长 (domain.md §1)."""

    name = models.CharField(_("collective name"), max_length=100, help_text=_("e.g. 客户服务中心营业厅班组"))
    workplace_unit = models.CharField(
        _("workplace unit"), max_length=100, help_text=_("The employer the collective belongs to, e.g. 国网安庆供电公司")
    )
    industry = models.ForeignKey(Industry, on_delete=models.PROTECT, related_name="collectives", verbose_name=_("industry"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="collectives", verbose_name=_("region"))
    address = models.CharField(_("address"), max_length=200)
    registering_node = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        related_name="registered_collectives",
        verbose_name=_("registering committee"),
        help_text=_("The county (district) league committee of the collective's area, or its industry member unit."),
    )
    leader_account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_collectives",
        verbose_name=_("号长 account"),
    )
    has_league_branch = models.BooleanField(_("has a youth league branch"), default=False)
    service_promises = models.TextField(
        _("service promises"), help_text=_("What the collective promises the people it serves, one promise per line.")
    )
    supervision_phone = models.CharField(
        _("supervision phone"),
        max_length=30,
        validators=[validate_service_phone],
        help_text=_("Published on the public page so that anyone can hold the collective to its promises."),
    )
    pledge_accepted_at = models.DateTimeField(_("credit pledge accepted at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    registration_number = models.CharField(_("registration number"), max_length=20, unique=True, null=True, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    member_count = models.PositiveIntegerField(_("members"), default=0, editable=False)
    # The highest level among the collective's valid titles, kept by apps/evaluations when it names or revokes:
    # lists and eligibility rules ask "named or aspiring?" without joining the honours.
    honor_level = models.CharField(_("highest title"), max_length=12, choices=Level, blank=True, default="", editable=False)
    # Set when the collective's last valid title is revoked: it leaves every public list at once, while its page
    # (reached from old plaques and QR codes) says what happened. Cleared when it is named again.
    delisted_on = models.DateField(_("delisted on"), null=True, blank=True, editable=False)
    # The naming date of the most recent valid title (None for aspiring collectives), kept by apps/directory
    # (signals on Honor and on honor_level changes) for the public directory's "newest named" order.
    latest_named_on = models.DateField(_("latest named on"), null=True, blank=True, editable=False)
    # The volunteer hours of all its activity reports, kept by apps/directory (signals on ActivityReport) for the
    # post page, which shows the total without summing the reports.
    volunteer_hours = models.DecimalField(_("volunteer hours"), max_digits=12, decimal_places=1, default=0, editable=False)
    # Whether the members fail the size, youth or 号长 rules (domain.md §4), kept by the workflow whenever the members
    # change (workflow.refresh_composition): the staff lists filter on it without reading any member.
    outside_rules = models.BooleanField(_("members outside the rules"), default=False, editable=False)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True, editable=False)
    dissolution_reason = models.TextField(_("reason for dissolution"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CollectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("collective")
        verbose_name_plural = _("collectives")
        constraints = [
            models.UniqueConstraint(
                fields=["workplace_unit", "name"],
                name="unique_collective_name_in_unit",
                violation_error_message=_("A collective with this name already exists in this workplace unit."),
            )
        ]
        indexes = [
            models.Index(fields=["registering_node", "status"], name="collective_queue_idx"),
            models.Index(fields=["status", "-registered_on"], name="collective_public_idx"),
            # The staff queue's sort orders, read from either end (the paginator reads the back half backwards).
            models.Index(fields=["status", "updated_at", "id"], name="collective_status_updated_idx"),
            models.Index(fields=["updated_at", "id"], name="collective_updated_idx"),
            models.Index(fields=["status", "name", "id"], name="collective_status_name_idx"),
            models.Index(
                fields=["registering_node", "updated_at"], condition=models.Q(outside_rules=True), name="collective_outside_rules_idx"
            ),
            # A campaign's collectives in scope (apps/activities/rollups.participation_counts): the registered ones
            # come from NodeStatusCount less these few delisted ones; a campaign of named collectives counts these.
            models.Index(fields=["registering_node"], condition=models.Q(delisted_on__isnull=False), name="collective_delisted_idx"),
            models.Index(fields=["registering_node", "status"], condition=~models.Q(honor_level=""), name="collective_named_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("collectives:public_page", args=[self.pk])

    @property
    def is_public(self):
        return self.status in Status.public()

    @property
    def is_named(self):
        """A named 青年文明号: changes to its name, unit and members wait for its committee (ChangeRequest)."""
        return self.status == Status.REGISTERED and bool(self.honor_level)

    @property
    def youth_share(self):
        """The percentage of young members, from `young_members` (CollectiveQuerySet.with_young_members)."""
        return round(100 * self.young_members / self.member_count, 1) if self.member_count else 0.0

    @property
    def promise_lines(self):
        return [line.strip() for line in self.service_promises.splitlines() if line.strip()]

    @cached_property
    def leader_member(self):
        return next((m for m in self.members.all() if m.is_leader), None)

    def composition_checks(self, on_date=None, rules=None):
        return check_composition(list(self.members.all()), rules or CompositionRules(), on_date)


class PostPage(models.Model):
    """A post's public page as rendered in the portal's language (settings.LANGUAGE_CODE) from its row as last updated
    at `version` (Collective.updated_at), stored by the task worker once a change to what the page shows commits
    (apps/collectives/public.py): a visitor who opens it first reads this one row instead of rendering it. A page
    whose version is not the collective's updated_at is out of date and never served."""

    collective = models.OneToOneField(Collective, on_delete=models.CASCADE, primary_key=True, related_name="stored_page")
    version = models.DateTimeField()
    title = models.CharField(max_length=100)
    description = models.TextField()
    content = models.TextField()

    class Meta:
        verbose_name = _("stored post page")
        verbose_name_plural = _("stored post pages")

    def __str__(self):
        return self.title


class Member(models.Model):
    """A member of a collective. Name and birth date are personal data: staff-only, never public."""

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("full name"), max_length=50)
    birth_date = models.DateField(_("birth date"))
    position = models.CharField(_("position"), max_length=50)
    is_leader = models.BooleanField(_("号长"), default=False)

    class Meta:
        ordering = ["-is_leader", "pk"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["collective"], condition=models.Q(is_leader=True), name="one_leader_per_collective"
            )
        ]

    def __str__(self):
        return self.name


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the committee")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class ChangeRequest(models.Model):
    """A named collective's proposed change to its name, workplace unit or members: the collective keeps (and its
    public page shows) the approved values until its registering committee approves (domain.md §6). One request
    holds the whole change: the proposed name and unit, and the member list as rows (`member_rows`, read by
    member_changes.plan_saved_rows in `member_mode`; kept only while the request waits)."""

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="change_requests")
    status = models.CharField(_("status"), max_length=10, choices=ChangeStatus, default=ChangeStatus.PENDING)
    name = models.CharField(_("proposed name"), max_length=100)
    workplace_unit = models.CharField(_("proposed workplace unit"), max_length=100)
    member_rows = models.TextField(_("proposed members"), blank=True)
    member_mode = models.CharField(max_length=10, blank=True)
    changes_members = models.BooleanField(_("changes the members"), default=False)
    # Whether the members after the change would fail the size, youth or 号长 rules: the committee sees it first.
    breaks_rules = models.BooleanField(_("outside the rules"), default=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        constraints = [
            models.UniqueConstraint(
                fields=["collective"], condition=models.Q(status="pending"), name="one_pending_change_per_collective"
            )
        ]
        indexes = [models.Index(fields=["status", "requested_at", "id"], name="change_request_queue_idx")]

    def __str__(self):
        return self.collective.name

    @property
    def changes_profile(self):
        return (self.name, self.workplace_unit) != (self.collective.name, self.collective.workplace_unit)


# What the 号长 confirms each time they register or change members' data (PIPL Art. 13–14, 17): shown beside the
# checkbox and kept word for word with every consent recorded.
MEMBER_DATA_STATEMENT = _(
    "The members listed were told what the portal keeps about them (name, birth date, position), why and for how long, "
    "as the privacy notice says, and agreed that I register it."
)


class ConsentChannel(models.TextChoices):
    MEMBERS_PAGE = "members_page", _("Members page")
    COLLECTIVE_FORM = "collective_form", _("Collective form")


class MemberDataConsent(models.Model):
    """The 号长's statement that the members agreed to the registration of their data: who, when, where, and the
    words confirmed. One per save that registers or changes members' data, in the transaction of that save."""

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="member_data_consents")
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    given_at = models.DateTimeField(_("at"), auto_now_add=True)
    channel = models.CharField(_("where"), max_length=20, choices=ConsentChannel)
    statement = models.TextField(_("statement confirmed"))

    class Meta:
        ordering = ["-given_at", "-pk"]
        verbose_name = _("consent to the members' data")
        verbose_name_plural = _("consents to the members' data")

    @classmethod
    def give(cls, collective, user, channel):
        return cls.objects.create(collective=collective, given_by=user, channel=channel, statement=str(MEMBER_DATA_STATEMENT))


class NodeStatusCount(models.Model):
    """How many collectives a committee registers in each status: the queue's tab counts without reading them all.

    Kept exact by database triggers on the collectives table (migration 0006), in the transaction of the write
    itself, so every path that changes a status — the workflow, imports, bulk updates, deletes — counts alike.
    `manage.py rebuild_status_counts` recounts from scratch.
    """

    node = models.ForeignKey("organizations.Node", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    status = models.CharField(max_length=12, choices=Status)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "status"], name="unique_node_status_count")]

    @classmethod
    def in_scope(cls, scope, action):
        """{status: number of collectives} over the nodes the scope covers for `action`."""
        rows = scope.filter(cls.objects.all(), action, "node").values("status").annotate(total=models.Sum("count"))
        return {row["status"]: row["total"] for row in rows}


class NodeListedCount(models.Model):
    """How many collectives a committee registers on the public lists (`listed`: CollectiveQuerySet.public) and,
    of those, how many hold a title (`named`: CollectiveQuerySet.named): the home page's figures without counting
    the collectives. Kept exact by database triggers on the collectives table (listed_counts.py, migration 0010);
    `manage.py rebuild_status_counts` recounts them with the status counts."""

    node = models.OneToOneField("organizations.Node", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    listed = models.IntegerField(default=0)
    named = models.IntegerField(default=0)

    @classmethod
    def totals(cls):
        """{"listed": n, "named": n} over the whole country, in one query."""
        return cls.objects.aggregate(listed=models.Sum("listed", default=0), named=models.Sum("named", default=0))
