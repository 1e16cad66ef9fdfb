"""Whether a collective may apply in a round: every rule of domain.md §4 as a passed/failed check with its reason.

RULES is the registry: each rule names the round settings it reads, the facts it needs (loaded in bulk, for one
collective or for every collective of a page) and its check. The 号长's checklist, the /my/ workspace, submission
(`workflow.submit`), the round form and the round page's settings card all read it, so a new rule is one entry
here. A rule's setting is either a column of Round (the rules of domain.md §4) or a `Setting` declared with its form
field, kept in `Round.rule_settings`: a new rule needs no model field and no migration.
"""

from dataclasses import dataclass
from datetime import date
from typing import Callable

from django import forms
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.activities.models import ActivityReport
from apps.collectives.models import Member, Status
from apps.collectives.rules import Check, check_composition
from apps.complaints.models import Complaint, Warning

from .dates import shift_months
from .enums import HonorStatus
from .models import CreationRegistration, Honor, Round, level_below
from .titles import LEVEL_TITLES


@dataclass(frozen=True)
class Setting:
    """A round setting a rule reads. A name alone is a column of Round; a setting declared with its form field (and
    the default a round has until its admin changes it) is kept in Round.rule_settings."""

    name: str
    field: forms.Field | None = None
    default: object = None

    @property
    def is_column(self):
        return self.field is None

    @property
    def label(self):
        return Round._meta.get_field(self.name).verbose_name if self.is_column else self.field.label

    def value(self, round):
        if self.is_column:
            return getattr(round, self.name)
        stored = round.rule_settings.get(self.name)
        return self.default if stored is None else self.field.to_python(stored)


@dataclass(frozen=True)
class Rule:
    check: Callable  # (collective, round, fact) -> a Check or a list of Checks
    settings: tuple = ()  # Round column names or Settings: the round form's eligibility fields, the settings card
    facts: Callable | None = None  # (collectives, round) -> {collective pk: fact}, a query or two for all of them
    applies: Callable = lambda round: True  # a setting of 0 (or off) switches the rule off for the round
    relaxable: str = ""  # a round may relax it for special recommendations (特别推荐): what the round form calls it

    def checks(self, collective, round, facts, relaxed=False):
        fact = facts[self.facts][collective.pk] if self.facts else None
        result = self.check(collective, round, fact)
        checks = result if isinstance(result, list) else [result]
        return [_relaxed(check) for check in checks] if relaxed else checks


def _relaxed(check):
    """A rule the round relaxes for a special recommendation passes, and says so when it would have failed."""
    if check.passed:
        return check
    return Check(check.label, True, _("%(detail)s; relaxed for a special recommendation (特别推荐)") % {"detail": check.detail})


# Facts, each for many collectives at once ---------------------------------------------------------------------


def members(collectives, round):
    found = {c.pk: [] for c in collectives}
    for member in Member.objects.filter(collective__in=collectives).order_by("pk"):
        found[member.collective_id].append(member)
    return found


def honors(collectives, round):
    found = {c.pk: [] for c in collectives}
    for honor in Honor.objects.filter(collective__in=collectives):
        found[honor.collective_id].append(honor)
    return found


def _counts(queryset, collectives):
    counts = dict(queryset.filter(collective__in=collectives).values_list("collective_id").annotate(n=Count("pk")))
    return {c.pk: counts.get(c.pk, 0) for c in collectives}


def open_warnings(collectives, round):
    return _counts(Warning.objects.open(), collectives)


def upheld_complaints(collectives, round):
    since = shift_months(round.reference_date, -round.complaint_bar_months)
    return _counts(Complaint.objects.upheld().filter(closed_at__date__gt=since), collectives)


def recent_reports(collectives, round):
    """Activity reports held in the 12 months up to the reference date, hidden ones excluded."""
    reference = round.reference_date
    reports = ActivityReport.objects.filter(flagged=False, held_on__gt=shift_months(reference, -12), held_on__lte=reference)
    return _counts(reports, collectives)


def creation_registered(collectives, round):
    """Filed in the round's creation registration round (创建备案)."""
    registered = set(
        CreationRegistration.objects.filter(round=round.filing_round_id, collective__in=collectives).values_list(
            "collective_id", flat=True
        )
    )
    return {c.pk: c.pk in registered for c in collectives}


# Checks -----------------------------------------------------------------------------------------------------


def _in_scope(collective, round, fact):
    inside = collective.status == Status.REGISTERED and collective.registering_node.path.startswith(round.node.path)
    return Check(
        _("Registered aspiring collective under %(node)s") % {"node": round.node.name},
        inside,
        collective.registering_node.name if inside else _("Not a registered aspiring collective of this committee"),
    )


def _composition(collective, round, members):
    return check_composition(members, round.composition_rules(), round.reference_date)


def _aspiring_period(collective, round, fact):
    months = round.aspiring_months
    since = collective.registered_on
    passed = since is not None and shift_months(since, months) <= round.reference_date
    return Check(
        _("At least %(months)s months as an aspiring collective") % {"months": months},
        passed,
        _("Registered on %(date)s") % {"date": since.isoformat()} if since else _("Not registered yet"),
    )


def _promises(collective, round, fact):
    missing = []
    if not collective.promise_lines:
        missing.append(_("service promises"))
    if not collective.supervision_phone:
        missing.append(_("supervision phone"))
    if not collective.pledge_accepted_at:
        missing.append(_("credit pledge"))
    return Check(
        _("Promises, supervision phone and credit pledge published"),
        not missing,
        _("Missing: %(items)s") % {"items": "、".join(missing)} if missing else _("All published"),
    )


def _not_already_named(collective, round, honors):
    held = [h for h in honors if h.status == HonorStatus.NAMED and h.level == round.level]
    return Check(
        _("Does not already hold this level"),
        not held,
        _("Holds %(title)s since %(year)s") % {"title": held[0].title, "year": held[0].year} if held else _("Not held"),
    )


def _lower_level(collective, round, honors):
    lower = level_below(round.level)
    years = round.lower_level_years
    latest_start = shift_months(round.reference_date, -12 * years)
    held = [h for h in honors if h.status == HonorStatus.NAMED and h.level == lower]
    long_enough = [h for h in held if h.named_on <= latest_start]
    if long_enough:
        detail = _("Named on %(date)s") % {"date": long_enough[0].named_on.isoformat()}
    elif held:
        detail = _("Named on %(date)s: less than %(years)s years") % {"date": held[0].named_on.isoformat(), "years": years}
    else:
        detail = _("Not held")
    return Check(
        _("Has held the %(title)s for at least %(years)s years") % {"title": LEVEL_TITLES[lower], "years": years},
        bool(long_enough),
        detail,
    )


def _no_recent_revocation(collective, round, honors):
    years = round.revocation_bar_years
    since = shift_months(round.reference_date, -12 * years)
    revoked = [h for h in honors if h.status == HonorStatus.REVOKED and h.revoked_on and h.revoked_on > since]
    return Check(
        _("No title revoked in the last %(years)s years") % {"years": years},
        not revoked,
        _("Revoked on %(date)s") % {"date": revoked[0].revoked_on.isoformat()} if revoked else _("None"),
    )


def _no_open_warning(collective, round, count):
    return Check(
        _("No open warning or rectification"),
        not count,
        _("%(count)s open") % {"count": count} if count else _("None"),
    )


def _no_upheld_complaint(collective, round, count):
    return Check(
        _("No complaint upheld in the last %(months)s months") % {"months": round.complaint_bar_months},
        not count,
        _("%(count)s upheld") % {"count": count} if count else _("None"),
    )


def _recent_reports(collective, round, count):
    return Check(
        _("At least %(count)s activity reports in the last 12 months") % {"count": round.min_recent_reports},
        count >= round.min_recent_reports,
        _("%(count)s reports filed") % {"count": count},
    )


def _creation_registration(collective, round, registered):
    return Check(
        _("Creation registration (创建备案)"),
        registered,
        _("Filed in %(round)s") % {"round": round.filing_round.title}
        if registered
        else _("Not filed in %(round)s") % {"round": round.filing_round.title},
    )


RULES = [
    Rule(_in_scope),
    Rule(
        _composition,
        ("members_min", "members_max", "youth_age", "youth_share_percent", "leader_max_age"),
        members,
        relaxable=gettext_lazy("Size and youth share"),
    ),
    Rule(_aspiring_period, ("aspiring_months",), relaxable=gettext_lazy("Time as an aspiring collective")),
    Rule(_promises),
    Rule(_not_already_named, (), honors),
    Rule(
        _lower_level,
        ("lower_level_years",),
        honors,
        lambda round: round.lower_level_years and level_below(round.level),
        relaxable=gettext_lazy("Holding the level below"),
    ),
    Rule(_no_recent_revocation, ("revocation_bar_years",), honors, lambda round: round.revocation_bar_years),
    Rule(_no_open_warning, (), open_warnings),
    Rule(_no_upheld_complaint, ("complaint_bar_months",), upheld_complaints, lambda round: round.complaint_bar_months),
    Rule(
        _recent_reports,
        ("min_recent_reports",),
        recent_reports,
        lambda round: round.min_recent_reports,
        relaxable=gettext_lazy("Recent activity reports"),
    ),
    # The national cycle: a naming round accepts the collectives filed in its filing round, or specially recommended.
    Rule(_creation_registration, ("filing_round",), creation_registered, lambda round: round.filing_round_id is not None),
]


def _relaxable_choices():
    return [(rule.check.__name__.lstrip("_"), rule.relaxable) for rule in RULES if rule.relaxable]


# The round's rules say which eligibility rules a special recommendation (特别推荐) is spared; filing is always spared.
SPECIAL_RELAXED = Setting(
    "special_relaxed",
    forms.MultipleChoiceField(
        label=gettext_lazy("Rules relaxed for special recommendations (特别推荐)"),
        choices=_relaxable_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("A specially recommended collective need not meet these; the others still apply."),
    ),
    default=["composition"],
)

SETTINGS = [setting if isinstance(setting, Setting) else Setting(setting) for rule in RULES for setting in rule.settings]
SETTINGS.append(SPECIAL_RELAXED)


def relaxed_rules(round):
    """The rules a special recommendation in this round is spared: the round's choice, and filing (创建备案)."""
    chosen = set(SPECIAL_RELAXED.value(round))
    return [rule for rule in RULES if rule.check is _creation_registration or rule.check.__name__.lstrip("_") in chosen]


# What the pages call ------------------------------------------------------------------------------------------


def eligibility(collectives, round, special=False):
    """{collective pk: its checks in this round}, each kind of fact loaded once for all the collectives.
    `special`: for a special recommendation (特别推荐), with the rules the round relaxes for it."""
    collectives = list(collectives)
    rules = [rule for rule in RULES if rule.applies(round)]
    relaxed = relaxed_rules(round) if special else []
    facts = {loader: loader(collectives, round) for loader in {rule.facts for rule in rules if rule.facts}}
    return {c.pk: [check for rule in rules for check in rule.checks(c, round, facts, rule in relaxed)] for c in collectives}


def check_eligibility(collective, round, special=False):
    return eligibility([collective], round, special)[collective.pk]


def is_eligible(checks):
    return all(check.passed for check in checks)


def settings_of(round):
    """(label, value) of every eligibility setting of the round, for its page."""
    return [(setting.label, _display(setting.value(round))) for setting in SETTINGS]


def _display(value):
    if isinstance(value, list):  # the rules relaxed for special recommendations
        names = dict(_relaxable_choices())
        return "、".join(str(names.get(name, name)) for name in value) or _("None")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, date):
        return value.isoformat()
    return "—" if value is None else value
