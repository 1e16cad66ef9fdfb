from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.collectives.models import Collective
from apps.collectives.rules import CompositionRules
from apps.organizations.enums import Level
from apps.organizations.models import Node

from .enums import STAR_GRADES, AppStatus, HonorStatus, InspectionStatus, ObjectionStatus, RoundKind, RoundStage
from .titles import honor_title
from .uploads import EXTENSIONS

LEVEL_ORDER = [Level.COUNTY, Level.CITY, Level.PROVINCIAL, Level.NATIONAL]


def level_below(level):
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index - 1] if index else None


class Round(models.Model):
    """One naming round (认定批次) of a committee, with every rule of domain.md §3–5 as a setting; or a creation
    registration round (创建备案) of the two-year cycle, whose window (the application dates) collectives file in."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("committee"))
    title = models.CharField(_("title"), max_length=120, help_text=_("e.g. 2026年度省级青年文明号认定"))
    year = models.PositiveSmallIntegerField(_("year"))
    edition = models.PositiveSmallIntegerField(_("edition (届)"), null=True, blank=True)
    has_stars = models.BooleanField(_("graded by stars"), default=False)
    stage = models.CharField(_("stage"), max_length=10, choices=RoundStage, default=RoundStage.DRAFT)

    kind = models.CharField(_("kind of round"), max_length=8, choices=RoundKind, default=RoundKind.NAMING)
    filing_round = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="naming_rounds",
        limit_choices_to={"kind": RoundKind.FILING},
        verbose_name=_("creation registration round (创建备案)"),
        help_text=_("Only collectives filed in it (or specially recommended) may apply. Empty: no filing required."),
    )
    application_opens = models.DateField(_("applications open"))
    application_closes = models.DateField(_("applications close"))
    # Recommendation goes committee by committee; parents see which committee below still holds applications after it.
    recommendation_closes = models.DateField(
        _("recommendations close"),
        null=True,
        blank=True,
        help_text=_("Every committee below recommends by this day. Empty: no deadline."),
    )
    # A date of its own, not the closing date: extending the window must not change eligibility already computed.
    reference_date = models.DateField(
        _("reference date"),
        blank=True,
        help_text=_("Ages and 12-month periods are computed on this day. Empty: the day applications close."),
    )
    quota = models.PositiveIntegerField(_("quota"), validators=[MinValueValidator(1)])
    special_quota = models.PositiveIntegerField(
        _("special recommendations (特别推荐)"),
        default=0,
        help_text=_("How many collectives the committees may recommend specially. 0: none."),
    )
    notice_working_days = models.PositiveSmallIntegerField(
        _("notice period (working days)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    holidays = models.TextField(
        _("public holidays"), blank=True, help_text=_("Dates skipped by the notice period, one per line (YYYY-MM-DD).")
    )

    members_min = models.PositiveSmallIntegerField(_("minimum members"), default=6)
    members_max = models.PositiveSmallIntegerField(_("maximum members"), default=200)
    youth_age = models.PositiveSmallIntegerField(_("youth age limit"), default=35)
    youth_share_percent = models.PositiveSmallIntegerField(
        _("minimum youth share (%)"), default=50, validators=[MaxValueValidator(100)]
    )
    leader_max_age = models.PositiveSmallIntegerField(_("号长 maximum age"), default=40)
    aspiring_months = models.PositiveSmallIntegerField(_("months as aspiring collective"), default=12)
    lower_level_years = models.PositiveSmallIntegerField(
        _("years holding the level below"), default=0, help_text=_("0: the level below is not required.")
    )
    revocation_bar_years = models.PositiveSmallIntegerField(_("years barred after a revocation"), default=2)
    complaint_bar_months = models.PositiveSmallIntegerField(
        _("months barred after an upheld complaint"), default=12, help_text=_("0: upheld complaints do not bar.")
    )
    min_recent_reports = models.PositiveSmallIntegerField(
        _("activity reports in the last 12 months"), default=2, help_text=_("0: no activity reports required.")
    )
    # Settings of rules added later, declared with their form field in eligibility.RULES: a new rule needs no column.
    rule_settings = models.JSONField(_("further eligibility settings"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-application_opens", "-pk"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("evaluations:round_detail", args=[self.pk])

    @property
    def level(self):
        return self.node.level

    def save(self, *args, **kwargs):
        if self.reference_date is None:
            self.reference_date = self.application_closes
        super().save(*args, **kwargs)

    def composition_rules(self):
        return CompositionRules(
            members_min=self.members_min,
            members_max=self.members_max,
            youth_age=self.youth_age,
            youth_share_percent=self.youth_share_percent,
            leader_max_age=self.leader_max_age,
        )

    def holiday_dates(self):
        dates = set()
        for line in self.holidays.split():
            try:
                dates.add(date.fromisoformat(line.strip()))
            except ValueError:
                continue  # The form rejects bad lines; old data never breaks a page.
        return dates

    def accepts_applications(self, today=None):
        today = today or timezone.localdate()
        return self.stage == RoundStage.OPEN and self.application_opens <= today <= self.application_closes

    @property
    def is_filing(self):
        return self.kind == RoundKind.FILING

    def accepts_creation_registration(self, today=None):
        """A filing round takes creation registrations while filing is open, within its window."""
        today = today or timezone.localdate()
        return self.is_filing and self.stage == RoundStage.FILING and self.application_opens <= today <= self.application_closes

    @property
    def rubric_total(self):
        return sum(item.max_points for item in self.rubric_items.all())


class RubricItem(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="rubric_items")
    name = models.CharField(_("item"), max_length=60)
    max_points = models.PositiveSmallIntegerField(_("maximum points"), validators=[MinValueValidator(1)])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("rubric item")
        verbose_name_plural = _("rubric items")

    def __str__(self):
        return f"{self.name} ({self.max_points})"


class RoundQuota(models.Model):
    """A share of the round's quota for one child committee or industry unit (总量控制)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="quotas")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("committee"))
    quota = models.PositiveIntegerField(_("quota"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "node"], name="unique_round_quota")]


class CreationRegistration(models.Model):
    """A collective's creation registration (创建备案) in a filing round: the naming rounds linked to it accept it."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="creation_registrations")
    collective = models.ForeignKey(Collective, on_delete=models.CASCADE, related_name="creation_registrations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "collective"], name="unique_creation_registration")]


class ApplicationQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related(
            "round__node", "collective__region__parent", "collective__industry", "collective__registering_node", "current_node"
        )


class Application(models.Model):
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="applications", verbose_name=_("round"))
    collective = models.ForeignKey(
        Collective, on_delete=models.PROTECT, related_name="applications", verbose_name=_("collective")
    )
    status = models.CharField(_("status"), max_length=14, choices=AppStatus, default=AppStatus.DRAFT)
    current_node = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="waiting_applications",
        verbose_name=_("waiting on"),
    )
    # The collective's registering committee, copied when the application is made (a registered collective keeps
    # its committee; evaluations.signals follows one that moves): the staff queue scopes by this indexed column
    # instead of testing every application's collective against the tens of thousands of a province.
    registering_node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", editable=False)
    deeds = models.TextField(_("deeds (事迹材料)"), blank=True)
    # A special recommendation (特别推荐): the committee that made it, outside the normal path, and its reason.
    special_by = models.ForeignKey(
        Node, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("specially recommended by")
    )
    special_reason = models.TextField(_("reason for the special recommendation"), blank=True)
    self_assessment = models.JSONField(_("self-assessment"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    proposed = models.BooleanField(_("on the proposed list"), default=False)
    star_grade = models.PositiveSmallIntegerField(_("star grade"), choices=STAR_GRADES, null=True, blank=True)
    # The experts' reviews in figures, kept by the review steps of the workflow (selection.refresh_scores) so the
    # score table sorts and counts a round of 8,000 applications without aggregating 24,000 reviews per request.
    score_mean = models.FloatField(null=True, blank=True)  # mean of the submitted totals
    score_variance = models.FloatField(null=True, blank=True)  # their variance (the spread is its square root)
    scores_submitted = models.PositiveIntegerField(default=0)
    reviews_open = models.PositiveIntegerField(default=0)  # assigned, neither scored nor declared a conflict
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [models.UniqueConstraint(fields=["round", "collective"], name="one_application_per_round")]
        indexes = [
            models.Index(fields=["current_node", "status"], name="application_queue_idx"),
            models.Index(fields=["round", "status"], name="application_round_idx"),
            # The staff queue's sort orders, read from either end (the paginator reads the back half backwards).
            models.Index(fields=["updated_at", "id"], name="application_updated_idx"),
            models.Index(fields=["status", "updated_at", "id"], name="application_status_updated_idx"),
            models.Index(fields=["round", "id"], name="application_round_order_idx"),
        ]

    def save(self, *args, **kwargs):
        if self.registering_node_id is None:
            self.registering_node_id = self.collective.registering_node_id
        super().save(*args, **kwargs)

    def __str__(self):
        # Marked wherever an application is named, the bulk decisions' confirmation and result pages included.
        special = f"（{_('Special recommendation')}）" if self.special_by_id else ""
        return f"{self.collective} · {self.round}{special}"

    @property
    def is_special(self):
        return self.special_by_id is not None


def attachment_path(attachment, filename):
    # Random names: the original name is kept in the row, never trusted as a path.
    return f"applications/{attachment.application_id}/{timezone.now():%Y%m%d%H%M%S%f}.{attachment.extension}"


class Attachment(models.Model):
    """A PDF or image filed with an application; stored under MEDIA_ROOT, served only through a checked view."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    @property
    def extension(self):
        return EXTENSIONS[self.content_type]

    @classmethod
    def store(cls, application, upload, content_type):
        """Keep an upload already checked by uploads.validate_upload (its content type) with the application."""
        attachment = cls(application=application, original_name=upload.name[:200], content_type=content_type, size=upload.size)
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        return attachment


class Recommendation(models.Model):
    """One node's decision on an application on its way up the tree."""

    class Decision(models.TextChoices):
        RECOMMEND = "recommend", _("Recommended")
        RETURN = "return", _("Returned for revision")
        DECLINE = "decline", _("Not recommended")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="recommendations")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    comment = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class ReviewAssignment(models.Model):
    """An expert reviewer's assignment to score one application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments")
    scores = models.JSONField(default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    conflict_declared = models.BooleanField(default=False)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    score_total = models.FloatField(null=True, blank=True)  # the sum of `scores`, set when submitted
    # The application's round, copied: the experts' workload of a round is counted on this table alone.
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+", null=True, editable=False)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["application", "expert"], name="one_assignment_per_expert")]
        indexes = [models.Index(fields=["round", "expert"], name="assignment_round_expert_idx")]

    def save(self, *args, **kwargs):
        if self.round_id is None:
            self.round_id = self.application.round_id
        if self.submitted_at and self.score_total is None:
            self.score_total = sum(self.scores.values())
        super().save(*args, **kwargs)

    @property
    def total(self):
        return sum(self.scores.values()) if self.submitted_at else None


class Inspection(models.Model):
    """An on-site inspection (现场考核) of an application: a team named by the round's committee visits the
    collective, its lead records the findings and a score, and the committee concludes (workflow.INSPECTION_STEPS)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="inspections")
    status = models.CharField(_("status"), max_length=12, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED)
    planned_on = models.DateField(_("planned for"))
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="inspections", verbose_name=_("inspection team"))
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("team lead"))
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(100)], help_text=_("Out of 100.")
    )
    conclusion = models.TextField(_("conclusion"), blank=True)
    # The committee's finding that the collective must rectify; ordering the rectification itself is the
    # re-checks app's step, taken from this record.
    rectification_needed = models.BooleanField(_("rectification needed"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("planned by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["planned_on", "pk"]

    def __str__(self):
        return str(_("On-site inspection of %(name)s") % {"name": self.application.collective.name})

    def get_absolute_url(self):
        return reverse("evaluations:inspection_detail", args=[self.pk])

    @property
    def round(self):
        """The round whose stage the inspection's steps check."""
        return self.application.round


class NoticeQuerySet(models.QuerySet):
    def listed(self):
        """What a list of notices shows (dates, the round's title, its committee's name), current first. Only these
        columns: selecting the round's and the committee's every column made building the statement cost more than
        the rest of the home page."""
        return self.select_related("round__node").only("opens_on", "closes_on", "round__title", "round__node__name").current_first()

    def current_first(self, today=None):
        """Notices still open (or about to open) first, the soonest to close first; then past ones, newest first."""
        today = today or timezone.localdate()
        current = models.Case(models.When(closes_on__gte=today, then=models.Value(0)), default=models.Value(1))
        return self.annotate(past=current).order_by(
            "past", models.Case(models.When(closes_on__gte=today, then="closes_on")), "-opens_on", "-pk"
        )


class Notice(models.Model):
    """The public notice (公示) of a round's proposed list."""

    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="notice")
    opens_on = models.DateField(_("notice opens"))
    closes_on = models.DateField(_("notice closes"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(auto_now_add=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-pk"]

    def get_absolute_url(self):
        return reverse("evaluations:notice", args=[self.pk])

    def is_open(self, today=None):
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on


def evidence_path(objection, filename):
    return f"objections/{timezone.now():%Y%m%d%H%M%S%f}.{objection.evidence_extension}"


class Objection(models.Model):
    """An objection (异议) to one entry of a notice. The contact is for staff only, never shown publicly."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="objections")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="objections")
    name = models.CharField(_("your name (optional)"), max_length=50, blank=True)
    contact = models.CharField(_("phone or email"), max_length=100)
    text = models.TextField(_("objection"))
    evidence = models.FileField(upload_to=evidence_path, blank=True)
    evidence_extension = models.CharField(max_length=4, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ObjectionStatus, default=ObjectionStatus.OPEN)
    resolution = models.TextField(_("reason"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["notice", "status"], name="objection_status_idx")]


class HonorQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(status=HonorStatus.NAMED)


class Honor(models.Model):
    """A title held by a collective, kept (even when revoked) as history.

    Either named through the portal (its round and application set) or imported: a historical title named before
    the portal existed, known by its naming committee, year and decision reference (文号), with who imported it and
    when. An imported title has no round or application, never an invented one.
    """

    collective = models.ForeignKey(Collective, on_delete=models.PROTECT, related_name="honors")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="honors", null=True, blank=True)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="honor", null=True, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=Level)
    star_grade = models.PositiveSmallIntegerField(_("star grade"), choices=STAR_GRADES, null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    edition = models.PositiveSmallIntegerField(_("edition (届)"), null=True, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=30, unique=True)
    named_on = models.DateField(_("named on"))
    named_by = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("named by"))
    decision_reference = models.CharField(
        _("naming decision reference (文号)"), max_length=100, blank=True, help_text=_("e.g. 团安委联〔2019〕12号")
    )
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True, editable=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("imported by"),
    )
    status = models.CharField(_("status"), max_length=10, choices=HonorStatus, default=HonorStatus.NAMED)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    revocation_reference = models.CharField(_("decision reference"), max_length=100, blank=True)

    objects = HonorQuerySet.as_manager()

    class Meta:
        ordering = ["-named_on", "-pk"]
        verbose_name = _("honor")
        verbose_name_plural = _("honors")
        indexes = [models.Index(fields=["collective", "status"], name="honor_collective_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(round__isnull=False, application__isnull=False, imported_at__isnull=True)
                | (models.Q(round__isnull=True, application__isnull=True, imported_at__isnull=False) & ~models.Q(decision_reference="")),
                name="honor_named_or_imported",
                violation_error_message=_(
                    "A title is either named through a round and an application, or imported with its decision reference."
                ),
            )
        ]

    def __str__(self):
        return f"{self.title} · {self.certificate_number}"

    @property
    def is_historical(self):
        """Named before the portal existed and imported; it has no portal certificate."""
        return self.round_id is None

    def get_absolute_url(self):
        return reverse("evaluations:verify", args=[self.certificate_number])

    @property
    def title(self):
        return honor_title(self.level, self.star_grade, self.edition)
