"""Small helpers shared by the page modules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

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


@dataclass(frozen=True)
class Pages:
    """Where a paginated list stands, with links that keep the current filters."""

    page: int
    pages: int
    previous_url: str | None
    next_url: str | None
    last_url: str

    @property
    def past_the_end(self) -> bool:
        """A page number beyond the last (an old bookmark, a shorter list since)."""
        return self.page > self.pages


def paginate(total: int, page: int, size: int, filters: dict[str, str]) -> Pages:
    pages = max(1, -(-total // size))
    kept = {k: v for k, v in filters.items() if v}
    return Pages(
        page=page,
        pages=pages,
        previous_url=f"?{urlencode({**kept, 'page': min(page - 1, pages)})}" if page > 1 else None,
        next_url=f"?{urlencode({**kept, 'page': page + 1})}" if page < pages else None,
        last_url=f"?{urlencode({**kept, 'page': pages})}",
    )
