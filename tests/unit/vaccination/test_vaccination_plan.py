"""The plan computed from the shipped French schedule, scenario by scenario."""

from __future__ import annotations

import datetime as dt

import pytest
from vaccination_support import D, doses, of, pick

from dmp.vaccination import DoseGiven, PlanItem, Reason, Requirement, Status, due_within, plan
from dmp.vaccination.labels import REASON_LABELS, REQUIREMENT_LABELS, STATUS_LABELS

DONE, DUE, OVERDUE, UPCOMING, NA = (
    Status.DONE,
    Status.DUE,
    Status.OVERDUE,
    Status.UPCOMING,
    Status.NOT_APPLICABLE,
)

# --- an infant born 2025-03-01, vaccinated on time ---------------------------------------------

INFANT = D(2025, 3, 1)
INFANT_DOSES = [
    *doses("HEXA", D(2025, 5, 1), D(2025, 7, 1), D(2026, 2, 1)),
    *doses("PCV", D(2025, 5, 1), D(2025, 7, 1), D(2026, 2, 1)),
    *doses("MENB", D(2025, 6, 1), D(2025, 8, 1), D(2026, 3, 1)),
    *doses("MENACWY", D(2025, 9, 1), D(2026, 3, 1)),
    *doses("ROR", D(2026, 3, 1), D(2026, 7, 1)),
    *doses("ROTA", D(2025, 5, 1), D(2025, 6, 1), product="ROTARIX"),
]


@pytest.mark.parametrize(
    ("today", "code", "number", "status", "due"),
    [
        (D(2025, 4, 15), "HEXA", 1, UPCOMING, D(2025, 5, 1)),
        (D(2025, 4, 15), "ROTA", 1, UPCOMING, D(2025, 5, 1)),
        (D(2025, 4, 15), "MENB", 1, UPCOMING, D(2025, 6, 1)),
        (D(2025, 5, 1), "HEXA", 1, DONE, D(2025, 5, 1)),
        (D(2025, 5, 1), "HEXA", 2, UPCOMING, D(2025, 7, 1)),
        (D(2025, 5, 1), "ROTA", 2, UPCOMING, D(2025, 6, 1)),
        (D(2025, 6, 10), "MENB", 1, DONE, D(2025, 6, 1)),
        (D(2025, 6, 10), "MENB", 2, UPCOMING, D(2025, 8, 1)),
        (D(2025, 6, 10), "ROTA", 2, DONE, D(2025, 6, 1)),
        (D(2025, 7, 15), "HEXA", 2, DONE, D(2025, 7, 1)),
        (D(2025, 7, 15), "HEXA", 3, UPCOMING, D(2026, 2, 1)),
        (D(2025, 7, 15), "MENACWY", 1, UPCOMING, D(2025, 9, 1)),
        (D(2026, 2, 15), "HEXA", 3, DONE, D(2026, 2, 1)),
        (D(2026, 2, 15), "PCV", 3, DONE, D(2026, 2, 1)),
        (D(2026, 2, 15), "MENB", 3, UPCOMING, D(2026, 3, 1)),
        (D(2026, 2, 15), "ROR", 1, UPCOMING, D(2026, 3, 1)),
        (D(2026, 3, 1), "ROR", 2, UPCOMING, D(2026, 7, 1)),
        (D(2026, 8, 1), "ROR", 2, DONE, D(2026, 7, 1)),
        (D(2026, 8, 1), "MENACWY", 2, DONE, D(2026, 3, 1)),
        (D(2026, 8, 1), "DTCAP", 1, UPCOMING, D(2031, 3, 1)),
        (D(2026, 8, 1), "HPV", 1, UPCOMING, D(2036, 3, 1)),
    ],
)
def test_infant_on_time(
    today: dt.date, code: str, number: int, status: Status, due: dt.date
) -> None:
    item = pick(plan(INFANT, today, INFANT_DOSES), code, number)
    assert (item.status, item.due_date) == (status, due)
    assert item.reason is None
    assert item.issues == ()


def test_infant_on_time_has_nothing_open_in_infancy_at_18_months() -> None:
    items = plan(INFANT, D(2026, 9, 1), INFANT_DOSES)
    for code in ("HEXA", "PCV", "MENB", "MENACWY", "ROR", "ROTA"):
        assert {item.status for item in of(items, code)} == {DONE}, code
    # Three hepatitis B doses in the hexavalent vaccine: no hepatitis B catch-up later.
    assert pick(items, "HEPB_CATCHUP").reason is Reason.SERIES_COMPLETE


def test_infant_mandatory_flags_follow_the_birth_cohort() -> None:
    items = plan(INFANT, D(2025, 4, 1), [])
    assert all(item.mandatory for item in of(items, "MENB") + of(items, "MENACWY"))
    assert all(item.mandatory for item in of(items, "HEXA") + of(items, "PCV") + of(items, "ROR"))
    assert not any(item.mandatory for item in of(items, "ROTA") + of(items, "HPV"))


@pytest.mark.parametrize(
    ("today", "code", "number", "status", "due"),
    [
        (D(2025, 5, 20), "HEXA", 1, DUE, D(2025, 5, 1)),
        (D(2025, 6, 1), "HEXA", 1, DUE, D(2025, 5, 1)),  # last day of the 1-month tolerance
        (D(2025, 6, 2), "HEXA", 1, OVERDUE, D(2025, 5, 1)),
        # The next doses are projected from today, not left "overdue" all at once.
        (D(2025, 6, 15), "HEXA", 2, UPCOMING, D(2025, 8, 15)),
        (D(2025, 6, 15), "HEXA", 3, UPCOMING, D(2026, 2, 15)),
        (D(2025, 6, 15), "ROTA", 1, OVERDUE, D(2025, 5, 1)),
        (D(2025, 6, 15), "ROTA", 2, UPCOMING, D(2025, 7, 13)),
    ],
)
def test_infant_without_doses(
    today: dt.date, code: str, number: int, status: Status, due: dt.date
) -> None:
    item = pick(plan(INFANT, today, []), code, number)
    assert (item.status, item.due_date) == (status, due)


# --- late catch-up, and a child born in 2024 ---------------------------------------------------

CHILD_2024 = D(2024, 1, 10)


def test_late_catch_up_is_spaced_from_the_late_first_dose() -> None:
    items = plan(CHILD_2024, D(2024, 10, 1), doses("HEXA", D(2024, 9, 10)))
    assert pick(items, "HEXA", 1).status is DONE
    second = pick(items, "HEXA", 2)
    assert (second.status, second.earliest_date, second.due_date) == (
        UPCOMING,
        D(2024, 10, 8),
        D(2024, 11, 10),
    )
    third = pick(items, "HEXA", 3)
    assert (third.status, third.due_date) == (UPCOMING, D(2025, 5, 10))
    # Rotavirus can no longer be started at 8 months.
    assert [(i.status, i.reason) for i in of(items, "ROTA")] == [
        (NA, Reason.AGE_LIMIT_PASSED),
        (NA, Reason.AGE_LIMIT_PASSED),
    ]
    # MenB catch-up runs to 24 months: still possible, late.
    assert pick(items, "MENB", 1).status is OVERDUE


def test_menb_catch_up_ends_at_24_months() -> None:
    items = plan(CHILD_2024, D(2026, 1, 10), [])
    assert {(i.status, i.reason) for i in of(items, "MENB")} == {(NA, Reason.AGE_LIMIT_PASSED)}
    assert pick(items, "MENB", 1).latest_date == D(2026, 1, 9)


def test_child_born_2024_is_not_in_the_mandatory_men_b_acwy_cohort() -> None:
    born = D(2024, 6, 1)
    items = plan(born, D(2024, 9, 15), doses("MENB", D(2024, 9, 1)))
    for code in ("MENB", "MENACWY"):
        assert of(items, code), code
        assert not any(item.mandatory for item in of(items, code)), code
    assert pick(items, "MENB", 1).status is DONE
    assert pick(items, "MENACWY", 1).status is UPCOMING
    assert all(item.mandatory for item in of(items, "HEXA"))


@pytest.mark.parametrize(
    ("birth", "hexa_mandatory", "ror"),
    [
        (D(2018, 1, 1), True, (True, None)),
        (D(2017, 12, 31), False, (False, None)),
        (D(1980, 1, 1), False, (False, None)),
        (D(1979, 12, 31), False, (False, Reason.COHORT_NOT_CONCERNED)),
    ],
)
def test_birth_cohorts(
    birth: dt.date, hexa_mandatory: bool, ror: tuple[bool, Reason | None]
) -> None:
    items = plan(birth, D(2025, 6, 1), [])
    assert pick(items, "HEXA", 1).mandatory is hexa_mandatory
    measles = of(items, "ROR")
    assert (measles[0].mandatory, measles[0].reason) == ror
    if ror[1] is Reason.COHORT_NOT_CONCERNED:
        assert [(i.status, i.dose_number) for i in measles] == [(NA, None)]
    else:
        # Born from 1980 with no recorded dose: the MMR catch-up is open at any age.
        assert measles[0].status is OVERDUE


# --- adults: dTP boosters at 25, 45, 65, then every 10 years from the last dose ----------------

ADULT = D(1960, 5, 15)
AT_25, AT_45, AT_65, AT_75 = D(1985, 6, 1), D(2005, 6, 1), D(2025, 6, 1), D(2035, 6, 1)


@pytest.mark.parametrize(
    ("given", "today", "expected"),
    [
        # On time: the fourth booster is due 10 years after the 65-year one.
        (
            [AT_25, AT_45, AT_65],
            D(2030, 1, 1),
            [(1, DONE, AT_25), (2, DONE, AT_45), (3, DONE, AT_65), (4, UPCOMING, AT_75)],
        ),
        ([AT_25, AT_45, AT_65], AT_75, [(4, DUE, AT_75)]),
        ([AT_25, AT_45, AT_65], D(2036, 6, 1), [(4, DUE, AT_75)]),
        ([AT_25, AT_45, AT_65], D(2036, 6, 2), [(4, OVERDUE, AT_75)]),
        # Boosters after 65 are anchored to the last dose, not to fixed ages.
        (
            [AT_25, AT_45, D(2027, 6, 1)],
            D(2030, 1, 1),
            [(3, DONE, D(2027, 6, 1)), (4, UPCOMING, D(2037, 6, 1))],
        ),
        (
            [AT_25, AT_45, AT_65, D(2036, 1, 1)],
            D(2036, 2, 1),
            [(4, DONE, D(2036, 1, 1)), (5, UPCOMING, D(2046, 1, 1))],
        ),
        # Missed 45-year booster: late at 51, the 65-year one still at 65.
        (
            [AT_25],
            D(2012, 1, 1),
            [(1, DONE, AT_25), (2, OVERDUE, D(2005, 5, 15)), (3, UPCOMING, D(2025, 5, 15))],
        ),
        # A dose at 64 counts as the 65-year booster.
        (
            [AT_25, AT_45, D(2024, 9, 1)],
            D(2025, 1, 1),
            [(3, DONE, D(2024, 9, 1)), (4, UPCOMING, D(2034, 9, 1))],
        ),
    ],
)
def test_adult_boosters(
    given: list[dt.date], today: dt.date, expected: list[tuple[int, Status, dt.date]]
) -> None:
    items = plan(ADULT, today, doses("DTP_ADULT", *given))
    for number, status, day in expected:
        item = pick(items, "DTP_ADULT", number)
        assert item.status is status, (number, item)
        assert (item.given_on if status is DONE else item.due_date) == day


def test_adult_booster_windows_skip_a_missed_booster() -> None:
    # No booster at 25: one given at 50 is the 45-year booster; the 25-year one is past.
    items = plan(ADULT, D(2011, 1, 1), doses("DTP_ADULT", D(2010, 6, 1)))
    first, second = pick(items, "DTP_ADULT", 1), pick(items, "DTP_ADULT", 2)
    assert (first.status, first.reason) == (NA, Reason.AGE_LIMIT_PASSED)
    assert (second.status, second.given_on) == (DONE, D(2010, 6, 1))


def test_adult_without_any_booster_sees_one_overdue_at_a_time() -> None:
    items = plan(ADULT, D(2040, 1, 1), [])
    assert [(i.dose_number, i.status) for i in of(items, "DTP_ADULT")] == [
        (1, NA),
        (2, NA),
        (3, OVERDUE),
    ]


# --- seniors ------------------------------------------------------------------------------------

SENIOR = D(1955, 11, 20)  # 69 in the 2025-26 season


def test_senior_in_season_without_a_dose_this_season() -> None:
    given = [
        *doses("FLU", D(2024, 11, 1)),
        *doses("COVID", D(2024, 11, 1)),
    ]
    items = plan(SENIOR, D(2025, 11, 1), given)
    flu = pick(items, "FLU", season="autumn-winter")
    assert (flu.status, flu.due_date, flu.latest_date) == (DUE, D(2025, 10, 14), D(2026, 1, 31))
    assert pick(items, "COVID", season="autumn-winter").status is DUE
    spring = pick(items, "COVID", season="spring")
    assert (spring.status, spring.due_date) == (UPCOMING, D(2036, 4, 14))  # from 80
    assert pick(items, "PCV20", 1).status is OVERDUE
    assert pick(items, "ZONA", 1).status is OVERDUE
    rsv = pick(items, "RSV_SENIOR", 1)
    assert (rsv.status, rsv.due_date) == (UPCOMING, D(2030, 11, 20))


def test_senior_vaccinated_this_season() -> None:
    given = [
        *doses("FLU", D(2025, 10, 20)),
        *doses("COVID", D(2025, 10, 20)),
        *doses("PCV20", D(2025, 10, 20)),
    ]
    items = plan(SENIOR, D(2025, 12, 1), given)
    flu = pick(items, "FLU", season="autumn-winter")
    assert (flu.status, flu.given_on) == (DONE, D(2025, 10, 20))
    assert pick(items, "COVID", season="autumn-winter").status is DONE
    assert pick(items, "PCV20", 1).status is DONE
    # After the season, the next one is upcoming.
    later = plan(SENIOR, D(2026, 3, 1), given)
    flu = pick(later, "FLU", season="autumn-winter")
    assert (flu.status, flu.due_date) == (UPCOMING, D(2026, 10, 14))


def test_turning_65_during_the_season() -> None:
    items = plan(D(1960, 12, 1), D(2025, 10, 20), [])
    flu = pick(items, "FLU", season="autumn-winter")
    assert (flu.status, flu.due_date) == (UPCOMING, D(2025, 12, 1))
    assert (
        pick(plan(D(1960, 12, 1), D(2025, 12, 1), []), "FLU", season="autumn-winter").status is DUE
    )


def test_covid_spring_dose_from_80_three_months_after_the_last() -> None:
    born = D(1945, 1, 10)
    items = plan(born, D(2026, 4, 20), doses("COVID", D(2025, 10, 20)))
    spring = pick(items, "COVID", season="spring")
    assert (spring.status, spring.due_date, spring.latest_date) == (
        DUE,
        D(2026, 4, 14),
        D(2026, 6, 14),
    )
    late_autumn = doses("COVID", D(2026, 1, 30))
    spring = pick(plan(born, D(2026, 4, 20), late_autumn), "COVID", season="spring")
    assert (spring.status, spring.due_date) == (UPCOMING, D(2026, 4, 30))
    given = doses("COVID", D(2025, 10, 20), D(2026, 4, 16))
    assert pick(plan(born, D(2026, 4, 20), given), "COVID", season="spring").status is DONE


def test_covid_spring_dose_moves_to_next_year_when_the_interval_does_not_fit() -> None:
    born = D(1945, 1, 10)
    spring = pick(
        plan(born, D(2026, 4, 20), doses("COVID", D(2026, 3, 20))), "COVID", season="spring"
    )
    assert (spring.status, spring.due_date) == (UPCOMING, D(2027, 4, 14))


def test_children_2_to_17_are_offered_flu_vaccine() -> None:
    items = plan(D(2015, 6, 1), D(2025, 11, 1), [])
    assert pick(items, "FLU", season="autumn-winter").status is DUE
    adult = plan(D(1990, 6, 1), D(2025, 11, 1), [])
    flu = pick(adult, "FLU", season="autumn-winter")
    assert (flu.status, flu.due_date) == (UPCOMING, D(2055, 10, 14))
    assert pick(adult, "COVID", season="autumn-winter").status is UPCOMING


@pytest.mark.parametrize(
    ("given", "today", "expected"),
    [
        ([], D(2025, 10, 1), [(1, OVERDUE, None), (2, UPCOMING, None)]),
        (
            [D(2025, 9, 1)],
            D(2025, 10, 20),
            [(1, DONE, None), (2, UPCOMING, None)],
        ),
        ([D(2025, 9, 1)], D(2025, 11, 1), [(2, DUE, None)]),
        ([D(2025, 9, 1), D(2025, 11, 1)], D(2025, 11, 2), [(1, DONE, None), (2, DONE, None)]),
        # Second dose 6 weeks after the first: too soon, it does not count.
        (
            [D(2025, 9, 1), D(2025, 10, 15)],
            D(2025, 10, 20),
            [(1, DONE, None), (2, UPCOMING, Reason.INTERVAL_TOO_SHORT)],
        ),
        ([D(2019, 1, 1)], D(2025, 10, 1), [(1, OVERDUE, Reason.TOO_EARLY)]),
    ],
)
def test_zona_two_doses_two_months_apart(
    given: list[dt.date], today: dt.date, expected: list[tuple[int, Status, Reason | None]]
) -> None:
    items = plan(SENIOR, today, doses("ZONA", *given))
    for number, status, reason in expected:
        item = pick(items, "ZONA", number)
        assert (item.status, item.reason) == (status, reason), item
    if any(reason is Reason.INTERVAL_TOO_SHORT for _, _, reason in expected):
        second = pick(items, "ZONA", 2)
        assert second.due_date == D(2025, 11, 1)
        assert [issue.dose.given_on for issue in second.issues] == [D(2025, 10, 15)]


@pytest.mark.parametrize(
    ("birth", "today", "status"),
    [
        (D(1950, 6, 1), D(2025, 1, 1), UPCOMING),
        (D(1950, 6, 1), D(2025, 6, 1), DUE),
        (D(1948, 6, 1), D(2025, 6, 1), OVERDUE),
    ],
)
def test_rsv_from_75(birth: dt.date, today: dt.date, status: Status) -> None:
    assert pick(plan(birth, today, []), "RSV_SENIOR", 1).status is status


def test_rsv_dose_from_65_counts() -> None:
    item = pick(
        plan(D(1955, 6, 1), D(2025, 6, 1), doses("RSV_SENIOR", D(2024, 9, 1))), "RSV_SENIOR", 1
    )
    assert item.status is DONE


# --- HPV: 2 doses from 11 to 14, 3 doses from 15 to 26, nothing after ------------------------


def test_hpv_first_dose_at_12_gives_two_doses() -> None:
    born = D(2010, 5, 1)
    items = plan(born, D(2022, 9, 1), doses("HPV", D(2022, 6, 1)))
    hpv = of(items, "HPV")
    assert [(i.dose_number, i.status, i.variant) for i in hpv] == [
        (1, DONE, "2-doses"),
        (2, UPCOMING, "2-doses"),
    ]
    assert (hpv[1].earliest_date, hpv[1].due_date) == (D(2022, 11, 1), D(2022, 12, 1))
    done = plan(born, D(2023, 1, 1), doses("HPV", D(2022, 6, 1), D(2022, 12, 1)))
    assert [i.status for i in of(done, "HPV")] == [DONE, DONE]


def test_hpv_first_dose_at_16_gives_three_doses() -> None:
    items = plan(D(2010, 5, 1), D(2026, 6, 15), doses("HPV", D(2026, 6, 1)))
    hpv = of(items, "HPV")
    assert [(i.dose_number, i.status, i.variant) for i in hpv] == [
        (1, DONE, "3-doses"),
        (2, UPCOMING, "3-doses"),
        (3, UPCOMING, "3-doses"),
    ]
    assert [i.due_date for i in hpv[1:]] == [D(2026, 8, 1), D(2026, 12, 1)]


@pytest.mark.parametrize(
    ("birth", "status", "variant", "latest"),
    [
        (D(2015, 1, 1), UPCOMING, "2-doses", D(2029, 12, 31)),  # 10 years old
        (D(2011, 1, 1), DUE, "2-doses", D(2025, 12, 31)),  # 14: due until 15
        (D(2009, 1, 1), OVERDUE, "3-doses", D(2035, 12, 31)),  # 16: catch-up
        (D(1998, 8, 1), OVERDUE, "3-doses", D(2025, 7, 31)),  # 26: last weeks of catch-up
    ],
)
def test_hpv_by_age_without_dose(
    birth: dt.date, status: Status, variant: str, latest: dt.date
) -> None:
    first = pick(plan(birth, D(2025, 6, 1), []), "HPV", 1)
    assert (first.status, first.variant, first.latest_date) == (status, variant, latest)


def test_hpv_after_26_is_not_applicable() -> None:
    born = D(1998, 1, 1)
    items = of(plan(born, D(2025, 3, 1), []), "HPV")
    assert [(i.dose_number, i.status, i.reason) for i in items] == [
        (None, NA, Reason.AGE_LIMIT_PASSED)
    ]
    late = of(plan(born, D(2025, 3, 1), doses("HPV", D(2025, 2, 1))), "HPV")
    assert [(i.status, [x.reason for x in i.issues]) for i in late] == [
        (NA, [Reason.AFTER_AGE_LIMIT])
    ]


def test_hpv_catch_up_started_in_time_can_be_completed_after_27() -> None:
    items = plan(D(1998, 8, 1), D(2025, 9, 1), doses("HPV", D(2025, 7, 1)))
    assert [i.status for i in of(items, "HPV")] == [DONE, DUE, UPCOMING]


# --- recorded doses that do not count --------------------------------------------------------


def test_dose_sooner_than_the_minimum_interval_does_not_count() -> None:
    given = doses("HEXA", D(2025, 5, 1), D(2025, 5, 15))
    second = pick(plan(INFANT, D(2025, 5, 20), given), "HEXA", 2)
    assert (second.status, second.reason, second.due_date) == (
        UPCOMING,
        Reason.INTERVAL_TOO_SHORT,
        D(2025, 7, 1),
    )
    assert second.earliest_date == D(2025, 5, 29)
    assert [(issue.dose.given_on, issue.reason) for issue in second.issues] == [
        (D(2025, 5, 15), Reason.INTERVAL_TOO_SHORT)
    ]
    # A later valid dose fills it; the rejected one stays visible.
    fixed = pick(plan(INFANT, D(2025, 7, 2), [*given, *doses("HEXA", D(2025, 7, 1))]), "HEXA", 2)
    assert (fixed.status, fixed.given_on) == (DONE, D(2025, 7, 1))
    assert len(fixed.issues) == 1
    assert (
        pick(plan(INFANT, D(2025, 7, 2), [*given, *doses("HEXA", D(2025, 7, 1))]), "HEXA", 3).status
        is UPCOMING
    )


def test_dose_before_the_earliest_age_does_not_count() -> None:
    first = pick(plan(INFANT, D(2025, 4, 5), doses("HEXA", D(2025, 3, 29))), "HEXA", 1)
    assert (first.status, first.reason) == (UPCOMING, Reason.TOO_EARLY)


def test_dose_dated_before_birth_is_reported() -> None:
    first = pick(plan(INFANT, D(2025, 5, 1), doses("HEXA", D(2025, 2, 1))), "HEXA", 1)
    assert first.reason is Reason.BEFORE_BIRTH
    assert [issue.reason for issue in first.issues] == [Reason.BEFORE_BIRTH]


def test_recording_order_does_not_matter() -> None:
    today = D(2026, 9, 1)
    assert plan(INFANT, today, INFANT_DOSES) == plan(INFANT, today, list(reversed(INFANT_DOSES)))


def test_doses_after_today_are_not_seen_yet() -> None:
    assert plan(INFANT, D(2025, 4, 1), INFANT_DOSES) == plan(INFANT, D(2025, 4, 1), [])


def test_rotavirus_follows_the_product_of_the_first_dose() -> None:
    rotateq = doses("ROTA", D(2025, 5, 1), D(2025, 6, 1), product="ROTATEQ")
    items = of(plan(INFANT, D(2025, 6, 10), rotateq), "ROTA")
    assert [(i.status, i.variant) for i in items] == [
        (DONE, "rotateq"),
        (DONE, "rotateq"),
        (UPCOMING, "rotateq"),
    ]
    assert items[2].latest_date == D(2025, 10, 31)  # before 8 months


def test_rotavirus_dose_after_the_age_limit_does_not_count() -> None:
    given = doses("ROTA", D(2025, 5, 1), D(2025, 9, 15), product="ROTARIX")
    second = pick(plan(INFANT, D(2025, 9, 20), given), "ROTA", 2)
    assert (second.status, second.reason) == (NA, Reason.AGE_LIMIT_PASSED)
    assert [issue.reason for issue in second.issues] == [Reason.AFTER_AGE_LIMIT]


def test_rotavirus_that_cannot_be_completed_in_time() -> None:
    given = doses("ROTA", D(2025, 8, 10), product="ROTARIX")
    second = pick(plan(INFANT, D(2025, 8, 12), given), "ROTA", 2)
    assert (second.status, second.reason) == (NA, Reason.CANNOT_COMPLETE)


def test_adolescent_menacwy_dose_is_not_an_extra_infant_dose() -> None:
    given = [*doses("MENACWY", D(2025, 9, 1), D(2026, 3, 1), D(2037, 3, 1))]
    items = plan(INFANT, D(2037, 4, 1), given)
    assert [i.status for i in of(items, "MENACWY")] == [DONE, DONE]
    adolescent = pick(items, "MENACWY_ADO", 1)
    assert (adolescent.status, adolescent.given_on, adolescent.issues) == (
        DONE,
        D(2037, 3, 1),
        (),
    )


def test_hepatitis_b_catch_up_counts_the_infant_doses() -> None:
    two_hexa = doses("HEXA", D(2025, 5, 1), D(2025, 7, 1))
    items = of(plan(INFANT, D(2031, 6, 1), two_hexa), "HEPB_CATCHUP")
    assert [i.status for i in items] == [DONE, DONE, DUE]
    assert items[2].due_date == D(2031, 3, 1)


# --- 29 February -----------------------------------------------------------------------------

LEAP = D(2024, 2, 29)


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (D(2025, 2, 27), UPCOMING),
        (D(2025, 2, 28), DUE),
        (D(2025, 3, 28), DUE),
        (D(2025, 3, 29), OVERDUE),
    ],
)
def test_leap_day_birthday_first_birthday_is_28_february(today: dt.date, status: Status) -> None:
    first = pick(plan(LEAP, today, []), "ROR", 1)
    assert (first.due_date, first.status) == (D(2025, 2, 28), status)


def test_leap_day_birthday_earliest_age_for_a_booster() -> None:
    primary = doses("MENB", D(2024, 5, 29), D(2024, 7, 29))
    early = pick(plan(LEAP, D(2025, 3, 1), [*primary, *doses("MENB", D(2025, 2, 27))]), "MENB", 3)
    assert (early.status, early.reason, early.earliest_date) == (
        DUE,
        Reason.TOO_EARLY,
        D(2025, 2, 28),
    )
    on_time = pick(plan(LEAP, D(2025, 3, 1), [*primary, *doses("MENB", D(2025, 2, 28))]), "MENB", 3)
    assert on_time.status is DONE


def test_leap_day_senior_turns_65_on_28_february() -> None:
    item = pick(plan(D(1960, 2, 29), D(2025, 2, 28), []), "ZONA", 1)
    assert (item.status, item.due_date) == (DUE, D(2025, 2, 28))


# --- reminders --------------------------------------------------------------------------------


def test_due_within_lists_what_becomes_due_soon() -> None:
    today = D(2025, 4, 20)
    items = plan(INFANT, today, [])
    soon = due_within(items, today, 14)
    assert [(i.vaccine, i.dose_number, i.due_date) for i in soon] == [
        ("HEXA", 1, D(2025, 5, 1)),
        ("PCV", 1, D(2025, 5, 1)),
        ("ROTA", 1, D(2025, 5, 1)),
    ]
    assert due_within(items, today, 10) == []
    later = [(i.vaccine, i.dose_number, i.due_date) for i in due_within(items, today, 45)][3:]
    assert later == [("MENB", 1, D(2025, 6, 1)), ("ROTA", 2, D(2025, 6, 1))]


def test_due_within_leaves_out_overdue_and_done_items() -> None:
    today = D(2025, 7, 1)
    items = plan(INFANT, today, doses("HEXA", D(2025, 5, 1)))
    assert pick(items, "HEXA", 1) not in due_within(items, today, 30)  # done
    soon = due_within(items, today, 30)
    assert all(item.status in (UPCOMING, DUE) for item in soon)
    assert ("PCV", 1) not in {(i.vaccine, i.dose_number) for i in soon}  # overdue
    assert ("HEXA", 2) in {(i.vaccine, i.dose_number) for i in soon}  # due today
    with pytest.raises(ValueError, match="negative"):
        due_within(items, today, -1)


def test_due_within_includes_seasonal_vaccines() -> None:
    today = D(2025, 10, 1)
    soon = due_within(plan(SENIOR, today, []), today, 20)
    assert [(i.vaccine, i.season) for i in soon] == [
        ("COVID", "autumn-winter"),
        ("FLU", "autumn-winter"),
    ]


def test_plan_refuses_a_date_before_birth() -> None:
    with pytest.raises(ValueError, match="before the birth"):
        plan(INFANT, D(2025, 2, 1), [])


def test_plan_lists_every_vaccine_in_schedule_order() -> None:
    items: list[PlanItem] = plan(INFANT, D(2025, 4, 1), [DoseGiven("UNKNOWN", D(2025, 3, 15))])
    codes = list(dict.fromkeys(item.vaccine for item in items))
    assert codes == [
        "HEXA", "PCV", "MENB", "MENACWY", "ROR", "ROTA", "DTCAP", "DTCAP_ADO", "HEPB_CATCHUP",
        "MENACWY_ADO", "HPV", "DTP_ADULT", "FLU", "COVID", "ZONA", "PCV20", "RSV_SENIOR",
    ]  # fmt: skip


def test_every_status_reason_and_requirement_has_a_french_label() -> None:
    assert set(STATUS_LABELS) == set(Status)
    assert set(REASON_LABELS) == set(Reason)
    assert set(REQUIREMENT_LABELS) == set(Requirement)
    assert all(label.strip() for label in [*STATUS_LABELS.values(), *REASON_LABELS.values()])
