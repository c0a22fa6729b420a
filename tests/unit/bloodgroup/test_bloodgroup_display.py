"""Written forms of a card: the notations, and the words around them in French and English."""

from __future__ import annotations

import datetime as dt

import pytest

from dmp.bloodgroup.display import (
    MINUS,
    describe_group,
    describe_screen,
    describe_source,
    format_group,
    format_phenotype,
    format_rh1,
    format_rh_kel,
    format_rhd,
    sign,
)
from dmp.bloodgroup.model import Abo, AntibodyScreen, Phenotype, RhD, ScreenResult, Source

ENGLISH = {
    "Groupe %(abo)s, RhD positif": "Group %(abo)s, RhD positive",
    "Groupe %(abo)s, RhD négatif": "Group %(abo)s, RhD negative",
    "Vérifiée par un professionnel": "Verified by a health professional",
    "Déclarée par le patient (non vérifiée)": "Declared by the patient (not verified)",
    "Négative": "Negative",
    "Positive": "Positive",
    "anticorps non identifié": "antibody not identified",
}


def english(message: str) -> str:
    return ENGLISH[message]


R1R = Phenotype(big_c=True, little_c=True, big_e=False, little_e=True, kell=False)
RH_NULL = Phenotype(big_c=False, little_c=False, big_e=False, little_e=False, kell=True)


def test_the_minus_is_the_typographic_one() -> None:
    assert MINUS == "\u2212"
    assert (sign(True), sign(False)) == ("+", "\u2212")


@pytest.mark.parametrize(
    ("abo", "rhd", "expected"),
    [
        (Abo.A, RhD.positive, "A RhD+ (RH1+)"),
        (Abo.O, RhD.negative, "O RhD\u2212 (RH1\u2212)"),
        (Abo.AB, RhD.negative, "AB RhD\u2212 (RH1\u2212)"),
        (Abo.B, RhD.positive, "B RhD+ (RH1+)"),
    ],
)
def test_group(abo: Abo, rhd: RhD, expected: str) -> None:
    assert format_group(abo, rhd) == expected
    assert format_group(abo, rhd) == f"{abo} {format_rhd(rhd)} ({format_rh1(rhd)})"


@pytest.mark.parametrize(
    ("phenotype", "expected"),
    [
        (R1R, "C+ c+ E− e+ K−"),
        (Phenotype(True, False, False, True, False), "C+ c− E− e+ K−"),
        (RH_NULL, "C− c− E− e− K+"),
    ],
)
def test_phenotype(phenotype: Phenotype, expected: str) -> None:
    assert format_phenotype(phenotype) == expected


@pytest.mark.parametrize(
    ("rhd", "phenotype", "expected"),
    [
        # RH1 = D, RH2 = C, RH3 = E, RH4 = c, RH5 = e: ISBT numbers, not the C c E e order.
        (RhD.positive, R1R, "RH:1,2,-3,4,5; KEL:-1"),
        (RhD.positive, Phenotype(True, False, False, True, False), "RH:1,2,-3,-4,5; KEL:-1"),
        (RhD.negative, Phenotype(False, True, False, True, False), "RH:-1,-2,-3,4,5; KEL:-1"),
        (RhD.negative, RH_NULL, "RH:-1,-2,-3,-4,-5; KEL:1"),
    ],
)
def test_rh_kel_notation(rhd: RhD, phenotype: Phenotype, expected: str) -> None:
    assert format_rh_kel(rhd, phenotype) == expected


def test_group_in_words_french_by_default_english_with_gettext() -> None:
    assert describe_group(Abo.A, RhD.positive) == "Groupe A, RhD positif"
    assert describe_group(Abo.O, RhD.negative) == "Groupe O, RhD négatif"
    assert describe_group(Abo.AB, RhD.negative, english) == "Group AB, RhD negative"


def test_source() -> None:
    assert describe_source(Source.professional) == "Vérifiée par un professionnel"
    assert describe_source(Source.patient) == "Déclarée par le patient (non vérifiée)"
    assert describe_source(Source.patient, english) == "Declared by the patient (not verified)"


@pytest.mark.parametrize(
    ("screen", "french", "in_english"),
    [
        (AntibodyScreen(dt.date(2026, 3, 3), ScreenResult.negative), "Négative", "Negative"),
        (
            AntibodyScreen(dt.date(2026, 3, 3), ScreenResult.positive, "anti-E"),
            "Positive (anti-E)",
            "Positive (anti-E)",
        ),
        (
            AntibodyScreen(dt.date(2026, 3, 3), ScreenResult.positive),
            "Positive (anticorps non identifié)",
            "Positive (antibody not identified)",
        ),
    ],
)
def test_screen(screen: AntibodyScreen, french: str, in_english: str) -> None:
    assert describe_screen(screen) == french
    assert describe_screen(screen, english) == in_english
