"""Written forms of a blood-group card, for the printed card and the pages.

The notations (``A RhD+ (RH1+)``, ``C+ c+ E− e+ K−``, ``RH:1,2,-3,4,5; KEL:-1``) are the same
in French and English; the words around them are French msgids passed through the caller's
``gettext``, so one call serves both languages.
"""

from __future__ import annotations

from collections.abc import Callable

from dmp.bloodgroup.model import (
    Abo,
    AntibodyScreen,
    Phenotype,
    RhD,
    ScreenResult,
    Source,
)
from dmp.shared.errors import N_

Gettext = Callable[[str], str]
MINUS = "\N{MINUS SIGN}"  # typographic minus, as printed on lab reports ("K−")

SOURCE_LABELS = {
    Source.professional: N_("Vérifiée par un professionnel"),
    Source.patient: N_("Déclarée par le patient (non vérifiée)"),
}
SCREEN_RESULT_LABELS = {
    ScreenResult.negative: N_("Négative"),
    ScreenResult.positive: N_("Positive"),
}
UNIDENTIFIED_LABEL = N_("anticorps non identifié")


def _identity(message: str) -> str:
    return message


def sign(present: bool) -> str:
    """``+`` or the typographic minus ``−`` after an antigen name."""
    return "+" if present else MINUS


def format_rhd(rhd: RhD) -> str:
    """``RhD+`` or ``RhD−``."""
    return f"RhD{sign(rhd is RhD.positive)}"


def format_rh1(rhd: RhD) -> str:
    """``RH1+`` or ``RH1−`` (ISBT numbering, used on French lab reports)."""
    return f"RH1{sign(rhd is RhD.positive)}"


def format_group(abo: Abo, rhd: RhD) -> str:
    """``A RhD+ (RH1+)``."""
    return f"{abo.value} {format_rhd(rhd)} ({format_rh1(rhd)})"


def format_phenotype(phenotype: Phenotype) -> str:
    """``C+ c+ E− e+ K−``, in the order of French lab reports."""
    return " ".join(
        f"{name}{sign(present)}"
        for name, present in (
            ("C", phenotype.big_c),
            ("c", phenotype.little_c),
            ("E", phenotype.big_e),
            ("e", phenotype.little_e),
            ("K", phenotype.kell),
        )
    )


def format_rh_kel(rhd: RhD, phenotype: Phenotype) -> str:
    """ISBT numeric notation, ``RH:1,2,-3,4,5; KEL:-1`` (RH1 = D, RH2 = C, RH3 = E, RH4 = c,
    RH5 = e, KEL1 = K; a hyphen-minus marks an absent antigen, as ISBT writes it)."""
    rh = (
        rhd is RhD.positive,
        phenotype.big_c,
        phenotype.big_e,
        phenotype.little_c,
        phenotype.little_e,
    )
    numbers = ",".join(f"{'' if present else '-'}{n}" for n, present in enumerate(rh, start=1))
    return f"RH:{numbers}; KEL:{'' if phenotype.kell else '-'}1"


def describe_group(abo: Abo, rhd: RhD, gettext: Gettext = _identity) -> str:
    """The group in words, for a sentence or a screen reader: ``Groupe A, RhD positif``."""
    if rhd is RhD.positive:
        return gettext(N_("Groupe %(abo)s, RhD positif")) % {"abo": abo.value}
    return gettext(N_("Groupe %(abo)s, RhD négatif")) % {"abo": abo.value}


def describe_source(source: Source, gettext: Gettext = _identity) -> str:
    """``Vérifiée par un professionnel`` / ``Déclarée par le patient (non vérifiée)``."""
    return gettext(SOURCE_LABELS[source])


def describe_screen(screen: AntibodyScreen, gettext: Gettext = _identity) -> str:
    """``Négative``, ``Positive (anti-E)``, ``Positive (anticorps non identifié)``."""
    result = gettext(SCREEN_RESULT_LABELS[screen.result])
    if screen.result is ScreenResult.negative:
        return result
    detail = screen.specificity or gettext(UNIDENTIFIED_LABEL)
    return f"{result} ({detail})"
