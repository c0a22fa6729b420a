"""Small helpers shared by the page modules."""

from __future__ import annotations

import datetime as dt

from dmp.shared.errors import N_, FieldError, InvalidInput


def mask_destination(value: str | None) -> str:
    """``c•••@demo.test`` / ``•• •• •• •• 78``: enough to recognise, not to harvest."""
    if not value:
        return ""
    if "@" in value:
        local, domain = value.split("@", 1)
        return f"{local[:1]}•••@{domain}"
    return "•• •• •• •• " + value[-2:]


def parse_date_fields(prefix: str, day: str, month: str, year: str) -> dt.date:
    """A date typed as three fields (jour / mois / année), as public-service forms do."""
    if not (day.strip() or month.strip() or year.strip()):
        raise InvalidInput(
            errors=[FieldError(prefix, "required", N_("Saisissez la date de naissance."))]
        )
    try:
        if not (day.strip() and month.strip() and year.strip()):
            raise ValueError
        if len(year.strip()) != 4:
            raise ValueError
        return dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise InvalidInput(
            errors=[
                FieldError(
                    prefix,
                    "date-format",
                    N_("Saisissez une date réelle, par exemple 27 3 1985."),
                )
            ]
        ) from exc
