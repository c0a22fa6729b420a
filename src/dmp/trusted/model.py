"""Lifecycle of a designation, pure: its statuses, who may designate, the co-signature name.

* L1111-6: any **adult** may designate a personne de confiance; the designation is written and
  co-signed by the designee, revisable and revocable at any time. The designation is the
  person's own act: a legal representative does not designate for a child (a minor cannot
  designate at all) nor for an adult they represent.
* A designation waits for the designee's co-signature (``pending``), then is ``active``; the
  designee may ``decline``; the patient may ``revoke`` it at any time; a new designation
  ``supersedes`` the previous one (kept in the history).
"""

from __future__ import annotations

import enum

from dmp.identity.model import fold
from dmp.shared.errors import N_, FieldError, InvalidInput

MAX_TYPED_NAME = 200


class DesignationStatus(enum.StrEnum):
    pending = "pending"  # waiting for the designee's co-signature
    active = "active"  # co-signed: this is the patient's personne de confiance
    declined = "declined"  # the designee refused
    revoked = "revoked"  # the patient withdrew it
    superseded = "superseded"  # a newer designation replaced it


# The designations an invitation, a revocation or a new designation may still change.
OPEN = frozenset({DesignationStatus.pending, DesignationStatus.active})

STATUS_LABELS = {
    DesignationStatus.pending: N_("En attente de la co-signature"),
    DesignationStatus.active: N_("Désignation co-signée, en vigueur"),
    DesignationStatus.declined: N_("Refusée par la personne désignée"),
    DesignationStatus.revoked: N_("Révoquée"),
    DesignationStatus.superseded: N_("Remplacée par une nouvelle désignation"),
}

MINOR = N_("Seule une personne majeure peut désigner une personne de confiance.")
OWN_ACT = N_(
    "La personne de confiance est désignée par la personne elle-même : un représentant légal ne"
    " peut pas la désigner à sa place."
)


def _words(text: str) -> list[str]:
    """Lower-case words without accents: ``Jean-Marie DUPONT`` → ``jean marie dupont``."""
    return "".join(c if c.isalnum() else " " for c in fold(text).casefold()).split()


def name_matches(typed: str, *, surname: str, first_names: str) -> bool:
    """Whether the name a designee typed is the designated person's: the whole surname and at
    least one first name, in any order, accents and case aside."""
    words = _words(typed)
    wanted = _words(surname)
    if not wanted or not words:
        return False
    has_surname = any(words[i : i + len(wanted)] == wanted for i in range(len(words)))
    return has_surname and any(name in words for name in _words(first_names))


def check_typed_name(typed: str, *, surname: str, first_names: str) -> str:
    """The co-signature: the designee's full name as typed, tidied; InvalidInput otherwise."""
    text = " ".join((typed or "").split())
    if not text:
        raise InvalidInput.single(
            "full_name",
            "required",
            N_("Saisissez vos prénom et nom pour co-signer la désignation."),
        )
    if len(text) > MAX_TYPED_NAME:
        raise InvalidInput.single(
            "full_name",
            "too-long",
            N_("Ce texte est trop long : %(limit)s caractères au plus."),
            limit=MAX_TYPED_NAME,
        )
    if not name_matches(text, surname=surname, first_names=first_names):
        raise InvalidInput(
            N_(
                "Le nom saisi ne correspond pas à la personne désignée. Saisissez votre prénom et"
                " votre nom tels qu'ils figurent dans la désignation."
            ),
            code="name-mismatch",
            errors=[
                FieldError(
                    "full_name",
                    "name-mismatch",
                    N_(
                        "Le nom saisi ne correspond pas à la personne désignée. Saisissez votre"
                        " prénom et votre nom tels qu'ils figurent dans la désignation."
                    ),
                )
            ],
        )
    return text
