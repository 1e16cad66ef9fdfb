"""Rules on a member's values, shared by the members form, the staff import (resources.py) and any paste-from-Excel
page: one place for each rule, each with its Chinese message."""

from datetime import date
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

OLDEST_MEMBER_AGE = 100
YOUNGEST_MEMBER_AGE = 16  # The legal minimum working age.


@lru_cache(maxsize=32)  # an import checks every row's birth date against the same few bounds
def years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return date(day.year - years, 3, 1)


def validate_birth_date(birth_date, today=None):
    today = today or timezone.localdate()
    if birth_date > today:
        raise ValidationError(_("The birth date cannot be in the future."), code="future")
    if birth_date > years_before(today, YOUNGEST_MEMBER_AGE):
        raise ValidationError(
            _("Members must be at least %(age)s years old.") % {"age": YOUNGEST_MEMBER_AGE}, code="too_young"
        )
    if birth_date < years_before(today, OLDEST_MEMBER_AGE):
        raise ValidationError(_("Please check the birth date: it is more than 100 years ago."), code="too_old")


def member_errors(member):
    """{field name: [messages]} for one member's own values (name, birth date, position), without a query:
    what a row of a pasted or imported list must satisfy before it is saved."""
    errors = {}
    try:
        member.clean_fields(exclude=["collective"])
    except ValidationError as error:
        errors = error.message_dict
    if member.birth_date and "birth_date" not in errors:
        try:
            validate_birth_date(member.birth_date)
        except ValidationError as error:
            errors["birth_date"] = error.messages
    return errors


def member_key(collective_id, name, birth_date):
    """The natural key of a member: the same person is not listed twice in one collective."""
    return (collective_id, " ".join(name.split()), birth_date)

