"""Validation of a directives document: each rule gives a precise field, code and message."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from directives_support import NOW, signed_directives

from dmp.directives.model import (
    TOO_LONG,
    AdvanceDirectives,
    Author,
    ProtectedAdultAuthorisation,
    SedationWish,
    Signature,
    SignatureKind,
    Situation,
    Treatment,
    TreatmentChoice,
    TreatmentWish,
    TrustedPersonMention,
    Witness,
)
from dmp.shared.errors import FieldError, InvalidInput

AUTHOR = Author("Martin", "Marie Claire", dt.date(1962, 8, 14), "Besançon (Doubs)")
TWO_WITNESSES = (Witness("Jeanne Durand", "amie"), Witness("Paul Martin", "frère", True))


def errors_of(directives: AdvanceDirectives) -> list[FieldError]:
    return directives.errors(now=NOW)


def author(**overrides: Any) -> Author:
    return dataclasses.replace(AUTHOR, **overrides)


def test_the_reference_document_is_valid() -> None:
    signed_directives().validate(now=NOW)


def test_validate_raises_one_error_listing_every_problem() -> None:
    directives = signed_directives(author=author(birth_place=" ", surname=""), place="")
    with pytest.raises(InvalidInput) as caught:
        directives.validate(now=NOW)
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("author.surname", "required"),
        ("author.birth_place", "required"),
        ("place", "required"),
    ]


CASES: list[tuple[str, dict[str, Any], str, str, str]] = [
    (
        "surname",
        {"author": author(surname="  ")},
        "author.surname",
        "required",
        "Saisissez votre nom de famille.",
    ),
    (
        "first names",
        {"author": author(first_names="")},
        "author.first_names",
        "required",
        "Saisissez vos prénoms.",
    ),
    (
        "surname too long",
        {"author": author(surname="A" * 101)},
        "author.surname",
        "too-long",
        TOO_LONG,
    ),
    (
        "birth date",
        {"author": author(birth_date=None)},
        "author.birth_date",
        "required",
        "Saisissez la date de naissance.",
    ),
    (
        "birth date in the future",
        {"author": author(birth_date=dt.date(2026, 3, 13))},
        "author.birth_date",
        "birth-date-future",
        "La date de naissance est dans le futur.",
    ),
    (
        "birth date long ago",
        {"author": author(birth_date=dt.date(1879, 12, 31))},
        "author.birth_date",
        "birth-date-past",
        "La date de naissance est trop ancienne : vérifiez l'année.",
    ),
    (
        "minor",
        {"author": author(birth_date=dt.date(2008, 3, 13))},
        "author.birth_date",
        "minor",
        "Seule une personne majeure peut rédiger des directives anticipées.",
    ),
    (
        "birth place",
        {"author": author(birth_place="")},
        "author.birth_place",
        "required",
        "Indiquez votre lieu de naissance (la commune, et le pays si vous êtes né(e) à"
        " l'étranger).",
    ),
    (
        "situation",
        {"situation": "maybe"},
        "situation",
        "situation",
        "Indiquez si vous êtes atteint(e) d'une maladie grave ou si vous pensez être en bonne"
        " santé.",
    ),
    (
        "unknown treatment",
        {"treatments": (TreatmentWish("acupuncture", TreatmentChoice.refuse),)},
        "treatments.0",
        "unknown-treatment",
        "Traitement inconnu : choisissez-le dans la liste, ou décrivez-le dans « autres"
        " traitements ».",
    ),
    (
        "treatment choice",
        {"treatments": (TreatmentWish(Treatment.surgery, "perhaps"),)},
        "treatments.surgery",
        "treatment-choice",
        "Choisissez pour ce traitement : l'entreprendre ou le poursuivre, le limiter, l'arrêter"
        " ou le refuser.",
    ),
    (
        "treatment twice",
        {
            "treatments": (
                TreatmentWish(Treatment.dialysis, TreatmentChoice.limit),
                TreatmentWish(Treatment.dialysis, TreatmentChoice.refuse),
            )
        },
        "treatments.dialysis",
        "duplicate",
        "Ce traitement figure deux fois : gardez une seule volonté par traitement.",
    ),
    (
        "sedation",
        {"sedation": "sometimes"},
        "sedation",
        "sedation-choice",
        "Pour la sédation, répondez oui, non, ou « je ne me prononce pas ».",
    ),
    (
        "free text too long",
        {"other_wishes": "x" * 4001},
        "other_wishes",
        "too-long",
        TOO_LONG,
    ),
    (
        "trusted person name",
        {"trusted_person": TrustedPersonMention(" ", phone="0612345678")},
        "trusted_person.name",
        "required",
        "Indiquez le nom et le prénom de votre personne de confiance.",
    ),
    (
        "trusted person contact",
        {"trusted_person": TrustedPersonMention("Paul Martin")},
        "trusted_person.contact",
        "contact-required",
        "Indiquez un numéro de téléphone ou une adresse e-mail pour joindre cette personne.",
    ),
    (
        "trusted person phone",
        {"trusted_person": TrustedPersonMention("Paul Martin", phone="06 12")},
        "trusted_person.phone",
        "phone-format",
        "Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78.",
    ),
    (
        "trusted person e-mail",
        {"trusted_person": TrustedPersonMention("Paul Martin", email="paul@")},
        "trusted_person.email",
        "email-format",
        "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
    ),
    (
        "protected adult not authorised",
        {"protected_adult_authorisation": ProtectedAdultAuthorisation(False, "judge", "TJ Lyon")},
        "protected_adult_authorisation.authorised",
        "authorisation-required",
        "Un majeur protégé doit avoir l'autorisation du juge ou du conseil de famille pour"
        " rédiger ses directives anticipées.",
    ),
    (
        "protected adult authority",
        {"protected_adult_authorisation": ProtectedAdultAuthorisation(True, "mayor", "TJ Lyon")},
        "protected_adult_authorisation.authority",
        "authority",
        "Indiquez qui vous a autorisé(e) : le juge ou le conseil de famille.",
    ),
    (
        "protected adult reference",
        {"protected_adult_authorisation": ProtectedAdultAuthorisation(True, "judge", "")},
        "protected_adult_authorisation.reference",
        "required",
        "Indiquez la référence de l'autorisation (par exemple la date de la décision et le"
        " tribunal).",
    ),
    (
        "place",
        {"place": " "},
        "place",
        "required",
        "Indiquez le lieu où vous signez (par exemple votre commune).",
    ),
    (
        "date",
        {"signed_at": None},
        "signed_at",
        "required",
        "Vos directives doivent être datées.",
    ),
    (
        "date in the future",
        {"signed_at": NOW + dt.timedelta(seconds=1)},
        "signed_at",
        "signed-in-future",
        "La date de signature ne peut pas être dans le futur.",
    ),
    (
        "signature",
        {"signature": None},
        "signature",
        "required",
        "Vos directives doivent être signées.",
    ),
    (
        "signature kind",
        {"signature": Signature("stamp")},
        "signature.kind",
        "signature-kind",
        "Signez en saisissant votre nom, ou en dessinant votre signature.",
    ),
    (
        "typed signature",
        {"signature": Signature(SignatureKind.typed, typed_name=" ")},
        "signature.typed_name",
        "required",
        "Pour signer, saisissez votre prénom et votre nom.",
    ),
    (
        "drawn signature",
        {"signature": Signature(SignatureKind.drawn)},
        "signature.drawing_ref",
        "required",
        "Dessinez votre signature dans le cadre prévu.",
    ),
    (
        "empty document",
        {
            "foreseen_situations": " ",
            "treatments": (),
            "other_treatments": "",
            "sedation": SedationWish.no_opinion,
            "other_wishes": "\n",
        },
        "wishes",
        "empty",
        "Vos directives sont vides : exprimez au moins une volonté (sur un traitement, la"
        " sédation, ou dans un des textes libres).",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "field", "code", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_each_rule_names_its_field(
    overrides: dict[str, Any], field: str, code: str, message: str
) -> None:
    errors = errors_of(signed_directives(**overrides))
    assert [(e.field, e.code, e.message) for e in errors] == [(field, code, message)]


def test_too_long_says_the_limit() -> None:
    (error,) = errors_of(signed_directives(other_wishes="x" * 4001))
    assert error.params == {"limit": 4000}
    assert error.message % error.params == "Ce texte est trop long : 4000 caractères au plus."


def test_adult_on_the_day_of_signature() -> None:
    eighteen_today = author(birth_date=dt.date(2008, 3, 12))
    assert errors_of(signed_directives(author=eighteen_today)) == []
    # Signed before the 18th birthday: refused even if the author is an adult now.
    signed_young = signed_directives(
        author=eighteen_today, signed_at=dt.datetime(2026, 3, 11, 12, tzinfo=dt.UTC)
    )
    assert [e.code for e in errors_of(signed_young)] == ["minor"]


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"treatments": (), "other_treatments": "", "sedation": None}, id="text"),
        pytest.param(
            {"treatments": (), "foreseen_situations": "", "other_wishes": "", "sedation": None},
            id="other treatments",
        ),
        pytest.param(
            {
                "foreseen_situations": "",
                "other_treatments": "",
                "other_wishes": "",
                "sedation": None,
            },
            id="one treatment",
        ),
        pytest.param(
            {
                "treatments": (),
                "foreseen_situations": "",
                "other_treatments": "",
                "other_wishes": "",
                "sedation": SedationWish.no,
            },
            id="sedation only",
        ),
    ],
)
def test_one_wish_is_enough(overrides: dict[str, Any]) -> None:
    assert errors_of(signed_directives(**overrides)) == []


def test_sedation_may_be_left_unanswered_or_given_as_a_posted_string() -> None:
    assert errors_of(signed_directives(sedation=None)) == []
    assert errors_of(signed_directives(sedation="no-opinion")) == []


@pytest.mark.parametrize("situation", list(Situation))
def test_both_versions_of_the_model(situation: Situation) -> None:
    assert errors_of(signed_directives(situation=situation)) == []
    assert errors_of(signed_directives(situation=situation.value)) == []


def test_every_treatment_and_choice_of_the_model_is_accepted() -> None:
    wishes = tuple(
        TreatmentWish(treatment, choice)
        for treatment, choice in zip(Treatment, list(TreatmentChoice) * 2, strict=False)
    )
    assert len(wishes) == len(Treatment) == 6
    assert errors_of(signed_directives(treatments=wishes)) == []


def test_drawn_signature_with_a_stored_drawing() -> None:
    drawn = Signature(SignatureKind.drawn, drawing_ref="blob:3f2a")
    assert errors_of(signed_directives(signature=drawn)) == []


def test_protected_adult_authorised_by_the_family_council() -> None:
    authorisation = ProtectedAdultAuthorisation(True, "family-council", "Délibération du 2 mai")
    assert errors_of(signed_directives(protected_adult_authorisation=authorisation)) == []


def test_naive_datetimes_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        signed_directives().errors(now=dt.datetime(2026, 3, 12))  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        signed_directives(signed_at=dt.datetime(2026, 3, 12)).errors(now=NOW)  # noqa: DTZ001


class TestWitnesses:
    def test_not_needed_when_the_author_writes(self) -> None:
        assert errors_of(signed_directives(author_can_write=True, witnesses=())) == []

    def test_two_witnesses_when_the_author_cannot_write(self) -> None:
        directives = signed_directives(author_can_write=False, witnesses=TWO_WITNESSES)
        assert errors_of(directives) == []

    @pytest.mark.parametrize("count", [0, 1, 3])
    def test_exactly_two_when_the_author_cannot_write(self, count: int) -> None:
        witnesses = tuple(Witness(f"Témoin {'ABC'[i]}", "voisin") for i in range(count))
        errors = errors_of(signed_directives(author_can_write=False, witnesses=witnesses))
        assert [(e.field, e.code, e.message) for e in errors] == [
            (
                "witnesses",
                "witnesses-required",
                "Si vous ne pouvez pas écrire vous-même, deux témoins doivent attester que ces"
                " directives expriment votre volonté libre et éclairée.",
            )
        ]

    def test_two_or_none_when_the_author_writes(self) -> None:
        errors = errors_of(signed_directives(witnesses=(Witness("Jeanne Durand", "amie"),)))
        assert [(e.field, e.code, e.message) for e in errors] == [
            ("witnesses", "witnesses-count", "Indiquez deux témoins, ou aucun.")
        ]

    def test_name_and_capacity_of_each(self) -> None:
        witnesses = (Witness(" ", "amie"), Witness("Paul Martin", ""))
        errors = errors_of(signed_directives(author_can_write=False, witnesses=witnesses))
        assert [(e.field, e.code, e.message) for e in errors] == [
            ("witnesses.0.name", "required", "Indiquez le nom et le prénom du témoin."),
            (
                "witnesses.1.capacity",
                "required",
                "Indiquez la qualité du témoin : son lien avec vous ou sa profession (par"
                " exemple « ami », « infirmière »).",
            ),
        ]

    def test_one_may_be_the_trusted_person_not_both(self) -> None:
        both = (Witness("Jeanne Durand", "amie", True), Witness("Paul Martin", "frère", True))
        errors = errors_of(signed_directives(author_can_write=False, witnesses=both))
        assert [(e.field, e.code, e.message) for e in errors] == [
            (
                "witnesses",
                "one-trusted-person",
                "Un seul des deux témoins peut être votre personne de confiance.",
            )
        ]

    def test_two_different_people(self) -> None:
        same = (Witness("Jeanne Durand", "amie"), Witness(" jeanne  DURAND", "voisine"))
        errors = errors_of(signed_directives(author_can_write=False, witnesses=same))
        assert [(e.field, e.code, e.message) for e in errors] == [
            (
                "witnesses.1.name",
                "same-witness",
                "Les deux témoins doivent être deux personnes différentes.",
            )
        ]


def test_display_name_puts_the_surname_in_capitals() -> None:
    assert Author(" de la Tour ", "Anne  Sophie", None, "").display_name == "Anne Sophie DE LA TOUR"
