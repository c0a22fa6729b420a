"""Language negotiation and French date formatting."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dmp.shared.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    format_date,
    format_datetime,
    negotiate,
    normalise_language,
    translate,
)


def test_supported_languages() -> None:
    assert LANGUAGES == ("fr", "en")
    assert DEFAULT_LANGUAGE == "fr"


# --- normalise_language -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("fr", "fr"),
        ("FR", "fr"),
        ("fr-FR", "fr"),
        ("fr_CA", "fr"),
        (" en-GB ", "en"),
        ("en-us", "en"),
        ("de", None),
        ("de-FR", None),
        ("*", None),
        ("", None),
        (None, None),
        ("french", None),
    ],
)
def test_normalise_language(value: str | None, expected: str | None) -> None:
    assert normalise_language(value) == expected


# --- negotiate --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr", "fr"),
        ("en", "en"),
        ("en-GB,en;q=0.9,fr;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7", "fr"),
        ("fr;q=0.5, en;q=0.9", "en"),
        ("en;q=0.5, fr", "fr"),  # missing q means 1
        ("de-DE,de;q=0.9,en;q=0.5", "en"),  # unsupported languages are skipped
        ("de, it, es", "fr"),  # nothing supported: default
        ("*", "fr"),
        ("en;q=0, fr;q=0.1", "fr"),  # q=0 means "not acceptable"
        ("en;q=0", "fr"),
        ("en;q=abc, fr;q=0.2", "fr"),  # malformed quality counts as 0
        ("en, fr", "en"),  # equal quality: header order
        ("fr, en", "fr"),
        ("en;q=0.8, fr;q=0.8", "en"),
        (" en-US ; q=0.7 , fr ; q=0.6 ", "en"),
        ("en-US;level=1;q=0.4, fr;q=0.3", "en"),
        (",,,", "fr"),
    ],
)
def test_negotiate(header: str, expected: str) -> None:
    assert negotiate(header) == expected


@pytest.mark.parametrize("header", [None, "", "de", "en;q=0"])
def test_negotiate_default(header: str | None) -> None:
    assert negotiate(header) == "fr"
    assert negotiate(header, default="en") == "en"


# --- format_datetime / format_date ------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Winter time: UTC+1.
        (dt.datetime(2026, 3, 12, 13, 5, tzinfo=dt.UTC), "12 mars 2026 à 14 h 05"),
        # Summer time: UTC+2.
        (dt.datetime(2026, 7, 14, 12, 5, tzinfo=dt.UTC), "14 juillet 2026 à 14 h 05"),
        # The night of the spring change (29 March 2026, 02:00 -> 03:00).
        (dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC), "29 mars 2026 à 1 h 59"),
        (dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC), "29 mars 2026 à 3 h 00"),
        # The night of the autumn change (25 October 2026, 03:00 -> 02:00).
        (dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC), "25 octobre 2026 à 2 h 30"),
        (dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC), "25 octobre 2026 à 2 h 30"),
        # Late evening UTC is already the next day in Paris.
        (dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), "1 janvier 2027 à 0 h 30"),
        (dt.datetime(2026, 2, 1, 8, 0, tzinfo=dt.UTC), "1 février 2026 à 9 h 00"),
        (dt.datetime(2026, 8, 15, 10, 0, tzinfo=dt.UTC), "15 août 2026 à 12 h 00"),
        (dt.datetime(2026, 12, 3, 22, 45, tzinfo=dt.UTC), "3 décembre 2026 à 23 h 45"),
    ],
)
def test_format_datetime_french(moment: dt.datetime, expected: str) -> None:
    assert format_datetime(moment, "fr") == expected


def test_format_datetime_from_other_timezone() -> None:
    new_york = dt.datetime(2026, 3, 12, 9, 5, tzinfo=ZoneInfo("America/New_York"))  # EDT
    assert format_datetime(new_york, "fr") == "12 mars 2026 à 14 h 05"
    paris = dt.datetime(2026, 3, 12, 14, 5, tzinfo=ZoneInfo("Europe/Paris"))
    assert format_datetime(paris, "fr") == "12 mars 2026 à 14 h 05"


def test_format_datetime_english() -> None:
    moment = dt.datetime(2026, 3, 12, 13, 5, tzinfo=dt.UTC)
    assert format_datetime(moment, "en") == "12 March 2026 at 14:05"
    assert format_datetime(dt.datetime(2026, 7, 14, 7, 5, tzinfo=dt.UTC), "en") == (
        "14 July 2026 at 09:05"
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 3, 12), "12 mars 2026"),
        (dt.date(2026, 2, 1), "1 février 2026"),
        (dt.date(1962, 8, 14), "14 août 1962"),
        (dt.date(2026, 12, 31), "31 décembre 2026"),
    ],
)
def test_format_date_french(day: dt.date, expected: str) -> None:
    assert format_date(day, "fr") == expected


def test_format_date_english() -> None:
    assert format_date(dt.date(2026, 3, 12), "en") == "12 March 2026"


# --- translate (French only: source strings are French) --------------------------------------


def test_translate_french_is_identity() -> None:
    assert translate("fr", "Ce champ est obligatoire.") == "Ce champ est obligatoire."


def test_translate_french_with_params() -> None:
    message = "Le mot de passe doit comporter au moins %(min)s caractères."
    assert translate("fr", message, {"min": 12}) == (
        "Le mot de passe doit comporter au moins 12 caractères."
    )


def test_date_filters_use_french_days() -> None:
    import datetime as dt

    from dmp.shared.i18n import local_day_end, local_day_start

    winter = dt.date(2026, 11, 29)
    assert local_day_start(winter) == dt.datetime(2026, 11, 28, 23, 0, tzinfo=dt.UTC)
    assert local_day_end(winter) == dt.datetime(2026, 11, 29, 23, 0, tzinfo=dt.UTC)
    summer = dt.date(2026, 7, 1)
    assert local_day_start(summer) == dt.datetime(2026, 6, 30, 22, 0, tzinfo=dt.UTC)
    # The night the clocks go forward, the French day lasts 23 hours.
    spring = dt.date(2026, 3, 29)
    assert local_day_end(spring) - local_day_start(spring) == dt.timedelta(hours=23)
