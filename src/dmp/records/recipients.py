"""Who is told about a record's events: its holder, or for a child or a protected adult
without an account of their own, their legal representatives."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmp.accounts.orm import AccountRow
from dmp.identity.orm import LegalRepresentativeRow


def notice_recipients(session: Session, patient_id: uuid.UUID) -> list[AccountRow]:
    holder = session.scalars(
        select(AccountRow).where(AccountRow.patient_id == patient_id, AccountRow.status == "active")
    ).first()
    representatives = session.scalars(
        select(AccountRow)
        .join(
            LegalRepresentativeRow,
            LegalRepresentativeRow.representative_id == AccountRow.patient_id,
        )
        .where(LegalRepresentativeRow.patient_id == patient_id, AccountRow.status == "active")
    ).all()
    return ([holder] if holder else []) + [r for r in representatives if r is not holder]
