"""Calendar arithmetic for ages and intervals: ISO 8601 periods added to dates, exact ages.

One rule everywhere: adding months or years keeps the day of the month, and when that day does
not exist in the target month the last day of that month is used (31 Jan + 1 month = 28 or
29 Feb). So a child born on 29 February turns one on 28 February in a common year, and an age
test "has reached P" is always ``day >= birth + P``. The age functions are defined from the same
addition, so an age in months or years never disagrees with the schedule's target dates.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_PERIOD = re.compile(r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar period: years and months move along the calendar, days are exact days."""

    years: int = 0
    months: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if self.years < 0 or self.months < 0 or self.days < 0:
            raise ValueError("a period cannot be negative")

    def __str__(self) -> str:
        parts = [
            f"{value}{unit}"
            for value, unit in ((self.years, "Y"), (self.months, "M"), (self.days, "D"))
            if value
        ]
        return "P" + ("".join(parts) or "0D")


def parse_period(text: str) -> Period:
    """Parse ``PnYnMnWnD`` (any subset, in that order; weeks become 7 days): "P2M", "P6W"."""
    match = _PERIOD.match(text)
    if match is None:
        raise ValueError(f"not an ISO 8601 period such as 'P2M' or 'P11Y': {text!r}")
    years, months, weeks, days = (int(group) if group else 0 for group in match.groups())
    return Period(years=years, months=months, days=days + 7 * weeks)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def add_period(day: dt.date, period: Period) -> dt.date:
    """``day + period``: years and months first (clamped), then days."""
    moved = add_months(day, period.years * 12 + period.months)
    return moved + dt.timedelta(days=period.days)


def age_in_months(birth: dt.date, on: dt.date) -> int:
    """Completed months of age on ``on`` (negative before birth is not allowed)."""
    if on < birth:
        raise ValueError("the date is before the birth date")
    months = (on.year - birth.year) * 12 + (on.month - birth.month)
    # The estimate can be one too many when the monthly anniversary has not come yet.
    if add_months(birth, months) > on:
        months -= 1
    return months


def age_in_years(birth: dt.date, on: dt.date) -> int:
    """Completed years of age on ``on`` (a 29 February birthday falls on 28 February)."""
    return age_in_months(birth, on) // 12
