"""The vaccination schedule as immutable data: what the JSON file under ``data/`` says, typed.

A schedule is a list of vaccines (antigen groups). Each vaccine is either

* a **series**: numbered doses, each with a target age, an earliest age (before which a dose
  does not count), an optional latest age (on or after which it may no longer be given), and
  intervals from the previous dose. A series may have several **variants** (HPV: 2 doses when
  started before 15, 3 doses after; rotavirus: 2 or 3 doses depending on the product), and may
  **repeat** after its last dose (adult dTP every 10 years, counted from the last dose); or
* **seasonal**: one dose per season occurrence (a yearly window such as 14 Oct - 31 Jan) for the
  age groups listed.

Nothing here knows French rules: changing the file changes the recommendations. The loader
(``dmp.vaccination.loader``) builds these objects and rejects an inconsistent file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from dmp.vaccination.ages import Period, add_period

Kind = Literal["series", "seasonal"]


class Requirement(StrEnum):
    MANDATORY = "mandatory"
    RECOMMENDED = "recommended"


@dataclass(frozen=True, slots=True)
class Cohort:
    """People born in ``[born_from, born_before)``; an open bound is ``None``."""

    born_from: dt.date | None = None
    born_before: dt.date | None = None

    def contains(self, birth: dt.date) -> bool:
        if self.born_from is not None and birth < self.born_from:
            return False
        return self.born_before is None or birth < self.born_before


@dataclass(frozen=True, slots=True)
class CohortRequirement:
    cohort: Cohort
    requirement: Requirement


@dataclass(frozen=True, slots=True)
class DoseRule:
    """One dose of a series. Ages are from birth; intervals from the previous counted dose.

    ``latest_age`` is exclusive: "P6M" means the dose must be given before the 6-month
    birthday. ``target_interval`` defaults to ``min_interval``; ``tolerance`` (how long after
    the target date the dose is still "due" rather than "overdue") defaults to the vaccine's.
    """

    number: int
    target_age: Period | None = None
    earliest_age: Period | None = None
    latest_age: Period | None = None
    min_interval: Period | None = None
    target_interval: Period | None = None
    tolerance: Period | None = None

    def earliest_date(self, birth: dt.date, previous: dt.date | None) -> dt.date:
        """The first day a dose counts, given the previous dose (or its projected date)."""
        age = self.earliest_age if self.earliest_age is not None else self.target_age
        earliest = add_period(birth, age) if age is not None else birth
        if previous is not None and self.min_interval is not None:
            earliest = max(earliest, add_period(previous, self.min_interval))
        return earliest

    def target_date(self, birth: dt.date, previous: dt.date | None) -> dt.date:
        """The recommended day, never before :meth:`earliest_date`."""
        target = self.earliest_date(birth, previous)
        if self.target_age is not None:
            target = max(target, add_period(birth, self.target_age))
        interval = self.target_interval or self.min_interval
        if previous is not None and interval is not None:
            target = max(target, add_period(previous, interval))
        return target

    def limit_date(self, birth: dt.date) -> dt.date | None:
        """The first day the dose may no longer be given (exclusive limit), if any."""
        return add_period(birth, self.latest_age) if self.latest_age is not None else None


@dataclass(frozen=True, slots=True)
class Variant:
    """One way of completing a series, chosen by the first dose's product or age.

    ``products`` empty means any product. ``first_dose_before_age`` bounds the age at the first
    dose (or today's age while no dose is recorded).
    """

    id: str | None
    doses: tuple[DoseRule, ...]
    products: frozenset[str] = frozenset()
    first_dose_before_age: Period | None = None


@dataclass(frozen=True, slots=True)
class Repeat:
    """After the last dose of the series: one more dose every ``every``, from the last dose."""

    every: Period
    tolerance: Period | None = None


@dataclass(frozen=True, slots=True)
class CompleteIf:
    """The series is complete once ``min_doses`` doses of any of ``codes`` were given."""

    codes: frozenset[str]
    min_doses: int


@dataclass(frozen=True, slots=True)
class MonthDay:
    month: int
    day: int

    def in_year(self, year: int) -> dt.date:
        return dt.date(year, self.month, self.day)

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True, slots=True)
class AgeBand:
    """Ages ``[from_age, before_age)``."""

    from_age: Period
    before_age: Period | None = None


@dataclass(frozen=True, slots=True)
class Season:
    """A yearly window (``end`` earlier in the year than ``start`` means it spans New Year)."""

    id: str
    start: MonthDay
    end: MonthDay
    ages: tuple[AgeBand, ...]
    min_interval: Period | None = None
    tolerance: Period | None = None

    def occurrence(self, year: int) -> tuple[dt.date, dt.date]:
        """The window starting in ``year``, both ends inclusive."""
        start = self.start.in_year(year)
        end_year = (
            year
            if (self.end.month, self.end.day) >= (self.start.month, self.start.day)
            else year + 1
        )
        return start, self.end.in_year(end_year)


@dataclass(frozen=True, slots=True)
class Vaccine:
    code: str
    label_fr: str
    label_en: str
    kind: Kind
    requirement: Requirement
    accepts: frozenset[str]
    requirement_by_cohort: tuple[CohortRequirement, ...] = ()
    cohort: Cohort | None = None
    counts_from_age: Period | None = None
    counts_before_age: Period | None = None
    tolerance: Period | None = None
    variants: tuple[Variant, ...] = ()
    repeat: Repeat | None = None
    complete_if: CompleteIf | None = None
    seasons: tuple[Season, ...] = ()
    sources: tuple[str, ...] = ()
    unsourced: tuple[str, ...] = ()

    def label(self, language: str) -> str:
        """English for "en…", French otherwise."""
        return self.label_en if language.lower().startswith("en") else self.label_fr

    def requirement_for(self, birth: dt.date) -> Requirement:
        """Mandatory or recommended for someone born on ``birth`` (first matching cohort)."""
        for rule in self.requirement_by_cohort:
            if rule.cohort.contains(birth):
                return rule.requirement
        return self.requirement


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    url: str


@dataclass(frozen=True, eq=False)
class Schedule:
    id: str
    version: str
    valid_from: dt.date
    sources: tuple[Source, ...]
    vaccines: tuple[Vaccine, ...]
    unsourced: tuple[str, ...] = ()

    def vaccine(self, code: str) -> Vaccine:
        """The vaccine with this code (KeyError when there is none)."""
        for vaccine in self.vaccines:
            if vaccine.code == code:
                return vaccine
        raise KeyError(code)

    def codes(self) -> tuple[str, ...]:
        return tuple(vaccine.code for vaccine in self.vaccines)

    def __repr__(self) -> str:
        return f"Schedule({self.id!r}, version={self.version!r}, {len(self.vaccines)} vaccines)"
