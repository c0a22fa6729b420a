"""Gathering, in a few queries, the facts the policy judges for one record."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dmp.access.orm import (
    AuthorisationRow,
    BlockRow,
    CareRoleRow,
    EmergencyAccessRow,
    PreferencesRow,
)
from dmp.access.policy import RecordFacts, RecordStatus
from dmp.identity.orm import LegalRepresentativeRow, PatientRow
from dmp.linked.model import is_minor
from dmp.linked.queries import in_force
from dmp.records.orm import RecordRow
from dmp.shared.i18n import DISPLAY_TZ

TREATING_DOCTOR = "treating-doctor"
EXTENDED_RIGHTS = "extended-rights"
DELEGATE = "delegate"
MANAGE = "manage"


def record_facts(
    session: Session, patient_id: uuid.UUID, now: dt.datetime, age_of_majority: int | None = None
) -> RecordFacts:
    record = session.get(RecordRow, patient_id)
    status = (
        RecordStatus(record.status) if record is not None and record.purged_at is None else None
    )
    authorised = session.scalars(
        select(AuthorisationRow.professional_id).where(
            AuthorisationRow.patient_id == patient_id, AuthorisationRow.revoked_at.is_(None)
        )
    ).all()
    blocked = session.scalars(
        select(BlockRow.professional_id).where(
            BlockRow.patient_id == patient_id, BlockRow.revoked_at.is_(None)
        )
    ).all()
    roles = session.execute(
        select(CareRoleRow.professional_id, CareRoleRow.role).where(
            CareRoleRow.patient_id == patient_id, CareRoleRow.revoked_at.is_(None)
        )
    ).all()
    # Links in force today (French calendar day): ended, future or expired ones give nothing.
    links = session.execute(
        select(
            LegalRepresentativeRow.representative_id,
            LegalRepresentativeRow.relationship,
            LegalRepresentativeRow.scope,
        ).where(
            LegalRepresentativeRow.patient_id == patient_id,
            *in_force(now.astimezone(DISPLAY_TZ).date()),
        )
    ).all()
    legal = any(kind != DELEGATE for _p, kind, _scope in links)
    if legal and age_of_majority is not None and _adult(session, patient_id, now, age_of_majority):
        # A parent's or guardian's access ends on the 18th birthday itself, not when the
        # majority job next runs (that job tells everyone and closes the links).
        links = [link for link in links if link[1] == DELEGATE]
    preferences = session.get(PreferencesRow, patient_id)
    live = session.execute(
        select(EmergencyAccessRow.professional_id, EmergencyAccessRow.kind).where(
            EmergencyAccessRow.patient_id == patient_id,
            EmergencyAccessRow.expires_at > now,
            or_(EmergencyAccessRow.ended_at.is_(None), EmergencyAccessRow.ended_at > now),
        )
    ).all()
    return RecordFacts(
        patient_id=patient_id,
        status=status,
        authorised=frozenset(authorised),
        blocked=frozenset(blocked),
        treating_doctor=next((p for p, role in roles if role == TREATING_DOCTOR), None),
        extended_rights=frozenset(p for p, role in roles if role == EXTENDED_RIGHTS),
        representatives=frozenset(p for p, kind, _scope in links if kind != DELEGATE),
        delegates=frozenset(p for p, kind, scope in links if kind == DELEGATE and scope == MANAGE),
        read_only_delegates=frozenset(
            p for p, kind, scope in links if kind == DELEGATE and scope != MANAGE
        ),
        emergency_opposed=bool(preferences and preferences.emergency_opposed),
        regulation_opposed=bool(preferences and preferences.regulation_opposed),
        emergency_access=frozenset(p for p, kind in live if kind == "emergency"),
        regulation_access=frozenset(p for p, kind in live if kind == "regulation"),
    )


def _adult(session: Session, patient_id: uuid.UUID, now: dt.datetime, age_of_majority: int) -> bool:
    patient = session.get(PatientRow, patient_id)
    today = now.astimezone(DISPLAY_TZ).date()
    return patient is not None and not is_minor(patient.birth_date, today, age_of_majority)
