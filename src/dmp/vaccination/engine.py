"""The vaccination plan: which doses are done, due, overdue, upcoming or not applicable.

``plan(birth_date, today, doses)`` is a pure function of its arguments and the schedule: no
clock, no I/O. Doses dated after ``today`` are ignored, so a plan computed for a past day sees
the record as it stood that day.

How recorded doses are counted (series):

* Doses are taken in date order, whatever order they were recorded in, and only those whose
  code the vaccine ``accepts`` and whose date lies in its ``counts_from_age`` /
  ``counts_before_age`` window (so an adolescent MenACWY dose is not an extra infant dose).
* Each dose fills the next open dose of the series. A dose given on or after that dose's age
  limit skips it (the dose is then counted as the next one, as for the adult boosters at fixed
  ages); after the last one it does not count (``after-age-limit``).
* A dose given before the earliest age (``too-early``) or sooner than the minimum interval after
  the previous counted dose (``interval-too-short``) **does not count**: the dose stays open,
  and the problem is reported on it (``PlanItem.issues``).
* The variant of a series (HPV 2 or 3 doses, rotavirus 2 or 3 doses) is chosen once, from the
  first dose: its product, and the age at that dose (today's age while none is recorded).
* After the last dose, a ``repeat`` rule counts any further dose as a booster and asks for the
  next one ``every`` period after the last dose given. Without one, further doses are ignored.
* A ``complete_if`` rule rules the whole series out (``series-complete``) once enough doses of
  the listed codes were given (three hexavalent doses cover the hepatitis B catch-up).

Seasonal vaccines give one item per season rule: ``done`` when a dose was given in the current
window, otherwise the current or next window in which the person is in an eligible age band
(``due`` inside it, ``upcoming`` before it), no earlier than ``min_interval`` after the last dose.

Dates of open doses are projected: the first open dose is planned at its target date (or today,
when late), and each following dose at its target age or after its interval from that
projection, so a late infant does not see all its doses "overdue" at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace

from dmp.vaccination.ages import Period, add_period
from dmp.vaccination.loader import default_schedule
from dmp.vaccination.model import DoseGiven, DoseIssue, PlanItem, Reason, Status
from dmp.vaccination.schedule import Requirement, Schedule, Season, Vaccine, Variant

# Season windows are searched year by year from today; a century and a half bounds the search.
_SEASON_HORIZON_YEARS = 150


def plan(
    birth_date: dt.date,
    today: dt.date,
    doses: Sequence[DoseGiven],
    schedule: Schedule | None = None,
) -> list[PlanItem]:
    """The plan for a person born on ``birth_date``, as of ``today``, in schedule order."""
    if today < birth_date:
        raise ValueError("today is before the birth date")
    schedule = schedule if schedule is not None else default_schedule()
    recorded = sorted(
        (dose for dose in doses if dose.given_on <= today),
        key=lambda dose: (dose.given_on, dose.vaccine, dose.product or ""),
    )
    items: list[PlanItem] = []
    for vaccine in schedule.vaccines:
        mandatory = vaccine.requirement_for(birth_date) is Requirement.MANDATORY
        if vaccine.cohort is not None and not vaccine.cohort.contains(birth_date):
            items.append(
                PlanItem(
                    vaccine.code,
                    Status.NOT_APPLICABLE,
                    mandatory,
                    reason=Reason.COHORT_NOT_CONCERNED,
                )
            )
            continue
        mine = [dose for dose in recorded if dose.vaccine in vaccine.accepts]
        unborn = [DoseIssue(d, Reason.BEFORE_BIRTH) for d in mine if d.given_on < birth_date]
        counted = [
            d for d in mine if d.given_on >= birth_date and _in_window(vaccine, birth_date, d)
        ]
        if vaccine.kind == "seasonal":
            found = [
                _season_item(vaccine, season, birth_date, today, counted, mandatory)
                for season in vaccine.seasons
            ]
        else:
            found = _series(vaccine, birth_date, today, counted, recorded, mandatory)
        if unborn:
            first = found[0]
            found[0] = replace(
                first, issues=(*unborn, *first.issues), reason=first.reason or Reason.BEFORE_BIRTH
            )
        items.extend(found)
    return items


def due_within(plan: Iterable[PlanItem], today: dt.date, days: int) -> list[PlanItem]:
    """Open items whose due date falls in ``[today, today + days]``, soonest first.

    Meant for reminders: items already overdue, or due since before ``today``, were reminded
    of when they became due and are left out.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    horizon = today + dt.timedelta(days=days)
    chosen = [
        item
        for item in plan
        if item.status in (Status.UPCOMING, Status.DUE)
        and item.due_date is not None
        and today <= item.due_date <= horizon
    ]
    return sorted(
        chosen,
        key=lambda item: (item.due_date, item.vaccine, item.dose_number or 0, item.season or ""),
    )


# --- series -----------------------------------------------------------------------------------


def _in_window(vaccine: Vaccine, birth: dt.date, dose: DoseGiven) -> bool:
    since, before = vaccine.counts_from_age, vaccine.counts_before_age
    if since is not None and dose.given_on < add_period(birth, since):
        return False
    return before is None or dose.given_on < add_period(birth, before)


def _series(
    vaccine: Vaccine,
    birth: dt.date,
    today: dt.date,
    doses: list[DoseGiven],
    recorded: list[DoseGiven],
    mandatory: bool,
) -> list[PlanItem]:
    rule = vaccine.complete_if
    if rule is not None:
        covering = [d for d in recorded if d.vaccine in rule.codes and d.given_on >= birth]
        if len(covering) >= rule.min_doses:
            return [
                PlanItem(
                    vaccine.code, Status.NOT_APPLICABLE, mandatory, reason=Reason.SERIES_COMPLETE
                )
            ]
    variant = _select_variant(vaccine, birth, today, doses)
    if variant is None:
        return [
            PlanItem(
                vaccine.code,
                Status.NOT_APPLICABLE,
                mandatory,
                reason=Reason.AGE_LIMIT_PASSED,
                issues=tuple(DoseIssue(dose, Reason.AFTER_AGE_LIMIT) for dose in doses),
            )
        ]
    given, issues, boosters = _match(vaccine, variant, birth, doses)
    items: list[PlanItem] = []
    previous: dt.date | None = None  # last counted dose, or the projected date of an open one
    last_given: dt.date | None = None
    all_settled = True
    for index, dose_rule in enumerate(variant.doses):
        earliest = dose_rule.earliest_date(birth, previous)
        target = dose_rule.target_date(birth, previous)
        limit = dose_rule.limit_date(birth)
        latest = limit - dt.timedelta(days=1) if limit is not None else None
        found = tuple(issues[index])
        item = PlanItem(
            vaccine.code,
            Status.UPCOMING,
            mandatory,
            dose_number=dose_rule.number,
            due_date=target,
            earliest_date=earliest,
            latest_date=latest,
            reason=found[0].reason if found else None,
            issues=found,
            variant=variant.id,
        )
        dose = given[index]
        if dose is not None:
            items.append(replace(item, status=Status.DONE, given_on=dose.given_on))
            previous = last_given = dose.given_on
            continue
        if limit is not None and today >= limit:
            items.append(
                replace(item, status=Status.NOT_APPLICABLE, reason=Reason.AGE_LIMIT_PASSED)
            )
            continue
        if latest is not None and earliest > latest:
            items.append(replace(item, status=Status.NOT_APPLICABLE, reason=Reason.CANNOT_COMPLETE))
            continue
        if latest is not None:
            target = min(target, latest)
        tolerance = dose_rule.tolerance or vaccine.tolerance
        items.append(replace(item, status=_open_status(today, target, tolerance), due_date=target))
        previous = max(today, target)
        all_settled = False
    if vaccine.repeat is not None and all_settled and last_given is not None:
        number = len(variant.doses)
        for booster in boosters:
            number += 1
            recommended = add_period(last_given, vaccine.repeat.every)
            items.append(
                PlanItem(
                    vaccine.code,
                    Status.DONE,
                    mandatory,
                    dose_number=number,
                    due_date=recommended,
                    given_on=booster.given_on,
                    variant=variant.id,
                )
            )
            last_given = booster.given_on
        target = add_period(last_given, vaccine.repeat.every)
        tolerance = vaccine.repeat.tolerance or vaccine.tolerance
        items.append(
            PlanItem(
                vaccine.code,
                _open_status(today, target, tolerance),
                mandatory,
                dose_number=number + 1,
                due_date=target,
                earliest_date=target,
                variant=variant.id,
            )
        )
    return items


def _select_variant(
    vaccine: Vaccine, birth: dt.date, today: dt.date, doses: list[DoseGiven]
) -> Variant | None:
    reference = doses[0].given_on if doses else today
    product = next((dose.product for dose in doses if dose.product), None)
    for variant in vaccine.variants:
        # An unknown product fits any variant: the first listed is the default.
        if variant.products and product is not None and product not in variant.products:
            continue
        bound = variant.first_dose_before_age
        if bound is not None and reference >= add_period(birth, bound):
            continue
        return variant
    return None


def _match(
    vaccine: Vaccine, variant: Variant, birth: dt.date, doses: list[DoseGiven]
) -> tuple[list[DoseGiven | None], list[list[DoseIssue]], list[DoseGiven]]:
    """Assign recorded doses (in date order) to the variant's doses; see the module docstring."""
    rules = variant.doses
    given: list[DoseGiven | None] = [None] * len(rules)
    issues: list[list[DoseIssue]] = [[] for _ in rules]
    boosters: list[DoseGiven] = []
    slot = 0
    previous: dt.date | None = None
    for dose in doses:
        while slot < len(rules):
            rule = rules[slot]
            limit = rule.limit_date(birth)
            if limit is not None and dose.given_on >= limit:
                if slot + 1 < len(rules):
                    slot += 1  # this dose's window is over: the dose may count as the next one
                    continue
                issues[slot].append(DoseIssue(dose, Reason.AFTER_AGE_LIMIT))
            elif dose.given_on < rule.earliest_date(birth, None):
                issues[slot].append(DoseIssue(dose, Reason.TOO_EARLY))
            elif (
                previous is not None
                and rule.min_interval is not None
                and dose.given_on < add_period(previous, rule.min_interval)
            ):
                issues[slot].append(DoseIssue(dose, Reason.INTERVAL_TOO_SHORT))
            else:
                given[slot] = dose
                previous = dose.given_on
                slot += 1
            break
        else:
            # Past the last dose: a booster when the series repeats, otherwise nothing to count.
            if vaccine.repeat is not None:
                boosters.append(dose)
    return given, issues, boosters


def _open_status(today: dt.date, target: dt.date, tolerance: Period | None) -> Status:
    """Upcoming before the target, due until target + tolerance, overdue after.

    Without a tolerance a dose stays due until its age limit (seasonal doses, catch-ups).
    """
    if today < target:
        return Status.UPCOMING
    if tolerance is None or today <= add_period(target, tolerance):
        return Status.DUE
    return Status.OVERDUE


# --- seasonal ---------------------------------------------------------------------------------


def _season_item(
    vaccine: Vaccine,
    season: Season,
    birth: dt.date,
    today: dt.date,
    doses: list[DoseGiven],
    mandatory: bool,
) -> PlanItem:
    """The current season's item when it applies, else the next season the person is eligible."""
    tolerance = season.tolerance or vaccine.tolerance
    base = PlanItem(vaccine.code, Status.UPCOMING, mandatory, season=season.id)
    last = doses[-1].given_on if doses else None
    horizon = min(max(today.year, birth.year + _SEASON_HORIZON_YEARS), dt.MAXYEAR - 2)
    for year in range(today.year - 1, horizon + 1):
        start, end = season.occurrence(year)
        if end < today:
            continue
        eligible_from = _eligible_from(season, birth, start, end)
        if eligible_from is None:
            if not _may_become_eligible(season, birth, start):
                break
            continue
        if start <= today:
            done = [dose for dose in doses if start <= dose.given_on]
            if done:
                return replace(
                    base,
                    status=Status.DONE,
                    given_on=done[-1].given_on,
                    due_date=eligible_from,
                    earliest_date=start,
                    latest_date=end,
                )
        target = eligible_from
        if season.min_interval is not None and last is not None:
            target = max(target, add_period(last, season.min_interval))
        if target > end:
            continue  # too soon after the last dose for this season: the next one
        return replace(
            base,
            status=_open_status(today, target, tolerance),
            due_date=target,
            earliest_date=target,
            latest_date=end,
        )
    return replace(base, status=Status.NOT_APPLICABLE, reason=Reason.AGE_LIMIT_PASSED)


def _eligible_from(season: Season, birth: dt.date, start: dt.date, end: dt.date) -> dt.date | None:
    """The first day of ``[start, end]`` the person is in one of the season's age bands."""
    days: list[dt.date] = []
    for band in season.ages:
        since = add_period(birth, band.from_age)
        until = add_period(birth, band.before_age) if band.before_age is not None else None
        if since <= end and (until is None or until > start):
            days.append(max(start, since))
    return min(days) if days else None


def _may_become_eligible(season: Season, birth: dt.date, start: dt.date) -> bool:
    return any(
        band.before_age is None or add_period(birth, band.before_age) > start
        for band in season.ages
    )
