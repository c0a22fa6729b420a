"""Invitation codes: how a designated personne de confiance (or a witness) co-signs.

The patient hands the designee a short code (``7K3M-QX9D``: 8 characters of the unambiguous
alphabet used for every code in the product, O/I/L read as 0/1). Only a keyed digest of it is
stored: 40 bits would fall to an offline search from a stolen database if the digest were a
plain hash. A code works once, until it expires (30 days by default). Limiting the number of
tries per invitation is the caller's job (as for every code check).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
from dataclasses import dataclass

from dmp.accounts.model import grouped_code, normalise_code
from dmp.shared.errors import N_

CODE_LENGTH = 8
INVITATION_VALIDITY = dt.timedelta(days=30)


class InvitationCheck(enum.StrEnum):
    valid = "valid"
    wrong_code = "wrong-code"
    used = "used"
    expired = "expired"


INVITATION_MESSAGES = {
    InvitationCheck.wrong_code: N_(
        "Ce code d'invitation n'est pas valide. Vérifiez-le et saisissez-le de nouveau."
    ),
    InvitationCheck.used: N_("Cette invitation a déjà été utilisée."),
    InvitationCheck.expired: N_(
        "Cette invitation a expiré. Demandez à la personne qui vous a désigné(e) de vous en"
        " envoyer une nouvelle."
    ),
}


@dataclass(frozen=True)
class Invitation:
    code: str  # shown once to the patient, never stored
    code_hash: str
    expires_at: dt.datetime


def hash_invitation_code(code: str, *, key: bytes) -> str:
    """HMAC-SHA256 of the normalised code; ``key`` is a purpose-bound server key."""
    return hmac.new(key, normalise_code(code).encode(), hashlib.sha256).hexdigest()


def new_invitation(
    *, key: bytes, now: dt.datetime, valid_for: dt.timedelta = INVITATION_VALIDITY
) -> Invitation:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if valid_for <= dt.timedelta(0):
        raise ValueError("valid_for must be positive")
    code = grouped_code(CODE_LENGTH)
    return Invitation(
        code=code, code_hash=hash_invitation_code(code, key=key), expires_at=now + valid_for
    )


def check_invitation(
    code: str,
    stored_hash: str,
    expires_at: dt.datetime,
    now: dt.datetime,
    *,
    key: bytes,
    used_at: dt.datetime | None = None,
) -> InvitationCheck:
    """Whether ``code`` opens this invitation now.

    The code is compared first, in constant time: someone without the right code learns nothing
    about the invitation (not even that it expired). The invitation expires at ``expires_at``.
    """
    if now.tzinfo is None or expires_at.tzinfo is None:
        raise ValueError("now and expires_at must be timezone-aware")
    if not hmac.compare_digest(hash_invitation_code(code, key=key), stored_hash):
        return InvitationCheck.wrong_code
    if used_at is not None:
        return InvitationCheck.used
    if now >= expires_at:
        return InvitationCheck.expired
    return InvitationCheck.valid
