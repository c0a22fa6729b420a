"""Declaring bris de glace or a regulation-centre access, and telling those who must know."""

from __future__ import annotations

from dmp.access import services as access_services
from dmp.access.orm import EmergencyAccessRow
from dmp.access.services import Access
from dmp.accounts.orm import AccountRow
from dmp.identity.orm import PatientRow
from dmp.notifications.services import notify
from dmp.records.recipients import notice_recipients
from dmp.shared.i18n import format_datetime


def declare(access: Access, *, reason: str, regulation: bool) -> EmergencyAccessRow:
    """Open the access, then tell the holder's side (unless they turned it off) and the
    médecin traitant (always: R1111-48). Messages name no medical content."""
    row = access_services.declare_emergency(access, reason=reason, regulation=regulation)
    now = access.clock.now()
    patient = access.session.get(PatientRow, access.patient_id)
    prefs = access_services.preferences(access.session, access.patient_id, now)
    recipients = (
        list(notice_recipients(access.session, access.patient_id)) if prefs.notify_emergency else []
    )
    treating = access.facts.treating_doctor
    if treating is not None:
        doctor = (
            access.session.query(AccountRow).filter(AccountRow.professional_id == treating).first()
        )
        if doctor is not None and doctor.status == "active" and doctor not in recipients:
            recipients.append(doctor)
    for account in recipients:
        language = account.preferred_language or "fr"
        notify(
            access.session,
            account_id=account.id,
            email=account.email,
            language=language,
            kind="emergency-access",
            now=now,
            patient_id=access.patient_id,
            params={
                "patient": patient.display_name if patient else "",
                "date": format_datetime(now, language),
            },
        )
    return row
