"""Declaring bris de glace or a regulation-centre access, and telling those who must know."""

from __future__ import annotations

from sqlalchemy import select

from dmp.access import services as access_services
from dmp.access.orm import EmergencyAccessRow
from dmp.access.services import Access
from dmp.accounts.orm import AccountRow
from dmp.records.recipients import tell


def declare(access: Access, *, reason: str, regulation: bool) -> EmergencyAccessRow:
    """Open the access, then tell the holder's side (unless they turned it off) and the
    médecin traitant (always: R1111-48). Messages name no medical content; a regulation-centre
    access (L1111-17 I al.2) has its own notice, since it is no bris de glace."""
    row = access_services.declare_emergency(access, reason=reason, regulation=regulation)
    now = access.clock.now()
    doctors: list[AccountRow] = []
    if access.facts.treating_doctor is not None:
        doctors = list(
            access.session.scalars(
                select(AccountRow).where(AccountRow.professional_id == access.facts.treating_doctor)
            )
        )
    # One choice covers both notices: the patient opts out of hearing of emergency accesses.
    wanted = access_services.preferences(access.session, access.patient_id, now).notify_emergency
    tell(
        access.session,
        access.patient_id,
        "regulation-access" if regulation else "emergency-access",
        now,
        holder_side=wanted,
        extra=doctors,
        default_language=access.settings.default_language,
    )
    return row
