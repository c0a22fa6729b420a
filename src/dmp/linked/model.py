"""Pure rules of linked profiles: who is a minor, when a delegation is in force, how many
legal representatives a child may have. No database or web code here.

Sources: DOMAIN.md §1.3 (R1111-40, R1111-50; the ``ageMajorite`` parameter of the DMP).
What happens at majority is not sourced: we end the representatives' access, keep everything
in the record and invite the young adult to activate their own space.
"""

from __future__ import annotations

import datetime as dt
import enum

MAX_REPRESENTATIVES = 2


class Relationship(enum.StrEnum):
    parent = "parent"
    guardian = "guardian"  # tuteur of a minor
    delegate = "delegate"  # for a protected adult (or any adult who chooses one)


LEGAL = (Relationship.parent, Relationship.guardian)


class Scope(enum.StrEnum):
    read = "read"  # lists and reads, never writes
    manage = "manage"  # acts for the holder as a legal representative does


class EndReason(enum.StrEnum):
    majority = "majority"
    revoked = "revoked"


def majority_cutoff(today: dt.date, age_of_majority: int) -> dt.date:
    """People born on or before this day are adults on ``today`` (29 February birthdays
    come of age on 1 March in non-leap years)."""
    year = today.year - age_of_majority
    try:
        return today.replace(year=year)
    except ValueError:  # today is 29 February, the cutoff year is not a leap year
        return dt.date(year, 2, 28)


def is_minor(birth_date: dt.date, today: dt.date, age_of_majority: int) -> bool:
    return birth_date > majority_cutoff(today, age_of_majority)


def majority_day(birth_date: dt.date, age_of_majority: int) -> dt.date:
    """The first day on which someone born on ``birth_date`` is an adult."""
    year = birth_date.year + age_of_majority
    try:
        return birth_date.replace(year=year)
    except ValueError:
        return dt.date(year, 3, 1)


def in_window(starts_on: dt.date | None, ends_on: dt.date | None, today: dt.date) -> bool:
    """A delegation is in force from ``starts_on`` to ``ends_on``, both included."""
    return (starts_on is None or starts_on <= today) and (ends_on is None or today <= ends_on)
