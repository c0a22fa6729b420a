"""The worker's jobs. Each takes what it needs, works in its own transactions, and returns a
count of what it did (logged, and asserted by the tests)."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from dmp.access import services as access_services
from dmp.access.orm import EmergencyAccessRow
from dmp.access.policy import Mode
from dmp.access.services import preferences
from dmp.accounts.orm import WebSessionRow
from dmp.audit.model import AuditAction
from dmp.config import Settings
from dmp.directives_record.orm import DirectivesReminderRow
from dmp.export import services as export_services
from dmp.notifications.adapters import Dispatcher
from dmp.notifications.orm import OutboxRow
from dmp.notifications.services import claim_due, message_of, settle
from dmp.records import items
from dmp.records.lifecycle import due_for_purge
from dmp.records.orm import DocumentRow, RecordRow
from dmp.records.recipients import tell
from dmp.rights import services as rights_services
from dmp.shared.clock import Clock
from dmp.shared.context import SYSTEM
from dmp.shared.db import transaction
from dmp.shared.i18n import DEFAULT_LANGUAGE
from dmp.storage.blobs import BlobStore
from dmp.trusted import services as trusted_services
from dmp.vaccination.orm import VaccinationReminderRow

log = logging.getLogger("dmp.jobs")

ORPHAN_GRACE = dt.timedelta(hours=1)


def announcement_notices(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> int:
    """Documents still invisible to the patient 2 weeks after filing, with no announcement:
    the patient is told their record was updated and invited to see a professional."""
    now = clock.now()
    cutoff = now - dt.timedelta(days=settings.announcement_notice_days)
    done = 0
    with transaction(factory) as session:
        rows = session.scalars(
            select(DocumentRow)
            .join(RecordRow, RecordRow.patient_id == DocumentRow.patient_id)
            .where(
                DocumentRow.invisible_to_patient.is_(True),
                DocumentRow.announced_at.is_(None),
                DocumentRow.update_notified_at.is_(None),
                DocumentRow.submitted_at <= cutoff,
                DocumentRow.status == "approved",
                RecordRow.status == "open",  # a closed record's holder hears nothing new
            )
            .with_for_update(of=DocumentRow, skip_locked=True)
        ).all()
        for row in rows:
            row.update_notified_at = now
            if preferences(session, row.patient_id, now).notify_announcement:
                tell(
                    session,
                    row.patient_id,
                    "announcement-pending",
                    now,
                    # Not even a hint to representatives of a document kept from them.
                    representatives=not row.invisible_to_representatives,
                    default_language=settings.default_language,
                )
            done += 1
    return done


def automatic_visibility(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> int:
    """One month after filing, a document invisible to the patient becomes visible (the policy
    already shows it; this records it and tells the patient)."""
    now = clock.now()
    cutoff = now - dt.timedelta(days=settings.invisible_to_patient_days)
    done = 0
    with transaction(factory) as session:
        rows = session.scalars(
            select(DocumentRow)
            .where(
                DocumentRow.invisible_to_patient.is_(True),
                DocumentRow.announced_at.is_(None),
                DocumentRow.submitted_at <= cutoff,
            )
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            row.invisible_to_patient = False
            row.updated_at = now
            access_services.audit_record(
                session,
                clock,
                SYSTEM,
                patient_id=row.patient_id,
                action=AuditAction.RecordDocumentFlags,
                mode=Mode.system,
                target=f"DocumentReference/{row.id}",
                details={"invisible_to_patient": "false", "reason": "one month elapsed"},
            )
            record = session.get(RecordRow, row.patient_id)
            if (
                record is not None
                and record.status == "open"
                and row.status == "approved"
                and preferences(session, row.patient_id, now).notify_new_document
            ):
                tell(
                    session,
                    row.patient_id,
                    "new-document",
                    now,
                    representatives=not row.invisible_to_representatives,
                    default_language=settings.default_language,
                )
            done += 1
    return done


def purge_records(
    factory: sessionmaker[Session],
    blobs: BlobStore,
    clock: Clock,
    *,
    default_language: str = DEFAULT_LANGUAGE,
) -> int:
    """Records closed 10 years ago, or whose deletion was requested 3 months ago: data keys
    erased first, then blobs and rows. The patient's identity and the audit trail remain.

    Erasing the wrapped data keys (crypto-shredding) makes any leftover copy of the blobs
    (object-store versions or replicas, blob backups) unreadable. It does not reach database
    backups taken before the purge: they still hold the wrapped keys, which the key ring's KEK
    unwraps, so with the blobs those documents stay readable from such a backup until it
    expires. The purge is complete only once the older database backups have rotated out."""
    now = clock.now()
    with transaction(factory) as session:
        due = due_for_purge(session, now)
    purged = 0
    for patient_id in due:
        keys: list[str] = []
        with transaction(factory) as session:
            record = session.get(RecordRow, patient_id, with_for_update=True)
            if (
                record is None
                or record.purged_at is not None
                or record.status != "closed"
                or record.purge_after is None
                or record.purge_after > now
            ):
                continue  # reopened (or already purged) since the list was read
            documents = session.scalars(
                select(DocumentRow).where(DocumentRow.patient_id == patient_id)
            ).all()
            for row in documents:
                row.wrapped_key = None
                row.kek_id = None
                keys.append(row.blob_key)
            session.flush()
            # Delete newest versions first: each row may point at the one it replaced.
            for row in sorted(documents, key=lambda d: d.series_number, reverse=True):
                session.delete(row)
                session.flush()
            session.execute(
                delete(EmergencyAccessRow).where(EmergencyAccessRow.patient_id == patient_id)
            )
            trusted_services.purge(session, patient_id)  # invitations, then items
            record_items = items.purge(session, patient_id)
            rights_services.purge(session, patient_id, now)
            session.execute(
                delete(VaccinationReminderRow).where(
                    VaccinationReminderRow.patient_id == patient_id
                )
            )
            session.execute(
                delete(DirectivesReminderRow).where(DirectivesReminderRow.patient_id == patient_id)
            )
            access_services.revoke_everything_for(session, patient_id, now)
            record.purged_at = now
            record.updated_at = now
            access_services.audit_record(
                session,
                clock,
                SYSTEM,
                patient_id=patient_id,
                action=AuditAction.RecordPurge,
                mode=Mode.system,
                target=f"Record/{patient_id}",
                details={"documents": str(len(documents)), "items": str(record_items)},
            )
            tell(session, patient_id, "record-purged", now, default_language=default_language)
        for key in keys:  # after the commit: the keys are gone whatever happens to the blobs
            blobs.delete(key)
        purged += 1
    return purged


def sweep_orphan_blobs(factory: sessionmaker[Session], blobs: BlobStore, clock: Clock) -> int:
    """Blobs with no document row (an upload whose transaction failed after the write)."""
    with transaction(factory) as session:
        known = set(session.scalars(select(DocumentRow.blob_key)))
        known |= export_services.known_blob_keys(session)  # GDPR exports, kept 7 days
    removed = 0
    for key in list(blobs.keys()):
        if key in known:
            continue
        # An upload writes its blob just before its row commits: leave young blobs alone.
        written = blobs.modified_at(key)
        if written is None or written < clock.now() - ORPHAN_GRACE:
            blobs.delete(key)
            removed += 1
    return removed


def deliver_outbox(factory: sessionmaker[Session], dispatcher: Dispatcher, clock: Clock) -> int:
    """Claim due messages, send them with no transaction open (a slow mail server must not
    hold database locks), then record each outcome."""
    with transaction(factory) as session:
        claimed = [(row.id, message_of(row)) for row in claim_due(session, clock.now())]
    outcomes = [(row_id, dispatcher.dispatch(message)) for row_id, message in claimed]
    with transaction(factory) as session:
        for row_id, delivered in outcomes:
            row = session.get(OutboxRow, row_id)
            if row is not None:
                settle(row, delivered, clock.now())
    return sum(delivered for _id, delivered in outcomes)


def sweep_web_sessions(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> int:
    """Forget sessions past their absolute lifetime (anonymous visits included)."""
    cutoff = clock.now() - dt.timedelta(hours=settings.session_absolute_hours + 24)
    with transaction(factory) as session:
        result = session.execute(delete(WebSessionRow).where(WebSessionRow.last_seen_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)
