"""The regular reminder to the author of directives anticipées (R1111-19): once a year by
default (``directives_reminder_days``) after they signed, then after each reminder; the holder
only, never their representatives, and without a word of what the directives say."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dmp.access import services as access_services
from dmp.access.policy import DocumentStatus, Mode
from dmp.audit.model import AuditAction
from dmp.config import Settings
from dmp.directives_record.orm import DirectivesReminderRow, DirectivesRow
from dmp.directives_record.services import in_force_since
from dmp.records.orm import RecordRow
from dmp.records.recipients import tell
from dmp.shared.clock import Clock
from dmp.shared.context import SYSTEM
from dmp.shared.db import transaction

NOTICE = "directives-reminder"


def reminder_due(
    signed_at: dt.datetime, last_reminded: dt.datetime | None, now: dt.datetime, days: int
) -> bool:
    """Due ``days`` after the signature, or after the last reminder if that came later."""
    start = max(signed_at, last_reminded) if last_reminded is not None else signed_at
    return now >= start + dt.timedelta(days=days)


def send_reminders(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> int:
    """Remind every holder of an open record whose directives in force are due a reminder;
    returns how many were reminded. Idempotent: the reminder is recorded."""
    now = clock.now()
    reminded = 0
    with transaction(factory) as session:
        patients = session.scalars(
            select(DirectivesRow.patient_id)
            .join(RecordRow, RecordRow.patient_id == DirectivesRow.patient_id)
            .where(
                RecordRow.status == "open",
                DirectivesRow.status == DocumentStatus.approved.value,
                DirectivesRow.revoked_at.is_(None),
            )
            .distinct()
        ).all()
        for patient_id in patients:
            signed_at = in_force_since(session, patient_id)
            if signed_at is None:
                continue
            state = session.get(DirectivesReminderRow, patient_id)
            last = state.reminded_at if state is not None else None
            if not reminder_due(signed_at, last, now, settings.directives_reminder_days):
                continue
            if state is None:
                session.add(DirectivesReminderRow(patient_id=patient_id, reminded_at=now))
            else:
                state.reminded_at = now
            told = 0
            if access_services.preferences(session, patient_id, now).notify_directives:
                told = tell(
                    session,
                    patient_id,
                    NOTICE,
                    now,
                    representatives=False,
                    default_language=settings.default_language,
                )
            access_services.audit_record(
                session,
                clock,
                SYSTEM,
                patient_id=patient_id,
                action=AuditAction.RecordDirectivesReminder,
                mode=Mode.system,
                target=f"Patient/{patient_id}",
                details={"told": str(told)},
            )
            reminded += 1
    return reminded
