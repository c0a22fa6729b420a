"""The rules of rectification requests and of the consents registry (no I/O here)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from dmp.shared.errors import N_, FieldError, InvalidInput

DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 2000
ANSWER_MAX = 2000
CORRECTED_VALUE_MAX = 300


class TargetKind(enum.StrEnum):
    identity = "identity"  # one identity trait: answered by the platform's operators
    profile = "profile"  # a medical-profile entry: answered by its author
    document = "document"  # a document: answered by its author


class RequestStatus(enum.StrEnum):
    open = "open"
    corrected = "corrected"
    refused = "refused"


class Route(enum.StrEnum):
    author = "author"  # the professional who wrote the item
    operators = "operators"  # accounts with the operator or support role


class Outcome(enum.StrEnum):
    corrected = "corrected"
    refused = "refused"


# The identity traits a patient may ask to correct (INS traits and the names in use).
IDENTITY_TRAITS: dict[str, str] = {
    "birth_name": N_("Nom de naissance"),
    "first_given_name": N_("Premier prénom de naissance"),
    "birth_given_names": N_("Prénoms de naissance"),
    "used_name": N_("Nom utilisé"),
    "used_given_name": N_("Prénom utilisé"),
    "sex": N_("Sexe"),
    "birth_date": N_("Date de naissance"),
    "birth_place_code": N_("Lieu de naissance (code INSEE)"),
}

STATUS_LABELS: dict[str, str] = {
    RequestStatus.open: N_("En attente de réponse"),
    RequestStatus.corrected: N_("Corrigée"),
    RequestStatus.refused: N_("Refusée"),
}


def route_for(
    kind: TargetKind,
    *,
    author_professional_id: uuid.UUID | None = None,
    author_patient_id: uuid.UUID | None = None,
) -> Route:
    """Who answers a request. An item the patient's side declared is corrected by that side
    directly, so it cannot be the subject of a request; an item without a professional
    author has nobody to answer it."""
    if kind is TargetKind.identity:
        return Route.operators
    if author_patient_id is not None:
        raise InvalidInput.single(
            "target",
            "own-item",
            N_(
                "Vous avez ajouté cette information vous-même : vous pouvez la corriger"
                " directement."
            ),
        )
    if author_professional_id is None:
        raise InvalidInput.single(
            "target",
            "no-author",
            N_("Cette information n'a pas d'auteur à qui adresser la demande."),
        )
    return Route.author


def clean_description(text: str | None) -> str:
    """The patient's words about the error: required, 10 to 2000 characters."""
    value = (text or "").strip()
    if len(value) < DESCRIPTION_MIN:
        raise InvalidInput.single(
            "description",
            "too-short",
            N_("Décrivez l'erreur en quelques mots (%(min)s caractères au moins)."),
            min=DESCRIPTION_MIN,
        )
    if len(value) > DESCRIPTION_MAX:
        raise InvalidInput.single(
            "description",
            "too-long",
            N_("%(max)s caractères au plus."),
            max=DESCRIPTION_MAX,
        )
    return value


def parse_target(kind: str | None, target: str | None) -> tuple[TargetKind, str]:
    """A target as the forms and the API name it: an identity trait's name, or an id."""
    try:
        target_kind = TargetKind(kind or "")
    except ValueError:
        raise InvalidInput.single(
            "target", "unknown-target", N_("Choisissez l'information à corriger.")
        ) from None
    value = (target or "").strip()
    if target_kind is TargetKind.identity:
        if value not in IDENTITY_TRAITS:
            raise InvalidInput.single(
                "target", "unknown-target", N_("Choisissez l'information à corriger.")
            )
        return target_kind, value
    try:
        return target_kind, str(uuid.UUID(value))
    except ValueError:
        raise InvalidInput.single(
            "target", "unknown-target", N_("Choisissez l'information à corriger.")
        ) from None


@dataclass(frozen=True)
class Answer:
    outcome: Outcome
    text: str | None
    corrected_value: str | None


def clean_answer(
    kind: TargetKind, outcome: str | None, text: str | None, corrected_value: str | None
) -> Answer:
    """An answer: corrected (an identity correction names the right value) or refused (with
    the reason, which the patient reads)."""
    errors: list[FieldError] = []
    try:
        chosen = Outcome(outcome or "")
    except ValueError:
        chosen = None
        errors.append(
            FieldError("outcome", "required", N_("Indiquez si l'information a été corrigée."))
        )
    note = (text or "").strip() or None
    value = " ".join((corrected_value or "").split()) or None
    if chosen is Outcome.refused and (note is None or len(note) < DESCRIPTION_MIN):
        errors.append(
            FieldError(
                "answer",
                "reason-required",
                N_("Expliquez au patient pourquoi l'information n'est pas corrigée."),
            )
        )
    if note is not None and len(note) > ANSWER_MAX:
        errors.append(
            FieldError("answer", "too-long", N_("%(max)s caractères au plus."), {"max": ANSWER_MAX})
        )
    if chosen is Outcome.corrected and kind is TargetKind.identity and value is None:
        errors.append(
            FieldError(
                "corrected_value",
                "required",
                N_("Indiquez la valeur corrigée de ce trait d'identité."),
            )
        )
    if value is not None and len(value) > CORRECTED_VALUE_MAX:
        errors.append(
            FieldError(
                "corrected_value",
                "too-long",
                N_("%(max)s caractères au plus."),
                {"max": CORRECTED_VALUE_MAX},
            )
        )
    if errors or chosen is None:
        raise InvalidInput(errors=errors)
    if kind is not TargetKind.identity:
        value = None
    return Answer(chosen, note, value if chosen is Outcome.corrected else None)


# --- Consents ------------------------------------------------------------------------------


class Purpose(enum.StrEnum):
    dmp_creation = "dmp-creation"
    data_sharing = "data-sharing"  # a professional's access, one entry per professional
    research = "research"  # reuse for research: an opposition, not a consent (non-opposition)
    notifications = "notifications"  # one entry per kind of notice


class Stance(enum.StrEnum):
    consent = "consent"
    opposition = "opposition"


class Channel(enum.StrEnum):
    web = "web"
    oral = "oral"  # collected by a professional in person
    written = "written"
    api = "api"


PURPOSE_LABELS: dict[str, str] = {
    Purpose.dmp_creation: N_("Création du dossier médical partagé"),
    Purpose.data_sharing: N_("Partage avec un professionnel de santé"),
    Purpose.research: N_("Utilisation pour la recherche"),
    Purpose.notifications: N_("Messages et notifications"),
}
CHANNEL_LABELS: dict[str, str] = {
    Channel.web: N_("en ligne"),
    Channel.oral: N_("à l'oral, auprès d'un professionnel"),
    Channel.written: N_("par écrit"),
    Channel.api: N_("par une application"),
}
# The notice preferences (record_preferences) the notifications entries mirror.
NOTIFICATION_SCOPES: dict[str, str] = {
    "notify_first_access": N_("Premier accès d'un professionnel"),
    "notify_emergency": N_("Accès d'urgence"),
    "notify_announcement": N_("Mise à jour en attente d'une consultation d'annonce"),
    "notify_new_document": N_("Nouveau document"),
    "notify_vaccination": N_("Rappels de vaccination"),
    "notify_directives": N_("Rappels des directives anticipées"),
}


def channel_for(request_channel: str | None) -> Channel:
    """The channel of an entry the person made themself, from the request's channel."""
    return Channel.web if request_channel == "web" else Channel.api


@dataclass(frozen=True)
class ConsentFact:
    purpose: Purpose
    stance: Stance
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None = None
    scope: str | None = None

    def in_force(self, now: dt.datetime) -> bool:
        return self.given_at <= now and (self.withdrawn_at is None or self.withdrawn_at > now)


def research_allowed(facts: Iterable[ConsentFact], *, record_open: bool, now: dt.datetime) -> bool:
    """THE rule for any research use of a record's data (exports, indicators, studies).

    Research on DMP data rests on non-opposition: allowed unless the holder's side opposed it
    (an opposition in force now). A closed record is kept only to meet the legal retention
    duty, never reused: excluded too. :func:`dmp.rights.registry.research_excluded_patients`
    is the same rule in SQL."""
    if not record_open:
        return False
    return not any(
        fact.purpose is Purpose.research and fact.stance is Stance.opposition and fact.in_force(now)
        for fact in facts
    )
