"""The texts people agree to (or oppose), each with a version id.

A registry entry names the version it was given under; a new wording is a new entry here with
a new version (the old ones stay, so past entries keep pointing at what was shown)."""

from __future__ import annotations

from dataclasses import dataclass

from dmp.rights.model import Purpose
from dmp.shared.errors import N_


@dataclass(frozen=True)
class ConsentText:
    purpose: Purpose
    version: str
    text: str  # a French msgid, translated when shown


TEXTS: tuple[ConsentText, ...] = (
    ConsentText(
        Purpose.dmp_creation,
        "dmp-creation/2026-01",
        N_(
            "J'accepte la création de mon dossier médical partagé. Les professionnels qui me"
            " soignent pourront y déposer des documents ; ceux que j'autorise pourront le"
            " consulter. Je peux le fermer à tout moment."
        ),
    ),
    ConsentText(
        Purpose.data_sharing,
        "data-sharing/2026-01",
        N_(
            "J'autorise ce professionnel de santé à consulter mon dossier médical partagé. Je"
            " peux retirer cette autorisation ou le bloquer à tout moment."
        ),
    ),
    ConsentText(
        Purpose.research,
        "research/2026-01",
        N_(
            "Je m'oppose à ce que les données de mon dossier soient réutilisées, sans mon nom,"
            " pour la recherche, les études et l'évaluation en santé. Je peux retirer cette"
            " opposition à tout moment."
        ),
    ),
    ConsentText(
        Purpose.notifications,
        "notifications/2026-01",
        N_(
            "Je choisis les messages que je reçois au sujet de mon dossier. Ces messages ne"
            " contiennent jamais d'information médicale."
        ),
    ),
)

CURRENT: dict[Purpose, ConsentText] = {text.purpose: text for text in TEXTS}
BY_VERSION: dict[str, ConsentText] = {text.version: text for text in TEXTS}


def current_version(purpose: Purpose) -> str:
    return CURRENT[purpose].version


def text_of(version: str) -> str | None:
    found = BY_VERSION.get(version)
    return found.text if found else None
