"""Matricule INS: NIR (numéro d'inscription au répertoire) and NIA (numéro d'attente).

Structure (DOMAIN.md §3.2): sex (1 digit), birth year (2), birth month (2), birth département
(2, ``2A``/``2B`` for Corsica), commune (3), order number (3), control key (2).
Key = 97 − (13-digit number mod 97), with ``2A`` read as 19 and ``2B`` as 18.
First digit 1/2 is a NIR (men/women); 7/8 is a temporary number (NIA) awaiting a NIR.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from dmp.shared.errors import N_, InvalidInput

OID_NIR = "1.2.250.1.213.1.4.8"
OID_NIA = "1.2.250.1.213.1.4.9"
OID_NIR_TEST = "1.2.250.1.213.1.4.10"
OID_NIR_DEMO = "1.2.250.1.213.1.4.11"

_CORSICA = {"2A": "19", "2B": "18"}
_SEPARATORS = re.compile(r"[\s.\-]")


class MatriculeKind(enum.StrEnum):
    NIR = "NIR"
    NIA = "NIA"


@dataclass(frozen=True)
class Matricule:
    value: str  # 15 characters, no separators
    kind: MatriculeKind

    @property
    def oid(self) -> str:
        return OID_NIR if self.kind is MatriculeKind.NIR else OID_NIA

    @property
    def sex_digit(self) -> str:
        return self.value[0]

    @property
    def birth_year_2(self) -> str:
        return self.value[1:3]

    @property
    def birth_month(self) -> str:
        return self.value[3:5]

    @property
    def departement(self) -> str:
        return self.value[5:7]

    def formatted(self) -> str:
        v = self.value
        return f"{v[0]} {v[1:3]} {v[3:5]} {v[5:7]} {v[7:10]} {v[10:13]} {v[13:15]}"


def control_key(first13: str) -> int:
    """The NIR control key for the 13 characters before it (Corsica letters allowed)."""
    digits = first13[:5] + _CORSICA.get(first13[5:7].upper(), first13[5:7]) + first13[7:]
    return 97 - int(digits) % 97


def _fail(code: str, message: str, **params: object) -> InvalidInput:
    return InvalidInput.single("ins_matricule", code, message, **params)


def parse_matricule(raw: str) -> Matricule:
    """Validate a matricule INS and say precisely which part is wrong when it is not valid.

    Raises :class:`InvalidInput` on field ``ins_matricule``.
    """
    value = _SEPARATORS.sub("", raw or "").upper()
    if not value:
        raise _fail("nir-missing", N_("Saisissez le matricule INS (NIR ou NIA) à 15 caractères."))
    if len(value) != 15:
        raise _fail(
            "nir-length",
            N_(
                "Le matricule INS doit comporter 15 caractères (13 plus la clé de 2 chiffres) ;"
                " vous en avez saisi %(count)s."
            ),
            count=len(value),
        )
    body, key = value[:13], value[13:]
    non_digit = [
        c for i, c in enumerate(value) if not c.isdigit() and not (i in (6,) and c in "AB")
    ]
    if non_digit:
        raise _fail(
            "nir-characters",
            N_(
                "Le matricule INS ne contient que des chiffres, sauf 2A ou 2B pour un"
                " département de naissance en Corse (positions 6 et 7)."
            ),
        )
    if value[5] != "2" and not value[6].isdigit():
        raise _fail(
            "nir-departement",
            N_("Le département de naissance (positions 6 et 7) n'est pas valide : %(value)s."),
            value=value[5:7],
        )
    sex = value[0]
    if sex not in "1278":
        raise _fail(
            "nir-sex",
            N_(
                "Le premier chiffre (sexe) doit être 1 ou 2 pour un NIR, 7 ou 8 pour un NIA ;"
                " vous avez saisi %(value)s."
            ),
            value=sex,
        )
    month = int(value[3:5])
    if not (1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99):
        raise _fail(
            "nir-month",
            N_("Le mois de naissance (positions 4 et 5) n'est pas valide : %(value)s."),
            value=value[3:5],
        )
    if value[5:7] == "00":
        raise _fail(
            "nir-departement",
            N_("Le département de naissance (positions 6 et 7) n'est pas valide : %(value)s."),
            value=value[5:7],
        )
    if value[10:13] == "000":
        raise _fail(
            "nir-order",
            N_("Le numéro d'ordre (positions 11 à 13) ne peut pas être 000."),
        )
    if not key.isdigit() or not 1 <= int(key) <= 97:
        raise _fail(
            "nir-key",
            N_("La clé (2 derniers chiffres) doit être comprise entre 01 et 97."),
        )
    if int(key) != control_key(body):
        raise _fail(
            "nir-key",
            N_(
                "La clé de contrôle (2 derniers chiffres) ne correspond pas aux 13 premiers"
                " caractères : vérifiez le numéro."
            ),
        )
    kind = MatriculeKind.NIR if sex in "12" else MatriculeKind.NIA
    return Matricule(value=value, kind=kind)
