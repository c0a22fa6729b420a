"""Translations (Babel/gettext catalogues) and French-style date formatting.

Source strings are French (the product is French first); ``locale/en`` holds the complete
English catalogue, and a test keeps it complete.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.support import Translations

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DISPLAY_TZ = ZoneInfo("Europe/Paris")

Gettext = Callable[[str], str]


def local_day_start(day: dt.date) -> dt.datetime:
    """Midnight starting ``day`` in France, in UTC: a filter "from the 3rd to the 5th" means
    French days, not UTC ones (an access at 00:30 in Paris belongs to that Paris day)."""
    return dt.datetime.combine(day, dt.time.min, DISPLAY_TZ).astimezone(dt.UTC)


def local_day_end(day: dt.date) -> dt.datetime:
    """The exclusive end of ``day`` in France, in UTC."""
    return local_day_start(day + dt.timedelta(days=1))


def local_date(value: dt.date) -> dt.date:
    """The day a moment falls on in France (what a reader means by "the date"); a date as is."""
    if isinstance(value, dt.datetime):
        return value.astimezone(DISPLAY_TZ).date() if value.tzinfo else value.date()
    return value


def normalise_language(value: str | None) -> str | None:
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def negotiate(accept_language: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Pick a supported language from an ``Accept-Language`` header."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        pieces = part.strip().split(";")
        quality = 1.0
        for param in pieces[1:]:
            if param.strip().startswith("q="):
                try:
                    quality = float(param.strip()[2:])
                except ValueError:
                    quality = 0.0
        code = normalise_language(pieces[0])
        if code and quality > 0:
            ranked.append((-quality, index, code))
    return sorted(ranked)[0][2] if ranked else default


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> _gettext.NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    return Translations.load(str(LOCALE_DIR), [language], domain="messages")


def translate(language: str, message: str, params: Mapping[str, Any] | None = None) -> str:
    text = translations(language).gettext(message)
    return text % dict(params) if params else text


def format_datetime(moment: dt.datetime, language: str) -> str:
    """``12 mars 2026 à 14 h 05`` / ``12 March 2026 at 14:05``, in French time."""
    local = moment.astimezone(DISPLAY_TZ)
    if language == "fr":
        return _babel_format_datetime(local, "d MMMM y 'à' H 'h' mm", locale="fr_FR")
    return _babel_format_datetime(local, "d MMMM y 'at' HH:mm", locale="en_GB")


def format_date(day: dt.date, language: str) -> str:
    return _babel_format_date(day, "d MMMM y", locale="fr_FR" if language == "fr" else "en_GB")
