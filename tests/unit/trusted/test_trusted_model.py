"""The designation's pure rules: adulthood, and the name a designee types to co-sign."""

from __future__ import annotations

import datetime as dt

import pytest

from dmp.linked.model import is_minor
from dmp.shared.errors import InvalidInput
from dmp.trusted.model import check_typed_name, name_matches


@pytest.mark.parametrize(
    ("birth", "day", "adult"),
    [
        (dt.date(2008, 3, 12), dt.date(2026, 3, 11), False),
        (dt.date(2008, 3, 12), dt.date(2026, 3, 12), True),
        (dt.date(2008, 2, 29), dt.date(2026, 2, 28), False),
        (dt.date(2008, 2, 29), dt.date(2026, 3, 1), True),
    ],
)
def test_adulthood_starts_on_the_eighteenth_birthday(
    birth: dt.date, day: dt.date, adult: bool
) -> None:
    assert (not is_minor(birth, day, 18)) is adult


@pytest.mark.parametrize(
    ("typed", "matches"),
    [
        ("Jean-Marie Le Gall", True),
        ("LE GALL Jean-Marie", True),
        ("jean le gall", True),
        ("Jéan LE GÂLL", True),
        ("Marie Le Gall", True),  # one of the first names is enough
        ("Jean-Marie Legall", False),  # the whole surname, word for word
        ("Jean-Marie Gall", False),
        ("Le Gall", False),
        ("", False),
    ],
)
def test_the_typed_name_must_be_the_designees(typed: str, matches: bool) -> None:
    assert name_matches(typed, surname="Le Gall", first_names="Jean-Marie") is matches


def test_the_cosignature_keeps_the_name_as_typed_or_says_what_is_wrong() -> None:
    assert check_typed_name("  paul   MARTIN ", surname="Martin", first_names="Paul") == (
        "paul MARTIN"
    )
    for typed, code in (
        ("", "required"),
        ("Pierre Dupont", "name-mismatch"),
        ("x" * 201, "too-long"),
    ):
        with pytest.raises(InvalidInput) as refused:
            check_typed_name(typed, surname="Martin", first_names="Paul")
        assert [e.code for e in refused.value.errors] == [code]
        assert refused.value.errors[0].field == "full_name"
