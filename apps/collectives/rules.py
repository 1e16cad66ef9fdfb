"""The size and youth rules of domain.md §4, computed from members' birth dates.

Defaults are the programme's; a round (issue 4) passes its own `CompositionRules`.
"""

from dataclasses import dataclass
from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class CompositionRules:
    members_min: int = 6
    members_max: int = 200
    youth_age: int = 35
    youth_share_percent: int = 50
    leader_max_age: int = 40


@dataclass(frozen=True)
class Check:
    label: str
    passed: bool
    detail: str


def age_on(birth_date, on_date):
    """Whole years of age on `on_date`; a person is 35 until the day before their 36th birthday."""
    had_birthday = (on_date.month, on_date.day) >= (birth_date.month, birth_date.day)
    return on_date.year - birth_date.year - (0 if had_birthday else 1)


def youth_birth_cutoff(on_date, youth_age):
    """Members born after this day are aged `youth_age` or under on `on_date` (as age_on counts): the same rule for
    a query that counts young members in the database."""
    years = youth_age + 1
    try:
        return on_date.replace(year=on_date.year - years)
    except ValueError:  # 29 February, and that year has none: people born on 1 March are not yet one year older
        return on_date.replace(year=on_date.year - years, day=28)


def young_count(members, on_date, youth_age):
    """How many members are aged `youth_age` or under on `on_date`."""
    return sum(1 for m in members if age_on(m.birth_date, on_date) <= youth_age)


def youth_share(members, on_date, youth_age):
    """Percentage (0-100, one decimal) of members aged `youth_age` or under on `on_date`."""
    if not members:
        return 0.0
    return round(100 * young_count(members, on_date, youth_age) / len(members), 1)


def check_composition(members, rules, on_date=None):
    on_date = on_date or timezone.localdate()
    count = len(members)
    share = youth_share(members, on_date, rules.youth_age)
    leader = next((m for m in members if m.is_leader), None)
    leader_age = age_on(leader.birth_date, on_date) if leader else None
    return [
        Check(
            _("Number of members"),
            rules.members_min <= count <= rules.members_max,
            _("%(count)s members (between %(min)s and %(max)s required)")
            % {"count": count, "min": rules.members_min, "max": rules.members_max},
        ),
        Check(
            _("Share of members aged %(age)s or under") % {"age": rules.youth_age},
            share >= rules.youth_share_percent,
            _("%(share)s%% (at least %(required)s%% required)")
            % {"share": _format_percent(share), "required": rules.youth_share_percent},
        ),
        Check(
            _("号长's age"),
            leader_age is not None and leader_age <= rules.leader_max_age,
            _("No 号长 among the members")
            if leader is None
            else _("%(age)s years (at most %(max)s)") % {"age": leader_age, "max": rules.leader_max_age},
        ),
    ]


def _format_percent(value):
    return f"{value:g}"

