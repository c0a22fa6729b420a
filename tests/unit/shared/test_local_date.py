"""Dates shown on pages are French days: a moment late in the evening UTC is already the next
day in Paris."""

from __future__ import annotations

import datetime as dt

from dmp.shared.i18n import local_date


def test_a_utc_evening_is_the_next_day_in_paris() -> None:
    assert local_date(dt.datetime(2026, 11, 28, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 11, 29)


def test_a_date_is_kept_as_it_is() -> None:
    assert local_date(dt.date(2026, 11, 28)) == dt.date(2026, 11, 28)
