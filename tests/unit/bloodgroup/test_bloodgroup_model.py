"""Blood-group card validation: what is accepted, and each refusal with its field and message."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from dmp.bloodgroup.model import (
    BIOLOGIST_MAX,
    LABORATORY_MAX,
    SPECIFICITY_MAX,
    Abo,
    AntibodyScreen,
    BloodGroupCard,
    BloodGroupInput,
    Phenotype,
    RhD,
    ScreenResult,
    Source,
    validate,
)
from dmp.shared.errors import InvalidInput

TODAY = dt.date(2026, 3, 12)
BIRTH = dt.date(1962, 8, 14)

# A verified card as a laboratory issues it: common phenotype "DCe/dce" (R1r), K−.
PROFESSIONAL: dict[str, Any] = {
    "abo": "A",
    "rhd": "positive",
    "source": "professional",
    "big_c": True,
    "little_c": True,
    "big_e": False,
    "little_e": True,
    "kell": False,
    "rai_date": dt.date(2026, 3, 3),
    "rai_result": "negative",
    "laboratory": "Laboratoire Cerballiance Paris 15",
    "biologist": "Dr Jeanne Dupont",
    "first_determination": dt.date(2025, 3, 12),
}
DECLARED: dict[str, Any] = {"abo": "O", "rhd": "negative", "source": "patient"}


def _validate(base: dict[str, Any], **overrides: Any) -> BloodGroupCard:
    return validate(BloodGroupInput(**{**base, **overrides}), today=TODAY, birth_date=BIRTH)


def _errors(base: dict[str, Any], **overrides: Any) -> list[tuple[str, str, str]]:
    with pytest.raises(InvalidInput) as info:
        _validate(base, **overrides)
    return [(e.field, e.code, e.message % dict(e.params)) for e in info.value.errors]


# --- Accepted cards ------------------------------------------------------------------------------


def test_a_professional_card_is_built_with_every_value() -> None:
    card = _validate(PROFESSIONAL, second_determination=dt.date(2025, 3, 20))
    assert card == BloodGroupCard(
        abo=Abo.A,
        rhd=RhD.positive,
        source=Source.professional,
        phenotype=Phenotype(big_c=True, little_c=True, big_e=False, little_e=True, kell=False),
        antibody_screen=AntibodyScreen(dt.date(2026, 3, 3), ScreenResult.negative),
        laboratory="Laboratoire Cerballiance Paris 15",
        biologist="Dr Jeanne Dupont",
        first_determination=dt.date(2025, 3, 12),
        second_determination=dt.date(2025, 3, 20),
    )
    assert card.verified
    assert card.determinations == (dt.date(2025, 3, 12), dt.date(2025, 3, 20))


def test_a_declared_card_needs_only_the_group() -> None:
    card = _validate(DECLARED)
    assert card == BloodGroupCard(abo=Abo.O, rhd=RhD.negative, source=Source.patient)
    assert not card.verified
    assert card.phenotype is None
    assert card.laboratory is None
    assert card.determinations == ()


def test_a_declared_card_may_carry_what_the_patient_knows() -> None:
    card = _validate(
        DECLARED,
        big_c=False,
        little_c=True,
        big_e=False,
        little_e=True,
        kell=False,
        laboratory="  Labo   du   quartier ",
    )
    assert card.phenotype == Phenotype(False, True, False, True, False)
    assert card.laboratory == "Labo du quartier"  # spaces collapsed


def test_values_are_normalised_before_they_are_checked() -> None:
    card = _validate(PROFESSIONAL, abo=" ab ", rhd="NEGATIVE", source=" Professional ")
    assert (card.abo, card.rhd, card.source) == (Abo.AB, RhD.negative, Source.professional)


@pytest.mark.parametrize(
    ("big_c", "little_c", "big_e", "little_e"),
    [
        (True, False, True, False),  # RhD− with C and E: r′r″, rare but real
        (True, False, False, True),  # r′r (dCe/dce)
        (False, True, True, False),  # r″r (dcE/dce)
    ],
)
def test_rhd_negative_does_not_constrain_c_or_e(
    big_c: bool, little_c: bool, big_e: bool, little_e: bool
) -> None:
    # D is encoded by RHD, C/c and E/e by RHCE: no C or E antigen implies D.
    card = _validate(
        PROFESSIONAL, rhd="negative", big_c=big_c, little_c=little_c, big_e=big_e, little_e=little_e
    )
    assert card.rhd is RhD.negative


def test_a_rare_phenotype_may_lack_both_antithetical_antigens() -> None:
    # Rh null: neither C, c, E nor e (and no D).
    card = _validate(
        PROFESSIONAL,
        rhd="negative",
        big_c=False,
        little_c=False,
        big_e=False,
        little_e=False,
        rare_phenotype=True,
    )
    assert card.rare_phenotype
    assert card.phenotype == Phenotype(False, False, False, False, False)


def test_kell_is_free() -> None:
    assert _validate(PROFESSIONAL, kell=True).phenotype == Phenotype(True, True, False, True, True)


def test_dates_of_today_and_a_same_day_second_determination_are_accepted() -> None:
    # Two samples taken the same day by different people is the usual way to get two.
    card = _validate(
        PROFESSIONAL, first_determination=TODAY, second_determination=TODAY, rai_date=TODAY
    )
    assert card.determinations == (TODAY, TODAY)


def test_dates_on_the_birth_day_are_accepted() -> None:
    assert _validate(PROFESSIONAL, first_determination=BIRTH).first_determination == BIRTH


def test_without_a_birth_date_only_the_future_is_refused() -> None:
    card = validate(
        BloodGroupInput(**{**PROFESSIONAL, "first_determination": dt.date(1900, 1, 1)}),
        today=TODAY,
    )
    assert card.first_determination == dt.date(1900, 1, 1)


def test_a_positive_screen_with_its_antibody() -> None:
    card = _validate(PROFESSIONAL, rai_result="positive", rai_specificity=" anti-E ")
    assert card.antibody_screen == AntibodyScreen(
        dt.date(2026, 3, 3), ScreenResult.positive, "anti-E"
    )
    assert card.antibody_screen is not None
    assert not card.antibody_screen.unidentified


def test_a_positive_screen_with_an_unidentified_antibody() -> None:
    card = _validate(PROFESSIONAL, rai_result="positive", rai_unidentified=True)
    assert card.antibody_screen == AntibodyScreen(dt.date(2026, 3, 3), ScreenResult.positive)
    assert card.antibody_screen.unidentified


def test_the_screen_is_optional() -> None:
    assert _validate(PROFESSIONAL, rai_date=None, rai_result=None).antibody_screen is None


def test_the_longest_names_are_accepted() -> None:
    card = _validate(
        PROFESSIONAL,
        laboratory="L" * LABORATORY_MAX,
        biologist="B" * BIOLOGIST_MAX,
        rai_result="positive",
        rai_specificity="S" * SPECIFICITY_MAX,
    )
    assert card.laboratory == "L" * LABORATORY_MAX


def test_a_card_is_immutable() -> None:
    card = _validate(PROFESSIONAL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        card.abo = Abo.B  # type: ignore[misc]


# --- Refusals ---------------------------------------------------------------------------------

C_RARE = (
    "C et c ne peuvent être absents tous les deux que dans un phénotype rare : vérifiez le"
    " résultat, ou indiquez qu'il s'agit d'un phénotype rare."
)
E_RARE = (
    "E et e ne peuvent être absents tous les deux que dans un phénotype rare : vérifiez le"
    " résultat, ou indiquez qu'il s'agit d'un phénotype rare."
)
FUTURE = "Cette date ne peut pas être dans le futur."
BEFORE_BIRTH = "Cette date ne peut pas précéder la date de naissance."
RAI_RESULT = "Indiquez le résultat de la RAI (recherche d'anticorps irréguliers)."
TOMORROW = TODAY + dt.timedelta(days=1)

REFUSALS: list[tuple[str, dict[str, Any], dict[str, Any], list[tuple[str, str, str]]]] = [
    # ABO, RhD and source are always required.
    (
        "no ABO",
        DECLARED,
        {"abo": None},
        [("abo", "required", "Choisissez le groupe ABO : A, B, AB ou O.")],
    ),
    (
        "unknown ABO",
        DECLARED,
        {"abo": "C"},
        [("abo", "required", "Choisissez le groupe ABO : A, B, AB ou O.")],
    ),
    (
        "zero for O",
        DECLARED,
        {"abo": "0"},
        [("abo", "required", "Choisissez le groupe ABO : A, B, AB ou O.")],
    ),
    (
        "no RhD",
        DECLARED,
        {"rhd": ""},
        [("rhd", "required", "Indiquez si le RhD (RH1) est positif ou négatif.")],
    ),
    (
        "RhD as a sign",
        DECLARED,
        {"rhd": "+"},
        [("rhd", "required", "Indiquez si le RhD (RH1) est positif ou négatif.")],
    ),
    (
        "no source",
        DECLARED,
        {"source": None},
        [("source", "required", "Indiquez qui a établi la carte.")],
    ),
    # Phenotype.
    (
        "verified without phenotype",
        PROFESSIONAL,
        {"big_c": None, "little_c": None, "big_e": None, "little_e": None, "kell": None},
        [
            (
                "big_c",
                "phenotype-required",
                "Indiquez le phénotype RH-KEL1 (C, c, E, e, K) figurant sur le résultat.",
            )
        ],
    ),
    (
        "partial phenotype",
        DECLARED,
        {"big_c": True, "little_c": False, "little_e": True},
        [
            ("big_e", "required", "Indiquez si l'antigène E (RH3) est présent ou absent."),
            ("kell", "required", "Indiquez si l'antigène Kell (K, KEL1) est présent ou absent."),
        ],
    ),
    (
        "little c missing",
        PROFESSIONAL,
        {"little_c": None},
        [("little_c", "required", "Indiquez si l'antigène c (RH4) est présent ou absent.")],
    ),
    (
        "neither C nor c",
        PROFESSIONAL,
        {"big_c": False, "little_c": False},
        [("big_c", "c-both-absent", C_RARE)],
    ),
    (
        "neither E nor e",
        PROFESSIONAL,
        {"big_e": False, "little_e": False},
        [("big_e", "e-both-absent", E_RARE)],
    ),
    (
        "Rh null not flagged rare",
        DECLARED,
        {"big_c": False, "little_c": False, "big_e": False, "little_e": False, "kell": False},
        [("big_c", "c-both-absent", C_RARE), ("big_e", "e-both-absent", E_RARE)],
    ),
    # Laboratory and biologist.
    (
        "verified without laboratory",
        PROFESSIONAL,
        {"laboratory": "   "},
        [
            (
                "laboratory",
                "required",
                "Indiquez le laboratoire qui a déterminé le groupe sanguin.",
            )
        ],
    ),
    (
        "verified without biologist",
        PROFESSIONAL,
        {"biologist": None},
        [("biologist", "required", "Indiquez le biologiste qui a validé le résultat.")],
    ),
    (
        "laboratory too long",
        DECLARED,
        {"laboratory": "L" * (LABORATORY_MAX + 1)},
        [
            (
                "laboratory",
                "too-long",
                "Le nom du laboratoire ne peut pas dépasser 120 caractères.",
            )
        ],
    ),
    (
        "biologist too long",
        PROFESSIONAL,
        {"biologist": "B" * (BIOLOGIST_MAX + 1)},
        [("biologist", "too-long", "Le nom du biologiste ne peut pas dépasser 80 caractères.")],
    ),
    # Determination dates.
    (
        "verified without determination date",
        PROFESSIONAL,
        {"first_determination": None},
        [
            (
                "first_determination",
                "required",
                "Indiquez la date de la détermination du groupe sanguin.",
            )
        ],
    ),
    (
        "second without first",
        DECLARED,
        {"second_determination": dt.date(2025, 1, 1)},
        [
            (
                "first_determination",
                "required",
                "Indiquez la date de la première détermination avant celle de la seconde.",
            )
        ],
    ),
    (
        "first in the future",
        PROFESSIONAL,
        {"first_determination": TOMORROW},
        [("first_determination", "date-future", FUTURE)],
    ),
    (
        "second in the future",
        PROFESSIONAL,
        {"second_determination": TOMORROW},
        [("second_determination", "date-future", FUTURE)],
    ),
    (
        "second before first",
        PROFESSIONAL,
        {"second_determination": dt.date(2025, 3, 11)},
        [
            (
                "second_determination",
                "date-order",
                "La seconde détermination ne peut pas précéder la première.",
            )
        ],
    ),
    (
        "determination before birth",
        PROFESSIONAL,
        {"first_determination": BIRTH - dt.timedelta(days=1)},
        [("first_determination", "date-before-birth", BEFORE_BIRTH)],
    ),
    # Irregular-antibody screen (RAI).
    (
        "positive screen without antibody",
        PROFESSIONAL,
        {"rai_result": "positive"},
        [
            (
                "rai_specificity",
                "specificity-required",
                "Une RAI positive précise l'anticorps trouvé (par exemple « anti-E ») ou"
                " indique qu'il n'est pas identifié.",
            )
        ],
    ),
    (
        "positive screen with antibody and unidentified",
        PROFESSIONAL,
        {"rai_result": "positive", "rai_specificity": "anti-K", "rai_unidentified": True},
        [
            (
                "rai_specificity",
                "specificity-conflict",
                "Indiquez l'anticorps trouvé ou qu'il n'est pas identifié, pas les deux.",
            )
        ],
    ),
    (
        "antibody too long",
        PROFESSIONAL,
        {"rai_result": "positive", "rai_specificity": "a" * (SPECIFICITY_MAX + 1)},
        [
            (
                "rai_specificity",
                "too-long",
                "La spécificité de l'anticorps ne peut pas dépasser 80 caractères.",
            )
        ],
    ),
    (
        "negative screen with antibody",
        PROFESSIONAL,
        {"rai_specificity": "anti-E"},
        [
            (
                "rai_specificity",
                "negative-with-antibody",
                "Une RAI négative n'a pas d'anticorps à préciser : effacez la spécificité.",
            )
        ],
    ),
    (
        "negative screen marked unidentified",
        PROFESSIONAL,
        {"rai_unidentified": True},
        [
            (
                "rai_specificity",
                "negative-with-antibody",
                "Une RAI négative n'a pas d'anticorps à préciser : effacez la spécificité.",
            )
        ],
    ),
    (
        "screen without date",
        PROFESSIONAL,
        {"rai_date": None},
        [("rai_date", "required", "Indiquez la date de la RAI.")],
    ),
    (
        "screen without result",
        PROFESSIONAL,
        {"rai_result": None},
        [("rai_result", "required", RAI_RESULT)],
    ),
    (
        "screen with unknown result",
        PROFESSIONAL,
        {"rai_result": "douteuse"},
        [("rai_result", "required", RAI_RESULT)],
    ),
    (
        "only the unidentified box",
        DECLARED,
        {"rai_unidentified": True},
        [("rai_result", "required", RAI_RESULT)],
    ),
    (
        "screen in the future",
        PROFESSIONAL,
        {"rai_date": TOMORROW},
        [("rai_date", "date-future", FUTURE)],
    ),
    (
        "screen before birth",
        PROFESSIONAL,
        {"rai_date": dt.date(1950, 1, 1)},
        [("rai_date", "date-before-birth", BEFORE_BIRTH)],
    ),
]


@pytest.mark.parametrize(
    ("base", "overrides", "expected"),
    [
        pytest.param(base, overrides, expected, id=name)
        for name, base, overrides, expected in REFUSALS
    ],
)
def test_refusals(
    base: dict[str, Any], overrides: dict[str, Any], expected: list[tuple[str, str, str]]
) -> None:
    assert _errors(base, **overrides) == expected


def test_every_problem_is_reported_at_once() -> None:
    fields = [
        field
        for field, _code, _message in _errors(
            PROFESSIONAL,
            abo="Z",
            little_c=False,
            big_c=False,
            laboratory=None,
            second_determination=dt.date(2000, 1, 1),
            rai_result="positive",
        )
    ]
    assert fields == ["abo", "big_c", "laboratory", "second_determination", "rai_specificity"]


def test_an_empty_form_asks_for_the_group_and_the_source() -> None:
    fields = [f for f, _c, _m in _errors({"abo": None, "rhd": None, "source": None})]
    assert fields == ["abo", "rhd", "source"]


def test_limits_travel_as_parameters_for_translation() -> None:
    with pytest.raises(InvalidInput) as info:
        _validate(DECLARED, laboratory="L" * (LABORATORY_MAX + 1))
    (error,) = info.value.errors
    assert error.message == "Le nom du laboratoire ne peut pas dépasser %(max)s caractères."
    assert error.params == {"max": LABORATORY_MAX}
    assert info.value.status == 422
