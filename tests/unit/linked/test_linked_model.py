"""Pure rules of linked profiles: majority day, minors, delegation windows."""

from __future__ import annotations

import datetime as dt

from dmp.linked.model import in_window, is_minor, majority_cutoff, majority_day


def test_majority_comes_on_the_eighteenth_birthday() -> None:
    born = dt.date(2008, 12, 5)
    assert is_minor(born, dt.date(2026, 12, 4), 18)
    assert not is_minor(born, dt.date(2026, 12, 5), 18)
    assert majority_day(born, 18) == dt.date(2026, 12, 5)


def test_the_age_is_configurable() -> None:
    assert not is_minor(dt.date(2010, 1, 1), dt.date(2026, 1, 1), 16)
    assert is_minor(dt.date(2010, 1, 1), dt.date(2026, 1, 1), 18)


def test_a_leap_day_birthday_comes_of_age_on_the_first_of_march() -> None:
    born = dt.date(2008, 2, 29)
    assert majority_day(born, 18) == dt.date(2026, 3, 1)
    assert is_minor(born, dt.date(2026, 2, 28), 18)
    assert not is_minor(born, dt.date(2026, 3, 1), 18)
    assert majority_cutoff(dt.date(2028, 2, 29), 18) == dt.date(2010, 2, 28)


def test_a_delegation_window_includes_both_ends() -> None:
    start, end = dt.date(2026, 1, 1), dt.date(2026, 1, 31)
    assert not in_window(start, end, dt.date(2025, 12, 31))
    assert in_window(start, end, start)
    assert in_window(start, end, end)
    assert not in_window(start, end, dt.date(2026, 2, 1))
    assert in_window(None, None, dt.date(2026, 2, 1))
