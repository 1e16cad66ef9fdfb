from django.conf import settings
from django.core.validators import RegexValidator
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from .enums import Level, NodeKind, Role

NATIONAL_REGION = "100000"  # Not a GB/T 2260 code: the whole country, the national committee's region.
region_code_validator = RegexValidator(r"^\d{6}$", _("A region code has exactly six digits (GB/T 2260)."))


class Region(models.Model):
    """An administrative division by its GB/T 2260 code; 100000 stands for the whole country."""

    code = models.CharField(_("region code"), max_length=6, primary_key=True, validators=[region_code_validator])
    name = models.CharField(_("name"), max_length=50)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    @property
    def code_prefix(self):
        """The part of the code that every region inside this one shares (GB/T 2260 is positional)."""
        if self.code == NATIONAL_REGION:
            return ""
        if self.code.endswith("0000"):
            return self.code[:2]
        if self.code.endswith("00"):
            return self.code[:4]
        return self.code


class Industry(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self):
        return self.name


class Node(MP_Node):
    """A league committee (团委 and its 组委会) or an industry member unit, in one tree.

    The materialized path makes "everything below this node" a prefix match, which is how
    every list in the portal is scoped.
    """

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=Level)
    kind = models.CharField(_("kind"), max_length=12, choices=NodeKind, default=NodeKind.LEAGUE_COMMITTEE)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="nodes", verbose_name=_("region"))
    industry = models.ForeignKey(
        Industry, on_delete=models.PROTECT, null=True, blank=True, related_name="nodes", verbose_name=_("industry")
    )
    is_active = models.BooleanField(_("active"), default=True)
    contact_phone = models.CharField(
        _("public contact phone"),
        max_length=40,
        blank=True,
        help_text=_("The office phone of the committee's 组委会办公室, shown to the public, e.g. where a certificate cannot be verified."),
    )

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="unique_node_name_in_region")]

    def __str__(self):
        return self.name

    @property
    def is_industry_unit(self):
        return self.kind == NodeKind.INDUSTRY_UNIT

    @classmethod
    def registering_nodes(cls):
        """Where a collective may register: a league committee with no league committee below it (a county's, a
        municipality's district's, a prefecture without counties such as 东莞市) or any industry unit."""
        committee_below = cls.objects.filter(
            kind=NodeKind.LEAGUE_COMMITTEE,
            depth=models.OuterRef("depth") + 1,
            # The children's paths, as a range the path index serves: the parent's path plus one step.
            path__gt=models.OuterRef("path"),
            path__lt=Concat(models.OuterRef("path"), models.Value(cls.alphabet[-1] * (cls.steplen + 1))),
        )
        registering = models.Q(kind=NodeKind.INDUSTRY_UNIT) | models.Q(
            ~models.Exists(committee_below), kind=NodeKind.LEAGUE_COMMITTEE
        )
        return cls.objects.filter(registering, is_active=True).order_by("path")

    @classmethod
    def registering_nodes_for(cls, region):
        """The registering nodes that cover `region`: its own league committee (when it receives registrations)
        and the industry units of that committee and of every committee above it."""
        path = cls.objects.filter(region=region, kind=NodeKind.LEAGUE_COMMITTEE).values_list("path", flat=True).first()
        if path is None:
            return cls.objects.none()
        ancestors = [path[:end] for end in range(cls.steplen, len(path) + 1, cls.steplen)]
        units_below = models.Q()
        for ancestor in ancestors:
            units_below |= models.Q(path__startswith=ancestor, depth=len(ancestor) // cls.steplen + 1)
        covering = models.Q(kind=NodeKind.LEAGUE_COMMITTEE, path=path) | (models.Q(kind=NodeKind.INDUSTRY_UNIT) & units_below)
        return cls.registering_nodes().filter(covering)

    def subtree_q(self, prefix=""):
        """A Q object matching this node and every node below it (`prefix` is the path to a Node field)."""
        return models.Q(**{f"{prefix}path__startswith": self.path})


class MembershipQuerySet(models.QuerySet):
    def current(self):
        """Memberships that still count: an ended one is kept for its history and grants nothing."""
        return self.filter(ended_at__isnull=True)

    def staff_of(self, nodes, action):
        """{node id: [users]} of the current staff of `nodes` whose role allows `action`, in one query."""
        from .enums import roles_allowed

        found = {}
        rows = self.current().filter(node__in=nodes, role__in=roles_allowed(action)).select_related("user").order_by("pk")
        for membership in rows:
            found.setdefault(membership.node_id, []).append(membership.user)
        return found

    def staff_at(self, node, action):
        """The current staff of this one node whose role allows `action`: whom a step there notifies."""
        return self.staff_of([node], action).get(node.pk, [])


class Membership(models.Model):
    """A staff member acting for one node with one role; a person may hold several.

    Ending a membership keeps the row (who ended it, when, why); every reader asks for `current()` ones.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("committee"))
    role = models.CharField(_("role"), max_length=12, choices=Role)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("granted by")
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ended by")
    )
    end_reason = models.TextField(_("reason for ending"), blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "node", "role"], condition=models.Q(ended_at__isnull=True), name="unique_current_membership"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.node} · {self.get_role_display()}"

    @property
    def is_current(self):
        return self.ended_at is None


class NumberSequence(models.Model):
    """Yearly counters behind registration and certificate numbers, one per key (e.g. a region code)."""

    key = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "year"], name="unique_sequence")]

    @classmethod
    def next_value(cls, key, year):
        """Return the next serial; the row lock makes concurrent callers wait, so no number repeats."""
        with transaction.atomic():
            try:
                with transaction.atomic():
                    cls.objects.get_or_create(key=key, year=year)
            except IntegrityError:
                pass  # Another transaction created the row first; lock it below.
            sequence = cls.objects.select_for_update().get(key=key, year=year)
            sequence.last_value += 1
            sequence.save(update_fields=["last_value"])
            return sequence.last_value
