"""Ages and periods: ISO 8601 parsing, month-end clamping, 29 February birthdays."""

from __future__ import annotations

import datetime as dt

import pytest

from dmp.vaccination import Period, add_period, age_in_months, age_in_years, parse_period

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P2M", Period(months=2)),
        ("P11Y", Period(years=11)),
        ("P6W", Period(days=42)),
        ("P1Y6M", Period(years=1, months=6)),
        ("P1M2W3D", Period(months=1, days=17)),
        ("P0D", Period()),
    ],
)
def test_parse_period(text: str, expected: Period) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["", "P", "2M", "P2", "P-1M", "P2M1Y", "p2m", "P1.5Y", " P2M"])
def test_parse_period_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_period(text)


def test_period_text_round_trips() -> None:
    assert str(Period(years=1, months=6)) == "P1Y6M"
    assert str(Period()) == "P0D"
    assert parse_period(str(Period(years=2, days=3))) == Period(years=2, days=3)


@pytest.mark.parametrize(
    ("start", "period", "expected"),
    [
        (D(2025, 3, 1), "P2M", D(2025, 5, 1)),
        (D(2025, 1, 31), "P1M", D(2025, 2, 28)),
        (D(2024, 1, 31), "P1M", D(2024, 2, 29)),
        (D(2024, 2, 29), "P1Y", D(2025, 2, 28)),
        (D(2024, 2, 29), "P4Y", D(2028, 2, 29)),
        (D(2024, 12, 15), "P2M", D(2025, 2, 15)),
        (D(2025, 3, 1), "P6W", D(2025, 4, 12)),
        (D(2024, 2, 29), "P12M1D", D(2025, 3, 1)),
    ],
)
def test_add_period_clamps_to_month_end(start: dt.date, period: str, expected: dt.date) -> None:
    assert add_period(start, parse_period(period)) == expected


@pytest.mark.parametrize(
    ("birth", "on", "months", "years"),
    [
        (D(2025, 3, 1), D(2025, 3, 1), 0, 0),
        (D(2025, 3, 1), D(2025, 4, 30), 1, 0),
        (D(2025, 3, 1), D(2026, 2, 28), 11, 0),
        (D(2025, 3, 1), D(2026, 3, 1), 12, 1),
        (D(2024, 2, 29), D(2025, 2, 27), 11, 0),
        (D(2024, 2, 29), D(2025, 2, 28), 12, 1),  # a common year: the birthday is 28 Feb
        (D(2024, 2, 29), D(2028, 2, 28), 47, 3),
        (D(2024, 2, 29), D(2028, 2, 29), 48, 4),
        (D(2024, 1, 31), D(2024, 2, 28), 0, 0),
        (D(2024, 1, 31), D(2024, 2, 29), 1, 0),
        (D(1960, 2, 29), D(2025, 2, 28), 780, 65),
    ],
)
def test_exact_ages(birth: dt.date, on: dt.date, months: int, years: int) -> None:
    assert age_in_months(birth, on) == months
    assert age_in_years(birth, on) == years


def test_age_before_birth_is_refused() -> None:
    with pytest.raises(ValueError, match="before the birth"):
        age_in_months(D(2025, 3, 1), D(2025, 2, 28))
