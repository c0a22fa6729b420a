"""Blood-group card: its values and the rules that keep them coherent (written forms: display.py).

Pure rules, no database or web code. Sources: DOMAIN.md §7 (content of the card: ABO, RH1,
RH-KEL1 phenotype; one determination since the arrêté of 15 May 2018, a second one only in a
proven transfusion context; RAI).

Blood-group facts the rules rely on (textbook immunohaematology, ISBT 001 ABO, 004 RH, 006 KEL):

- D (RH1) comes from the *RHD* gene, C/c (RH2/RH4) and E/e (RH3/RH5) from the separate *RHCE*
  gene. So no C, c, E or e result implies anything about D: RhD-negative people with C or E
  (haplotypes r′ "dCe" and r″ "dcE") are uncommon but ordinary. No rule links RhD to them here.
- Every *RHCE* allele carries C or c, and E or e; lacking both C and c (or both E and e) happens
  only in very rare phenotypes (Rh null, D−−, Dc−, DCʷ−…). That is refused unless the card says
  explicitly that the phenotype is rare.
- K (KEL1) present or absent is unconstrained (its antithetical k is not on the card).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any, TypeVar

from dmp.shared.errors import N_, FieldError, InvalidInput

# Short enough for the printed card to hold every value in full (the longest are tested).
LABORATORY_MAX = 120
BIOLOGIST_MAX = 80
SPECIFICITY_MAX = 80

_Choice = TypeVar("_Choice", bound=enum.StrEnum)


class Abo(enum.StrEnum):
    A = "A"
    B = "B"
    AB = "AB"
    O = "O"  # noqa: E741 (the blood group is the letter O, not a zero)


class RhD(enum.StrEnum):
    """RhD, written RH1 in the ISBT numbering that French lab reports use."""

    positive = "positive"
    negative = "negative"


class ScreenResult(enum.StrEnum):
    """Result of the irregular-antibody screen (RAI, recherche d'anticorps irréguliers)."""

    negative = "negative"
    positive = "positive"


class Source(enum.StrEnum):
    """Who vouches for the card."""

    professional = "professional"  # from a laboratory result: verified
    patient = "patient"  # typed in by the patient: declared, not verified


@dataclass(frozen=True)
class Phenotype:
    """RH-KEL1 phenotype: each antigen present (True) or absent (False).

    Field names follow the spoken "big C / little c": names differing only by case would be
    too easy to mix up.
    """

    big_c: bool  # C, RH2
    little_c: bool  # c, RH4
    big_e: bool  # E, RH3
    little_e: bool  # e, RH5
    kell: bool  # K, KEL1


@dataclass(frozen=True)
class AntibodyScreen:
    """An irregular-antibody screen (RAI).

    ``specificity`` is set only for a positive screen; a positive screen without it means the
    laboratory reported the antibody as not identified (the validator requires that to be said
    explicitly, it is never a silent omission).
    """

    performed_on: dt.date
    result: ScreenResult
    specificity: str | None = None

    @property
    def unidentified(self) -> bool:
        return self.result is ScreenResult.positive and self.specificity is None


@dataclass(frozen=True)
class BloodGroupCard:
    """A validated blood-group card. Build it with :func:`validate`."""

    abo: Abo
    rhd: RhD
    source: Source
    phenotype: Phenotype | None = None
    rare_phenotype: bool = False
    antibody_screen: AntibodyScreen | None = None
    laboratory: str | None = None
    biologist: str | None = None
    first_determination: dt.date | None = None
    second_determination: dt.date | None = None

    @property
    def verified(self) -> bool:
        return self.source is Source.professional

    @property
    def determinations(self) -> tuple[dt.date, ...]:
        return tuple(
            d for d in (self.first_determination, self.second_determination) if d is not None
        )


@dataclass
class BloodGroupInput:
    """Raw card values as typed in a form or received, before validation.

    Antigens are ``None`` when not given; the phenotype is either complete or absent.
    """

    abo: str | None
    rhd: str | None
    source: str | None
    big_c: bool | None = None
    little_c: bool | None = None
    big_e: bool | None = None
    little_e: bool | None = None
    kell: bool | None = None
    rare_phenotype: bool = False
    rai_date: dt.date | None = None
    rai_result: str | None = None
    rai_specificity: str | None = None
    rai_unidentified: bool = False
    laboratory: str | None = None
    biologist: str | None = None
    first_determination: dt.date | None = None
    second_determination: dt.date | None = None


_ANTIGEN_MESSAGES = {
    "big_c": N_("Indiquez si l'antigène C (RH2) est présent ou absent."),
    "little_c": N_("Indiquez si l'antigène c (RH4) est présent ou absent."),
    "big_e": N_("Indiquez si l'antigène E (RH3) est présent ou absent."),
    "little_e": N_("Indiquez si l'antigène e (RH5) est présent ou absent."),
    "kell": N_("Indiquez si l'antigène Kell (K, KEL1) est présent ou absent."),
}
# Two whole sentences rather than one with a placeholder: "C et c" must be translated too.
_C_RARE = N_(
    "C et c ne peuvent être absents tous les deux que dans un phénotype rare : vérifiez le"
    " résultat, ou indiquez qu'il s'agit d'un phénotype rare."
)
_E_RARE = N_(
    "E et e ne peuvent être absents tous les deux que dans un phénotype rare : vérifiez le"
    " résultat, ou indiquez qu'il s'agit d'un phénotype rare."
)


class _Errors:
    """Collects every problem, so a form can show them all at once."""

    def __init__(self, *, today: dt.date, birth_date: dt.date | None) -> None:
        self.items: list[FieldError] = []
        self._today = today
        self._birth_date = birth_date

    def add(self, field_name: str, code: str, message: str, **params: Any) -> None:
        self.items.append(FieldError(field_name, code, message, params))

    def date_ok(self, field_name: str, day: dt.date) -> bool:
        """A date of the past (today included), not before the holder's birth."""
        if day > self._today:
            self.add(field_name, "date-future", N_("Cette date ne peut pas être dans le futur."))
            return False
        if self._birth_date is not None and day < self._birth_date:
            self.add(
                field_name,
                "date-before-birth",
                N_("Cette date ne peut pas précéder la date de naissance."),
            )
            return False
        return True


def validate(
    data: BloodGroupInput, *, today: dt.date, birth_date: dt.date | None = None
) -> BloodGroupCard:
    """Check a card and build it, or raise one :class:`InvalidInput` listing every problem.

    ``today`` is the current date in France (no date may be after it); ``birth_date``, when
    known, is the holder's: no determination or screen can predate it.
    """
    errors = _Errors(today=today, birth_date=birth_date)
    abo = _choice(Abo, (data.abo or "").strip().upper())
    if abo is None:
        errors.add("abo", "required", N_("Choisissez le groupe ABO : A, B, AB ou O."))
    rhd = _choice(RhD, (data.rhd or "").strip().lower())
    if rhd is None:
        errors.add("rhd", "required", N_("Indiquez si le RhD (RH1) est positif ou négatif."))
    source = _choice(Source, (data.source or "").strip().lower())
    if source is None:
        errors.add("source", "required", N_("Indiquez qui a établi la carte."))
    verified = source is Source.professional

    phenotype = _phenotype(data, verified=verified, errors=errors)
    laboratory = _name(
        errors,
        "laboratory",
        data.laboratory,
        limit=LABORATORY_MAX,
        required=verified,
        required_message=N_("Indiquez le laboratoire qui a déterminé le groupe sanguin."),
        long_message=N_("Le nom du laboratoire ne peut pas dépasser %(max)s caractères."),
    )
    biologist = _name(
        errors,
        "biologist",
        data.biologist,
        limit=BIOLOGIST_MAX,
        required=verified,
        required_message=N_("Indiquez le biologiste qui a validé le résultat."),
        long_message=N_("Le nom du biologiste ne peut pas dépasser %(max)s caractères."),
    )
    _determinations(data, verified=verified, errors=errors)
    screen = _antibody_screen(data, errors=errors)

    if errors.items:
        raise InvalidInput(errors=errors.items)
    assert abo is not None and rhd is not None and source is not None  # guaranteed by the checks
    return BloodGroupCard(
        abo=abo,
        rhd=rhd,
        source=source,
        phenotype=phenotype,
        rare_phenotype=data.rare_phenotype,
        antibody_screen=screen,
        laboratory=laboratory,
        biologist=biologist,
        first_determination=data.first_determination,
        second_determination=data.second_determination,
    )


def _choice(kind: type[_Choice], value: str) -> _Choice | None:
    try:
        return kind(value)
    except ValueError:
        return None


def _text(value: str | None) -> str | None:
    return " ".join((value or "").split()) or None


def _name(
    errors: _Errors,
    field_name: str,
    value: str | None,
    *,
    limit: int,
    required: bool,
    required_message: str,
    long_message: str,
) -> str | None:
    text = _text(value)
    if text is None and required:
        errors.add(field_name, "required", required_message)
    elif text is not None and len(text) > limit:
        errors.add(field_name, "too-long", long_message, max=limit)
    return text


def _phenotype(data: BloodGroupInput, *, verified: bool, errors: _Errors) -> Phenotype | None:
    given = {
        "big_c": data.big_c,
        "little_c": data.little_c,
        "big_e": data.big_e,
        "little_e": data.little_e,
        "kell": data.kell,
    }
    if all(value is None for value in given.values()):
        if verified:
            # Since 2018 the RH-KEL1 phenotype is part of every blood-group determination, so a
            # lab result always carries it; only a patient's own declaration may lack it.
            errors.add(
                "big_c",
                "phenotype-required",
                N_("Indiquez le phénotype RH-KEL1 (C, c, E, e, K) figurant sur le résultat."),
            )
        return None
    missing = [name for name, value in given.items() if value is None]
    for name in missing:
        errors.add(name, "required", _ANTIGEN_MESSAGES[name])
    if missing:
        return None
    phenotype = Phenotype(
        big_c=bool(data.big_c),
        little_c=bool(data.little_c),
        big_e=bool(data.big_e),
        little_e=bool(data.little_e),
        kell=bool(data.kell),
    )
    if not data.rare_phenotype:
        if not (phenotype.big_c or phenotype.little_c):
            errors.add("big_c", "c-both-absent", _C_RARE)
        if not (phenotype.big_e or phenotype.little_e):
            errors.add("big_e", "e-both-absent", _E_RARE)
    return phenotype


def _determinations(data: BloodGroupInput, *, verified: bool, errors: _Errors) -> None:
    # Since 2018 one determination is enough; a second is done only in a proven transfusion
    # context (DOMAIN.md §7), so it stays optional even on a verified card.
    first, second = data.first_determination, data.second_determination
    if first is None and second is not None:
        errors.add(
            "first_determination",
            "required",
            N_("Indiquez la date de la première détermination avant celle de la seconde."),
        )
    elif first is None and verified:
        errors.add(
            "first_determination",
            "required",
            N_("Indiquez la date de la détermination du groupe sanguin."),
        )
    first_ok = first is not None and errors.date_ok("first_determination", first)
    second_ok = second is not None and errors.date_ok("second_determination", second)
    if first_ok and second_ok and first is not None and second is not None and second < first:
        errors.add(
            "second_determination",
            "date-order",
            N_("La seconde détermination ne peut pas précéder la première."),
        )


def _antibody_screen(data: BloodGroupInput, *, errors: _Errors) -> AntibodyScreen | None:
    specificity = _text(data.rai_specificity)
    raw_result = (data.rai_result or "").strip().lower()
    if data.rai_date is None and not raw_result and specificity is None:
        if data.rai_unidentified:
            errors.add("rai_result", "required", _RAI_RESULT_REQUIRED)
        return None  # no screen on this card: it is optional
    result = _choice(ScreenResult, raw_result)
    if result is None:
        errors.add("rai_result", "required", _RAI_RESULT_REQUIRED)
    if data.rai_date is None:
        errors.add("rai_date", "required", N_("Indiquez la date de la RAI."))
    date_ok = data.rai_date is not None and errors.date_ok("rai_date", data.rai_date)
    if result is ScreenResult.negative and (specificity is not None or data.rai_unidentified):
        errors.add(
            "rai_specificity",
            "negative-with-antibody",
            N_("Une RAI négative n'a pas d'anticorps à préciser : effacez la spécificité."),
        )
    elif result is ScreenResult.positive:
        if specificity is None and not data.rai_unidentified:
            errors.add(
                "rai_specificity",
                "specificity-required",
                N_(
                    "Une RAI positive précise l'anticorps trouvé (par exemple « anti-E ») ou"
                    " indique qu'il n'est pas identifié."
                ),
            )
        elif specificity is not None and data.rai_unidentified:
            errors.add(
                "rai_specificity",
                "specificity-conflict",
                N_("Indiquez l'anticorps trouvé ou qu'il n'est pas identifié, pas les deux."),
            )
        elif specificity is not None and len(specificity) > SPECIFICITY_MAX:
            errors.add(
                "rai_specificity",
                "too-long",
                N_("La spécificité de l'anticorps ne peut pas dépasser %(max)s caractères."),
                max=SPECIFICITY_MAX,
            )
    if result is None or data.rai_date is None or not date_ok:
        return None
    return AntibodyScreen(
        performed_on=data.rai_date,
        result=result,
        specificity=specificity if result is ScreenResult.positive else None,
    )


_RAI_RESULT_REQUIRED = N_("Indiquez le résultat de la RAI (recherche d'anticorps irréguliers).")
