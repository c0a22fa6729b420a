"""What a vaccination plan is made of: recorded doses in, plan items out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"
    UPCOMING = "upcoming"
    NOT_APPLICABLE = "not_applicable"


class Reason(StrEnum):
    """Why an item is not applicable, or what is wrong with a recorded dose."""

    AGE_LIMIT_PASSED = "age-limit-passed"
    CANNOT_COMPLETE = "cannot-complete-before-age-limit"
    COHORT_NOT_CONCERNED = "cohort-not-concerned"
    SERIES_COMPLETE = "series-complete"
    TOO_EARLY = "too-early"
    INTERVAL_TOO_SHORT = "interval-too-short"
    AFTER_AGE_LIMIT = "after-age-limit"
    BEFORE_BIRTH = "before-birth"


@dataclass(frozen=True, slots=True)
class DoseGiven:
    """A recorded dose: a schedule code (or a code a vaccine ``accepts``) and its date."""

    vaccine: str
    given_on: dt.date
    product: str | None = None


@dataclass(frozen=True, slots=True)
class DoseIssue:
    """A recorded dose that did not count as given, and why."""

    dose: DoseGiven
    reason: Reason


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One dose of a series, one season of a seasonal vaccine, or a whole vaccine ruled out.

    ``due_date`` is the recommended date (projected for open doses); ``earliest_date`` the first
    day a dose counts; ``latest_date`` the last day it may be given (inclusive), if limited.
    ``reason`` is set for ``not_applicable`` items and, otherwise, when a recorded dose was
    rejected (the first of ``issues``). ``dose_number`` is ``None`` for seasonal items and for
    items covering a whole vaccine (cohort not concerned, series complete, no variant possible).
    """

    vaccine: str
    status: Status
    mandatory: bool
    dose_number: int | None = None
    due_date: dt.date | None = None
    earliest_date: dt.date | None = None
    latest_date: dt.date | None = None
    given_on: dt.date | None = None
    reason: Reason | None = None
    issues: tuple[DoseIssue, ...] = ()
    variant: str | None = None
    season: str | None = None
