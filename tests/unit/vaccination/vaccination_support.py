"""Helpers shared by the vaccination tests: finding plan items, building dose lists."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any

from dmp.vaccination import DoseGiven, PlanItem

D = dt.date


def pick(
    items: list[PlanItem], code: str, number: int | None = None, season: str | None = None
) -> PlanItem:
    """The one item of ``code`` with this dose number (or season)."""
    found = [
        item
        for item in items
        if item.vaccine == code and item.dose_number == number and item.season == season
    ]
    assert len(found) == 1, f"{code} #{number} {season}: {found}"
    return found[0]


def of(items: list[PlanItem], code: str) -> list[PlanItem]:
    return [item for item in items if item.vaccine == code]


def doses(code: str, *days: dt.date, product: str | None = None) -> list[DoseGiven]:
    return [DoseGiven(code, day, product) for day in days]


def shipped_raw() -> dict[str, Any]:
    """A fresh, mutable copy of the shipped schedule file."""
    text = (
        resources.files("dmp.vaccination")
        .joinpath("data")
        .joinpath("calendrier-fr-2025.json")
        .read_text(encoding="utf-8")
    )
    raw = json.loads(text)
    assert isinstance(raw, dict)
    return raw


def entry(raw: dict[str, Any], code: str) -> dict[str, Any]:
    for vaccine in raw["vaccines"]:
        if vaccine["code"] == code:
            assert isinstance(vaccine, dict)
            return vaccine
    raise KeyError(code)
