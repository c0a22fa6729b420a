"""Profile entries: each category's checks, normalisation and messages."""

from __future__ import annotations

import datetime as dt

import pytest

from dmp.profile.model import CATEGORIES, choice_label, clean, unit_of
from dmp.shared.errors import InvalidInput

TODAY = dt.date(2026, 11, 29)


def errors_of(category: str, raw: dict[str, object]) -> set[tuple[str, str]]:
    with pytest.raises(InvalidInput) as caught:
        clean(category, raw, TODAY)
    return {(e.field, e.code) for e in caught.value.errors}


def test_values_are_normalised() -> None:
    assert clean(
        "measurement", {"kind": "weight", "value": "72,5", "measured_on": "2026-11-28"}, TODAY
    ) == {"kind": "weight", "value": 72.5, "measured_on": "2026-11-28"}
    assert clean(
        "allergy",
        {"substance": "  Pollen   de  bouleau ", "kind": "allergy", "reaction": ""},
        TODAY,
    ) == {
        "substance": "Pollen de bouleau",
        "kind": "allergy",
    }
    notes = "ligne 1\n  ligne 2"
    assert clean("condition", {"name": "Asthme", "notes": notes}, TODAY)["notes"] == notes


@pytest.mark.parametrize(
    ("category", "raw", "expected"),
    [
        ("allergy", {}, {("substance", "required"), ("kind", "required")}),
        ("allergy", {"substance": "x" * 201, "kind": "allergy"}, {("substance", "too-long")}),
        ("allergy", {"substance": "Lait", "kind": "peur"}, {("kind", "unknown-choice")}),
        ("condition", {"name": "Asthme", "since": "2027-01-01"}, {("since", "future")}),
        ("condition", {"name": "Asthme", "since": "31/12/2020"}, {("since", "date-format")}),
        (
            "treatment",
            {"substance": "X", "start": "2026-05-01", "end": "2026-04-01"},
            {("end", "end-before-start")},
        ),
        (
            "measurement",
            {"kind": "height", "value": "abc", "measured_on": "2026-01-01"},
            {("value", "number-format")},
        ),
        (
            "measurement",
            {"kind": "height", "value": "nan", "measured_on": "2026-01-01"},
            {("value", "number-format")},
        ),
        (
            "measurement",
            {"kind": "height", "value": "1.75", "measured_on": "2026-01-01"},
            {("value", "out-of-range")},
        ),
        (
            "measurement",
            {"kind": "mood", "value": "3", "measured_on": "2026-01-01"},
            {("kind", "unknown-choice")},
        ),
        ("family", {"relative": "mother"}, {("condition", "required")}),
        (
            "lifestyle",
            {"topic": "tobacco", "description": "x", "extra": "y"},
            {("extra", "unknown-field")},
        ),
        ("nope", {}, {("category", "unknown-category")}),
    ],
)
def test_wrong_values_name_their_field(
    category: str, raw: dict[str, object], expected: set[tuple[str, str]]
) -> None:
    assert errors_of(category, raw) == expected


def test_a_treatment_may_end_in_the_future() -> None:
    assert clean("treatment", {"substance": "X", "end": "2027-03-01"}, TODAY)["end"] == "2027-03-01"


def test_every_category_names_its_entries_with_real_fields() -> None:
    for category in CATEGORIES.values():
        names = {f.name for f in category.fields}
        assert set(category.summary) <= names
        assert any(f.required for f in category.fields)


def test_labels_and_units() -> None:
    assert unit_of({"kind": "systolic"}) == "mmHg"
    assert unit_of({"kind": "unknown"}) == ""
    assert choice_label("family", "relative", "mother") == "Mère"
    assert choice_label("family", "relative", "cousin") == "cousin"
