"""Properties of the plan for any birth date, day and dose history (hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from dmp.vaccination import (
    DoseGiven,
    PlanItem,
    Status,
    add_period,
    age_in_months,
    default_schedule,
    due_within,
    plan,
)
from dmp.vaccination.ages import add_months

SCHEDULE = default_schedule()
CODES = [*SCHEDULE.codes(), "HEPB", "UNKNOWN"]
PRODUCTS = [None, "ROTARIX", "ROTATEQ", "OTHER"]


@st.composite
def histories(draw: st.DrawFn) -> tuple[dt.date, dt.date, list[DoseGiven]]:
    birth = draw(st.dates(dt.date(1920, 1, 1), dt.date(2026, 12, 31)))
    lived = draw(st.integers(0, 105 * 366))
    today = birth + dt.timedelta(days=lived)
    # Dates a little before birth and after today are included on purpose.
    offsets = st.integers(-40, lived + 40)
    doses = draw(
        st.lists(
            st.builds(
                DoseGiven,
                st.sampled_from(CODES),
                offsets.map(lambda days: birth + dt.timedelta(days=days)),
                st.sampled_from(PRODUCTS),
            ),
            max_size=14,
        )
    )
    return birth, today, doses


def _earliest_age_reached(item: PlanItem, birth: dt.date, today: dt.date) -> bool:
    """Whether ``today`` is past the dose's earliest age, as written in the schedule."""
    vaccine = SCHEDULE.vaccine(item.vaccine)
    variant = next(v for v in vaccine.variants if v.id == item.variant)
    if item.dose_number is None or item.dose_number > len(variant.doses):
        return True  # seasonal items and repeated boosters have no age of their own
    rule = variant.doses[item.dose_number - 1]
    age = rule.earliest_age if rule.earliest_age is not None else rule.target_age
    return age is None or today >= add_period(birth, age)


@settings(max_examples=300, deadline=None)
@given(histories())
def test_every_item_has_one_consistent_status(
    history: tuple[dt.date, dt.date, list[DoseGiven]],
) -> None:
    birth, today, doses = history
    items = plan(birth, today, doses)
    assert {item.vaccine for item in items} == set(SCHEDULE.codes())
    keys = [(item.vaccine, item.dose_number, item.season) for item in items]
    assert len(keys) == len(set(keys)), "one item per dose, per season, or per ruled-out vaccine"
    for item in items:
        assert isinstance(item.status, Status)
        if item.status is Status.DONE:
            assert item.given_on is not None
            assert birth <= item.given_on <= today
        else:
            assert item.given_on is None
        if item.status is Status.NOT_APPLICABLE:
            assert item.reason is not None
            continue
        assert item.due_date is not None
        if item.status is Status.UPCOMING:
            assert item.due_date > today
        if item.status in (Status.DUE, Status.OVERDUE):
            # Nothing is due before its earliest date, nor before its earliest age.
            assert item.due_date <= today
            assert item.earliest_date is None or item.earliest_date <= today
            if item.season is None:
                assert _earliest_age_reached(item, birth, today), item
        if item.status is not Status.DONE:
            if item.earliest_date is not None:
                assert item.earliest_date <= item.due_date
            if item.latest_date is not None:
                assert item.due_date <= item.latest_date
                assert today <= item.latest_date
        elif item.earliest_date is not None:
            assert item.given_on is not None
            assert item.earliest_date <= item.given_on


@settings(max_examples=150, deadline=None)
@given(histories())
def test_plan_ignores_recording_order_and_future_doses(
    history: tuple[dt.date, dt.date, list[DoseGiven]],
) -> None:
    birth, today, doses = history
    expected = plan(birth, today, doses)
    assert plan(birth, today, list(reversed(doses))) == expected
    assert plan(
        birth, today, sorted(doses, key=lambda d: (d.vaccine, -d.given_on.toordinal()))
    ) == (expected)
    assert plan(birth, today, [d for d in doses if d.given_on <= today]) == expected


@settings(max_examples=150, deadline=None)
@given(histories(), st.integers(0, 400))
def test_due_within_is_a_sorted_window_of_the_plan(
    history: tuple[dt.date, dt.date, list[DoseGiven]], days: int
) -> None:
    birth, today, doses = history
    items = plan(birth, today, doses)
    soon = due_within(items, today, days)
    assert all(item in items for item in soon)
    horizon = today + dt.timedelta(days=days)
    dates = [item.due_date for item in soon]
    assert all(day is not None and today <= day <= horizon for day in dates)
    assert [d for d in dates if d is not None] == sorted(d for d in dates if d is not None)
    assert all(item.status in (Status.UPCOMING, Status.DUE) for item in soon)


@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)), st.integers(0, 40000))
def test_age_in_months_agrees_with_date_arithmetic(birth: dt.date, lived: int) -> None:
    on = birth + dt.timedelta(days=lived)
    months = age_in_months(birth, on)
    assert add_months(birth, months) <= on < add_months(birth, months + 1)
