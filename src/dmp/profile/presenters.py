"""Words for profile entries, shared by the web pages, the API and the PDF summary."""

from __future__ import annotations

from collections.abc import Callable

from dmp.profile.model import CATEGORIES, choice_label, unit_of
from dmp.profile.orm import ProfileEntryRow

Gettext = Callable[..., str]


def describe(row: ProfileEntryRow, gettext: Gettext) -> str:
    """One line naming an entry, in the reader's language ("Pollen — Allergie, modérée")."""
    category = CATEGORIES[row.category]
    values = row.values
    parts: list[str] = []
    for name in category.summary:
        value = values.get(name)
        if value is None:
            continue
        spec = category.field(name)
        if spec.kind == "choice":
            parts.append(gettext(choice_label(row.category, name, str(value))))
        elif spec.kind == "number":
            parts.append(f"{value:g} {unit_of(values)}".strip())
        else:
            parts.append(str(value))
    return " — ".join(parts)


def details_of(row: ProfileEntryRow, gettext: Gettext) -> list[tuple[str, str]]:
    """Every filled field as (label, value), for the entry's page and the summary."""
    category = CATEGORIES[row.category]
    found: list[tuple[str, str]] = []
    for spec in category.fields:
        value = row.values.get(spec.name)
        if value is None:
            continue
        if spec.kind == "choice":
            text = gettext(choice_label(row.category, spec.name, str(value)))
        elif spec.kind == "number":
            text = f"{value:g} {unit_of(row.values)}".strip()
        else:
            text = str(value)
        found.append((gettext(spec.label), text))
    return found
