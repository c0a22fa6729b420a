"""Patient and professional identities: pure rules, no database or web code.

Sources: DOMAIN.md §3.1 (INS traits and identity statuses, FR Core), §3.3 (RPPS, IdNat_PS).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from dmp.identity.nir import Matricule, parse_matricule
from dmp.shared.errors import N_, FieldError, InvalidInput

OID_IDNAT_PS = "1.2.250.1.71.4.2.1"
RPPS_SYSTEM = "https://rpps.esante.gouv.fr"


class IdentityStatus(enum.StrEnum):
    """Identity confidence (RNIV): whether the identity came from INSi and was checked."""

    PROV = "PROV"  # provisional: typed in, not checked, not from INSi
    RECUP = "RECUP"  # retrieved from INSi, not checked against a high-trust document
    VALI = "VALI"  # checked against a high-trust document, not from INSi
    QUAL = "QUAL"  # retrieved from INSi and checked

    @property
    def from_insi(self) -> bool:
        return self in (IdentityStatus.RECUP, IdentityStatus.QUAL)

    @property
    def document_checked(self) -> bool:
        return self in (IdentityStatus.VALI, IdentityStatus.QUAL)

    @staticmethod
    def of(*, from_insi: bool, document_checked: bool) -> IdentityStatus:
        if from_insi:
            return IdentityStatus.QUAL if document_checked else IdentityStatus.RECUP
        return IdentityStatus.VALI if document_checked else IdentityStatus.PROV


IDENTITY_STATUS_LABELS = {
    IdentityStatus.PROV: N_("Identité provisoire"),
    IdentityStatus.RECUP: N_("Identité récupérée (INSi, non vérifiée sur un document)"),
    IdentityStatus.VALI: N_("Identité validée (vérifiée sur un document)"),
    IdentityStatus.QUAL: N_("Identité qualifiée"),
}


class Sex(enum.StrEnum):
    M = "M"
    F = "F"
    U = "U"  # unknown/undetermined (FR Core ``unknown``)


_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)*$")
_INSEE_PLACE = re.compile(r"^(?:\d{2}|2A|2B)\d{3}$")


def normalise_name(value: str) -> str:
    """Collapse spaces; traits are compared case- and accent-insensitively elsewhere."""
    return " ".join((value or "").split())


def fold(value: str) -> str:
    """Upper-case without diacritics, as INSi returns traits; for comparisons."""
    decomposed = unicodedata.normalize("NFKD", normalise_name(value))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


@dataclass(frozen=True)
class PatientIdentity:
    """Strict identity traits of a patient (INS)."""

    birth_name: str
    first_given_name: str
    birth_given_names: tuple[str, ...]
    sex: Sex
    birth_date: dt.date
    birth_place_code: str | None
    used_name: str | None = None
    used_given_name: str | None = None
    matricule: Matricule | None = None
    status: IdentityStatus = IdentityStatus.PROV

    def ins_for_display(self) -> Matricule | None:
        """The matricule may be shown and exchanged as the INS only for a qualified identity."""
        return self.matricule if self.status is IdentityStatus.QUAL else None

    @property
    def display_name(self) -> str:
        given = self.used_given_name or self.first_given_name
        family = self.used_name or self.birth_name
        return f"{given} {family}"


@dataclass
class IdentityInput:
    """Raw identity traits as typed or received, before validation."""

    birth_name: str
    first_given_name: str
    birth_given_names: str
    sex: str
    birth_date: dt.date | None
    birth_place_code: str | None = None
    used_name: str | None = None
    used_given_name: str | None = None
    ins_matricule: str | None = None
    from_insi: bool = False
    document_checked: bool = False


def validate_identity(data: IdentityInput, *, today: dt.date) -> PatientIdentity:
    """Check every trait and the coherence of the matricule with them.

    Collects every problem before raising one :class:`InvalidInput`, so a form can show them all.
    """
    errors: list[FieldError] = []

    def name(field_name: str, value: str | None, *, required: bool) -> str | None:
        text = normalise_name(value or "")
        if not text:
            if required:
                errors.append(FieldError(field_name, "required", N_("Ce champ est obligatoire.")))
            return None
        if len(text) > 100 or not _NAME.match(text):
            errors.append(
                FieldError(
                    field_name,
                    "name-format",
                    N_(
                        "Utilisez uniquement des lettres, des espaces, des traits d'union et"
                        " des apostrophes (100 caractères au plus)."
                    ),
                )
            )
        return text

    birth_name = name("birth_name", data.birth_name, required=True)
    first_given = name("first_given_name", data.first_given_name, required=True)
    given_list_text = normalise_name(data.birth_given_names or "") or (first_given or "")
    given_list = tuple(given_list_text.split(" ")) if given_list_text else ()
    if given_list and any(not _NAME.match(g) for g in given_list):
        errors.append(
            FieldError(
                "birth_given_names",
                "name-format",
                N_("Séparez les prénoms de naissance par des espaces ; lettres uniquement."),
            )
        )
    elif first_given and given_list and not _starts_with_name(given_list_text, first_given):
        errors.append(
            FieldError(
                "birth_given_names",
                "first-given-name-mismatch",
                N_("La liste des prénoms de naissance doit commencer par le premier prénom."),
            )
        )
    used_name = name("used_name", data.used_name, required=False)
    used_given = name("used_given_name", data.used_given_name, required=False)

    sex: Sex | None = None
    try:
        sex = Sex(data.sex)
    except ValueError:
        errors.append(
            FieldError("sex", "sex", N_("Choisissez le sexe : féminin, masculin ou indéterminé."))
        )

    if data.birth_date is None:
        errors.append(FieldError("birth_date", "required", N_("Saisissez la date de naissance.")))
    elif data.birth_date > today:
        errors.append(
            FieldError(
                "birth_date", "birth-date-future", N_("La date de naissance est dans le futur.")
            )
        )
    elif data.birth_date.year < 1880:
        errors.append(
            FieldError(
                "birth_date",
                "birth-date-past",
                N_("La date de naissance est trop ancienne : vérifiez l'année."),
            )
        )

    place = (data.birth_place_code or "").strip().upper() or None
    if place is not None and not _INSEE_PLACE.match(place):
        errors.append(
            FieldError(
                "birth_place_code",
                "insee-code",
                N_(
                    "Le code du lieu de naissance est le code INSEE à 5 caractères de la commune"
                    " (ou 99 suivi du code du pays pour une naissance à l'étranger)."
                ),
            )
        )

    matricule: Matricule | None = None
    if data.ins_matricule and data.ins_matricule.strip():
        try:
            matricule = parse_matricule(data.ins_matricule)
        except InvalidInput as exc:
            errors.extend(exc.errors)
    if matricule is not None and sex is not None and data.birth_date is not None:
        errors.extend(_coherence(matricule, sex, data.birth_date))
    if data.from_insi and matricule is None:
        errors.append(
            FieldError(
                "ins_matricule",
                "required",
                N_("Une identité issue de l'INSi comporte toujours un matricule INS."),
            )
        )

    if errors:
        raise InvalidInput(errors=errors)
    assert birth_name and first_given and sex and data.birth_date  # guaranteed by the checks
    return PatientIdentity(
        birth_name=birth_name,
        first_given_name=first_given,
        birth_given_names=given_list,
        sex=sex,
        birth_date=data.birth_date,
        birth_place_code=place,
        used_name=used_name,
        used_given_name=used_given,
        matricule=matricule,
        status=IdentityStatus.of(from_insi=data.from_insi, document_checked=data.document_checked),
    )


def _starts_with_name(names: str, first: str) -> bool:
    """The list of birth given names begins with the first given name (itself possibly
    made of several words)."""
    folded, head = fold(names), fold(first)
    return folded == head or folded.startswith(head + " ")


def _coherence(matricule: Matricule, sex: Sex, birth_date: dt.date) -> Sequence[FieldError]:
    errors: list[FieldError] = []
    expected_sex = {"1": Sex.M, "2": Sex.F}.get(matricule.sex_digit)
    if expected_sex is not None and sex is not Sex.U and sex is not expected_sex:
        errors.append(
            FieldError(
                "ins_matricule",
                "nir-sex-mismatch",
                N_("Le premier chiffre du matricule ne correspond pas au sexe indiqué."),
            )
        )
    if matricule.birth_year_2 != f"{birth_date.year % 100:02d}":
        errors.append(
            FieldError(
                "ins_matricule",
                "nir-year-mismatch",
                N_("Les chiffres 2 et 3 du matricule ne correspondent pas à l'année de naissance."),
            )
        )
    month = int(matricule.birth_month)
    if 1 <= month <= 12 and month != birth_date.month:
        errors.append(
            FieldError(
                "ins_matricule",
                "nir-month-mismatch",
                N_("Les chiffres 4 et 5 du matricule ne correspondent pas au mois de naissance."),
            )
        )
    return errors


# --- Professionals ---------------------------------------------------------------------------

_RPPS = re.compile(r"^\d{11}$")
_FINESS = re.compile(r"^(?:\d{2}|2A|2B)\d{7}$")


def parse_rpps(raw: str) -> str:
    """An RPPS number: exactly 11 digits. No check digit is enforced (its algorithm is not
    published; DOMAIN.md §3.3 notes the ANS example fails Luhn)."""
    value = re.sub(r"\s", "", raw or "")
    if not _RPPS.match(value):
        raise InvalidInput.single(
            "rpps", "rpps-format", N_("Le numéro RPPS comporte exactement 11 chiffres.")
        )
    return value


def idnat_ps(rpps: str) -> str:
    """National professional identifier for an RPPS-registered professional: ``8`` + RPPS."""
    return "8" + parse_rpps(rpps)


def parse_finess(raw: str) -> str:
    value = re.sub(r"\s", "", raw or "").upper()
    if not _FINESS.match(value):
        raise InvalidInput.single(
            "finess",
            "finess-format",
            N_("Le numéro FINESS comporte 9 caractères : le département puis 7 chiffres."),
        )
    return value


class Role(enum.StrEnum):
    patient = "patient"
    professional = "professional"
    operator = "operator"
    support = "support"


# Professions (TRE_G15-ProfessionSante) and specialties (TRE_R38-SpecialiteOrdinale) used so far.
PROFESSIONS = {
    "10": N_("Médecin"),
    "21": N_("Pharmacien"),
    "60": N_("Infirmier"),
    "50": N_("Sage-femme"),
}
SPECIALTIES = {
    "SM54": N_("Médecine générale"),
    "SM04": N_("Cardiologie et maladies vasculaires"),
    "SM40": N_("Pédiatrie"),
    "SM26": N_("Qualifié en médecine générale"),
}
