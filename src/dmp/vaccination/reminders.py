"""The daily vaccination reminders: ahead of each dose that becomes due, the holder's side is
told once (if they kept this notice on), without naming the vaccine."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dmp.access import services as access_services
from dmp.access.policy import Mode
from dmp.audit.model import AuditAction
from dmp.config import Settings
from dmp.identity.orm import PatientRow
from dmp.records.orm import RecordRow
from dmp.records.recipients import tell
from dmp.shared.clock import Clock
from dmp.shared.context import SYSTEM
from dmp.shared.db import transaction
from dmp.vaccination.engine import due_within, plan
from dmp.vaccination.model import DoseGiven, PlanItem
from dmp.vaccination.orm import VaccinationReminderRow, VaccinationRow


def reminder_key(item: PlanItem) -> str:
    """One reminder per dose (or season) and due date: a changed plan reminds again."""
    which = item.dose_number if item.dose_number is not None else item.season or "-"
    return f"{item.vaccine}:{which}:{item.due_date.isoformat() if item.due_date else '-'}"


def send_reminders(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> int:
    """Remind every open record whose plan has a dose due within the configured days;
    returns how many records were reminded."""
    now = clock.now()
    today = now.date()
    reminded = 0
    with transaction(factory) as session:
        records = session.execute(
            select(RecordRow.patient_id, PatientRow.birth_date)
            .join(PatientRow, PatientRow.id == RecordRow.patient_id)
            .where(RecordRow.status == "open")
        ).all()
        for patient_id, birth_date in records:
            doses = session.scalars(
                select(VaccinationRow).where(
                    VaccinationRow.patient_id == patient_id, VaccinationRow.status == "approved"
                )
            ).all()
            soon = due_within(
                plan(birth_date, today, [DoseGiven(d.vaccine_code, d.given_on) for d in doses]),
                today,
                settings.vaccination_reminder_days,
            )
            keys = {reminder_key(item) for item in soon}
            already = set(
                session.scalars(
                    select(VaccinationReminderRow.key).where(
                        VaccinationReminderRow.patient_id == patient_id,
                        VaccinationReminderRow.key.in_(keys),
                    )
                )
            )
            new = sorted(keys - already)
            if not new:
                continue
            for key in new:
                session.add(VaccinationReminderRow(patient_id=patient_id, key=key, sent_at=now))
            told = 0
            if access_services.preferences(session, patient_id, now).notify_vaccination:
                told = tell(
                    session,
                    patient_id,
                    "vaccination-due",
                    now,
                    default_language=settings.default_language,
                )
            access_services.audit_record(
                session,
                clock,
                SYSTEM,
                patient_id=patient_id,
                action=AuditAction.RecordVaccinationReminder,
                mode=Mode.system,
                target=f"Patient/{patient_id}",
                details={"doses": str(len(new)), "told": str(told)},
            )
            reminded += 1
    return reminded
