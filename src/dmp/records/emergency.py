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
    médecin traitant (always: R1111-48). Messages name no medical content."""
    row = access_services.declare_emergency(access, reason=reason, regulation=regulation)
    now = access.clock.now()
    doctors: list[AccountRow] = []
    if access.facts.treating_doctor is not None:
        doctors = list(
            access.session.scalars(
                select(AccountRow).where(AccountRow.professional_id == access.facts.treating_doctor)
            )
        )
    wanted = access_services.preferences(access.session, access.patient_id, now).notify_emergency
    tell(
        access.session,
        access.patient_id,
        "emergency-access",
        now,
        holder_side=wanted,
        extra=doctors,
    )
    return row
