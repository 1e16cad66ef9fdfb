"""Date arithmetic for rounds: working days of notice periods (weekends and holidays skipped) and month shifts."""

from datetime import timedelta


def is_working_day(day, holidays=()):
    return day.weekday() < 5 and day not in holidays


def add_working_days(start, days, holidays=()):
    """The last day of a period of `days` working days that starts on `start` (counted if it is a working day)."""
    day = start
    counted = 1 if is_working_day(start, holidays) else 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            counted += 1
    return day


def shift_months(day, months):
    """The same day `months` later (earlier if negative), clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    for last_day in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last_day))
        except ValueError:
            continue
    raise ValueError(day)
