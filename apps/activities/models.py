from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.collectives.models import Collective, Member
from apps.organizations.models import Industry, Node, Region

EDIT_DAYS = 30
MAX_PHOTOS = 9
MAX_HOURS_PER_PERSON = Decimal(24)
DEFAULT_POINTS_PER_HOUR = 25


class ReportKind(models.TextChoices):
    STUDY = "study", _("Study and education")
    VOLUNTEER = "volunteer", _("Volunteer service")
    PUBLIC_SERVICE = "public_service", _("Service to the public")
    SKILLS = "skills", _("Skills contest")
    INNOVATION = "innovation", _("Innovation")
    OPEN_WEEK = "open_week", _("Open week")
    CULTURE = "culture", _("Cultural work")
    OTHER = "other", _("Other")

    @classmethod
    def with_hours(cls):
        """Kinds whose reports list volunteer hours per member (seed 004)."""
        return [cls.VOLUNTEER, cls.PUBLIC_SERVICE]


class HoursCheck(models.TextChoices):
    """Staff review of volunteer hours above what one person can plausibly serve (workflow.HOURS_CHECK)."""

    NONE = "", _("Not needed")
    FLAGGED = "flagged", _("To be verified")
    EVIDENCE = "evidence", _("Evidence requested")
    CONFIRMED = "confirmed", _("Verified")
    REJECTED = "rejected", _("Not recognised")

    @classmethod
    def open(cls):
        return [cls.FLAGGED, cls.EVIDENCE]


class CampaignQuerySet(models.QuerySet):
    def active_for(self, collectives, today=None):
        """{collective id: active campaigns of its committees (its registering node and every node above)}, in one query."""
        ancestor_paths = {c.pk: _ancestor_paths(c.registering_node.path) for c in collectives}
        today = today or timezone.localdate()
        campaigns = list(
            self.filter(
                node__path__in=set().union(*ancestor_paths.values()), starts_on__lte=today, ends_on__gte=today
            ).select_related("node")
        )
        return {
            c.pk: [
                campaign
                for campaign in campaigns
                if campaign.node.path in ancestor_paths[c.pk] and (campaign.includes_aspiring or c.honor_level)
            ]
            for c in collectives
        }

    def for_collective(self, collective, today=None):
        """The same as a queryset, for a form's choices."""
        active = self.active_for([collective], today)[collective.pk]
        return self.filter(pk__in=[campaign.pk for campaign in active]).select_related("node")


def _ancestor_paths(path):
    return {path[:end] for end in range(Node.steplen, len(path) + 1, Node.steplen)}


class Campaign(models.Model):
    """A themed campaign (主题活动) a committee launches for the collectives of its subtree."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("committee"))
    title = models.CharField(_("title"), max_length=120, help_text=_("e.g. 2026年青年文明号开放周"))
    theme = models.CharField(_("theme"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    action_starts_on = models.DateField(_("unified action from"), null=True, blank=True)
    action_ends_on = models.DateField(_("unified action until"), null=True, blank=True)
    report_kinds = models.JSONField(_("report kinds asked for"), default=list)
    includes_aspiring = models.BooleanField(_("aspiring collectives take part"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("activities:campaign_detail", args=[self.pk])

    def is_active(self, today=None):
        today = today or timezone.localdate()
        return self.starts_on <= today <= self.ends_on

    def kind_labels(self):
        return [ReportKind(kind).label for kind in self.report_kinds if kind in ReportKind.values]


class ReportQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True, flagged=False)

    def in_subtree(self, node):
        return self.filter(node_path__startswith=node.path)


class ActivityReport(models.Model):
    """One activity a collective reports. The node path, region and industry are copied from the collective
    when the report is filed, so that roll-ups group and filter on the report table alone."""

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="reports")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports", verbose_name=_("campaign")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReportKind)
    title = models.CharField(_("title"), max_length=120)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=120)
    participants = models.PositiveIntegerField(_("participants"), validators=[MaxValueValidator(100_000)])
    beneficiaries = models.PositiveIntegerField(_("people served"), default=0, validators=[MaxValueValidator(10_000_000)])
    narrative = models.TextField(_("what was done"))
    video_url = models.URLField(_("video link (optional)"), blank=True)
    is_public = models.BooleanField(_("show on the public page"), default=True)
    # The sums of the report's VolunteerHours rows, recounted in the transaction that changes them.
    volunteer_hours = models.DecimalField(max_digits=9, decimal_places=1, default=0, editable=False)
    volunteer_points = models.DecimalField(max_digits=11, decimal_places=1, default=0, editable=False)
    hours_check = models.CharField(_("hours check"), max_length=10, choices=HoursCheck, blank=True, default=HoursCheck.NONE)
    hours_check_reason = models.TextField(_("why the hours are checked"), blank=True)
    flagged = models.BooleanField(_("flagged as inappropriate"), default=False)
    flag_reason = models.TextField(_("reason"), blank=True)
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    node_path = models.CharField(max_length=255, editable=False)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", editable=False)
    industry = models.ForeignKey(Industry, on_delete=models.PROTECT, related_name="+", editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("activity report")
        verbose_name_plural = _("activity reports")
        indexes = [
            # varchar_pattern_ops: node_path__startswith (LIKE 'prefix%') can use a b-tree index only with
            # this operator class unless the database collation is "C".
            models.Index(fields=["node_path", "held_on"], name="report_rollup_idx", opclasses=["varchar_pattern_ops", "date_ops"]),
            models.Index(fields=["campaign", "node_path"], name="report_campaign_idx", opclasses=["int8_ops", "varchar_pattern_ops"]),
            models.Index(fields=["collective", "-held_on"], name="report_collective_idx"),
            # The staff list, newest first: its first pages read a few rows of this index whatever the scope.
            models.Index(fields=["-held_on", "-id"], name="report_recent_idx"),
            models.Index(fields=["campaign", "collective"], name="report_participation_idx"),
            # The few reports whose hours staff verify, among millions.
            models.Index(fields=["hours_check"], name="report_hours_check_idx", condition=~models.Q(hours_check="")),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("activities:public_report", args=[self.collective_id, self.pk])

    def copy_place_from(self, collective):
        self.node_path = collective.registering_node.path
        self.region_id = collective.region_id
        self.industry_id = collective.industry_id

    def editable_until(self):
        return (self.created_at or timezone.now()) + timezone.timedelta(days=EDIT_DAYS)

    @property
    def has_hours(self):
        return self.kind in ReportKind.with_hours()


def photo_path(photo, filename):
    return f"reports/{photo.report_id}/{timezone.now():%Y%m%d%H%M%S%f}.jpg"


def thumbnail_path(photo, filename):
    return f"reports/{photo.report_id}/thumbs/{timezone.now():%Y%m%d%H%M%S%f}.jpg"


class ReportPhoto(models.Model):
    """A photo, re-encoded without its EXIF data (no location), with a thumbnail made once at upload."""

    report = models.ForeignKey(ActivityReport, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=photo_path)
    thumbnail = models.ImageField(upload_to=thumbnail_path)

    class Meta:
        ordering = ["pk"]


class VolunteerHours(models.Model):
    """Hours one member served in one volunteer-service report, and the points they earn at the rate in force on the
    day of the service (fixed when recorded: a later rate never rewrites them).

    Removing a member from the collective keeps their hours: the row stays, anonymised (no member), so the report's
    and the collective's totals keep equal to their rows and the service history stays true (民政部令第67号).
    """

    report = models.ForeignKey(ActivityReport, on_delete=models.CASCADE, related_name="hours")
    member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="volunteer_hours", verbose_name=_("member")
    )
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(MAX_HOURS_PER_PERSON)]
    )
    points = models.DecimalField(_("points"), max_digits=9, decimal_places=1, default=0, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "member"], name="one_entry_per_member")]


class PointsRule(models.Model):
    """Volunteer points per hour from a day on, set by the national committee (seed 004: 25 points an hour).

    A service earns the points of the rate in force on its day; a new rate applies from its day on and leaves the
    points already earned before it as they were."""

    points_per_hour = models.PositiveSmallIntegerField(_("points per volunteer hour"), default=DEFAULT_POINTS_PER_HOUR)
    effective_from = models.DateField(_("in force from"), default=date(2000, 1, 1))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-effective_from", "-pk"]
        verbose_name = _("volunteer points rule")

    @classmethod
    def rate_on(cls, day):
        rule = cls.objects.filter(effective_from__lte=day).first()
        return rule.points_per_hour if rule else DEFAULT_POINTS_PER_HOUR

    @classmethod
    def current(cls):
        return cls.rate_on(timezone.localdate())


class ReportAuthorisation(models.Model):
    """A user the 号长 allows to file reports for the collective."""

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="report_authorisations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_authorisations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["collective", "user"], name="unique_report_authorisation")]


class AnnualSummary(models.Model):
    """A named collective's yearly summary, shown with the year's computed totals."""

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="annual_summaries")
    year = models.PositiveSmallIntegerField(_("year"))
    narrative = models.TextField(_("summary"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["collective", "year"], name="one_summary_per_year")]


class ReportFigures(models.Model):
    """The sums a roll-up shows (rollups.TOTALS), kept per group of reports by the triggers of report_totals.py.

    The references of these tables have no constraint (the triggers write them from rows that exist) and no index of
    their own: the unique constraints' indexes serve every lookup, and the triggers write fewer indexes."""

    activities = models.IntegerField(default=0)
    participants = models.BigIntegerField(default=0)
    beneficiaries = models.BigIntegerField(default=0)
    volunteer_services = models.IntegerField(default=0)
    volunteer_hours = models.DecimalField(max_digits=14, decimal_places=1, default=0)
    volunteer_points = models.DecimalField(max_digits=16, decimal_places=1, default=0)

    class Meta:
        abstract = True


class MonthlyTotal(ReportFigures):
    """The reports held in a month in an industry by the collectives of a committee's subtree (`path` is the
    committee's tree path: each report counts at its own node and at every node above it)."""

    path = models.CharField(max_length=255)
    industry = models.ForeignKey(Industry, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    month = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["path", "industry", "month"], name="unique_monthly_total")]


class CampaignTotal(ReportFigures):
    """The reports on a campaign in an industry by the collectives of a committee's subtree."""

    campaign = models.ForeignKey(Campaign, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    path = models.CharField(max_length=255)
    industry = models.ForeignKey(Industry, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "path", "industry"], name="unique_campaign_total")]


class VolunteerYear(models.Model):
    """A collective's volunteer services (reports of the kinds with hours) in a calendar year, under the committee
    path its reports carry: the ranking of a year reads these rows in order instead of summing the reports."""

    collective = models.ForeignKey(Collective, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    path = models.CharField(max_length=255)
    year = models.SmallIntegerField()
    services = models.IntegerField(default=0)
    hours = models.DecimalField(max_digits=12, decimal_places=1, default=0)
    points = models.DecimalField(max_digits=14, decimal_places=1, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["collective", "path", "year"], name="unique_volunteer_year")]
        indexes = [
            # The rows of collectives with services (a report deleted leaves its row at zero). The national ranking:
            # the year's rows in ranking order, the first page read off the index.
            models.Index(fields=["year", "-hours", "collective"], name="volunteer_year_rank_idx", condition=models.Q(services__gt=0)),
            # A committee's ranking: its subtree's rows of the year (pattern ops: path__startswith).
            models.Index(fields=["year", "path"], name="volunteer_year_path_idx", opclasses=["int2_ops", "varchar_pattern_ops"],
                condition=models.Q(services__gt=0),
            ),
        ]


class CampaignReporter(models.Model):
    """A collective that reported on a campaign, with how many reports, under the committee path of its reports: who
    has reported is read from these rows (one per collective) instead of the campaign's reports."""

    campaign = models.ForeignKey(Campaign, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    collective = models.ForeignKey(Collective, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="campaigns_reported")
    path = models.CharField(max_length=255)
    reports = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "collective"], name="unique_campaign_reporter")]
        indexes = [models.Index(fields=["campaign", "path"], name="campaign_reporter_path_idx", opclasses=["int8_ops", "varchar_pattern_ops"])]
