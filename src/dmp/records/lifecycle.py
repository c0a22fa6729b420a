"""A DMP's life: created with consent (or at activation), closed and reopened by its holder,
purged ten years after closure or within three months of an express deletion request."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmp.access import services as access_services
from dmp.access.policy import Action, Mode
from dmp.access.services import Access
from dmp.accounts.orm import AccountRow
from dmp.audit.model import AuditAction
from dmp.records.orm import RecordRow
from dmp.records.recipients import tell
from dmp.rights import registry
from dmp.rights.model import Channel, Purpose, channel_for
from dmp.shared.clock import Clock
from dmp.shared.context import RequestContext
from dmp.shared.errors import N_, Conflict, InvalidInput

CONSENT_METHODS = ("oral", "written")


def holder_account(session: Session, patient_id: uuid.UUID) -> AccountRow | None:
    return session.scalars(select(AccountRow).where(AccountRow.patient_id == patient_id)).first()


def _tell_holder(access: Access, kind: str, now: dt.datetime) -> None:
    tell(
        access.session,
        access.patient_id,
        kind,
        now,
        default_language=access.settings.default_language,
    )


def create(access: Access, *, consent_method: str | None = None) -> RecordRow:
    """Open the record: by the holder's side, or by a professional who collected consent (that
    professional is then authorised, basis "creation"). The holder is told."""
    existing = access.session.get(RecordRow, access.patient_id)
    if existing is not None and existing.purged_at is None:
        # Only those who may know the record exists learn it from the refusal (an operator,
        # who may not, gets the same "not found" as for a patient without a record).
        access.require(Action.record_status)
        raise Conflict(N_("Ce patient a déjà un dossier médical partagé."), code="record-exists")
    mode = access.require(Action.record_create)
    by_professional = access.actor.professional_id is not None
    if by_professional and consent_method not in CONSENT_METHODS:
        raise InvalidInput.single(
            "consent_method",
            "consent-required",
            N_("Indiquez comment le patient a donné son accord (oral ou écrit)."),
        )
    now = access.clock.now()
    if existing is not None:  # purged long ago: a new record starts afresh
        access.session.delete(existing)
        access.session.flush()
    record = RecordRow(
        patient_id=access.patient_id,
        status="open",
        created_at=now,
        created_by=access.account.id,
        created_how="professional" if by_professional else "holder",
        consent_professional_id=access.actor.professional_id,
        consent_at=now if by_professional else None,
        consent_method=consent_method if by_professional else None,
        updated_at=now,
    )
    access.session.add(record)
    access.session.flush()
    access_services.preferences(access.session, access.patient_id, now)
    registry.give(
        access.session,
        access.patient_id,
        Purpose.dmp_creation,
        now=now,
        channel=Channel(consent_method or "oral")
        if by_professional
        else channel_for(access.ctx.channel),
        recorded_by=access.account.id,
    )
    if by_professional:
        assert access.actor.professional_id is not None
        access_services.grant(access, access.actor.professional_id, basis="creation")
    access.audit(
        AuditAction.RecordCreate,
        mode,
        target=f"Record/{access.patient_id}",
        details={"consent_method": consent_method or ""},
    )
    _tell_holder(access, "record-created", now)
    access.refresh()
    return record


def open_at_activation(
    session: Session, clock: Clock, ctx: RequestContext, patient_id: uuid.UUID
) -> RecordRow | None:
    """Activating one's space opens the record if none exists (the ENS and DMP go together)."""
    existing = session.get(RecordRow, patient_id)
    if existing is not None and existing.purged_at is None:
        return None
    now = clock.now()
    if existing is not None:
        session.delete(existing)
        session.flush()
    record = RecordRow(
        patient_id=patient_id,
        status="open",
        created_at=now,
        created_how="activation",
        updated_at=now,
    )
    session.add(record)
    session.flush()
    access_services.preferences(session, patient_id, now)
    registry.give(
        session,
        patient_id,
        Purpose.dmp_creation,
        now=now,
        channel=channel_for(ctx.channel),
        recorded_by=ctx.account_id,
    )
    access_services.audit_record(
        session,
        clock,
        ctx,
        patient_id=patient_id,
        action=AuditAction.RecordCreate,
        mode=Mode.holder,
        target=f"Record/{patient_id}",
        details={"how": "activation"},
    )
    return record


def _record(access: Access) -> RecordRow:
    record = access.session.get(RecordRow, access.patient_id)
    assert record is not None  # the policy allowed an action that needs it
    return record


def close(access: Access, *, reason: str) -> RecordRow:
    mode = access.require(Action.record_close)
    record = _record(access)
    if record.status == "closed":
        raise Conflict(N_("Ce dossier est déjà fermé."), code="record-closed")
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput.single(
            "reason", "required", N_("Indiquez pourquoi vous fermez votre dossier.")
        )
    now = access.clock.now()
    record.status = "closed"
    record.closed_at = now
    record.close_reason = reason[:500]
    record.purge_after = _years_later(now, access.settings.retention_years_after_closure)
    record.updated_at = now
    registry.withdraw(
        access.session, access.patient_id, Purpose.dmp_creation, now=now, by=access.account.id
    )
    access.audit(AuditAction.RecordClose, mode, target=f"Record/{access.patient_id}")
    _tell_holder(access, "record-closed", now)
    access.refresh()
    return record


def reopen(access: Access) -> RecordRow:
    mode = access.require(Action.record_close)
    record = _record(access)
    if record.status == "open":
        raise Conflict(N_("Ce dossier est déjà ouvert."), code="record-open")
    now = access.clock.now()
    record.status = "open"
    record.closed_at = None
    record.close_reason = None
    record.purge_after = None
    record.deletion_requested_at = None
    record.updated_at = now
    registry.give(
        access.session,
        access.patient_id,
        Purpose.dmp_creation,
        now=now,
        channel=channel_for(access.ctx.channel),
        recorded_by=access.account.id,
    )
    access.audit(AuditAction.RecordReopen, mode, target=f"Record/{access.patient_id}")
    access.refresh()
    return record


def request_deletion(access: Access) -> RecordRow:
    """An express deletion request: the record is closed now and purged within the delay."""
    mode = access.require(Action.record_close)
    record = _record(access)
    now = access.clock.now()
    if record.status == "open":
        record.status = "closed"
        record.closed_at = now
        record.close_reason = "deletion requested"
        registry.withdraw(
            access.session, access.patient_id, Purpose.dmp_creation, now=now, by=access.account.id
        )
    record.deletion_requested_at = now
    record.purge_after = min(
        record.purge_after or now + dt.timedelta(days=36500),
        now + dt.timedelta(days=access.settings.deletion_request_days),
    )
    record.updated_at = now
    access.audit(AuditAction.RecordDeletionRequest, mode, target=f"Record/{access.patient_id}")
    access.refresh()
    return record


def due_for_purge(session: Session, now: dt.datetime) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(RecordRow.patient_id).where(
                RecordRow.status == "closed",
                RecordRow.purged_at.is_(None),
                RecordRow.purge_after <= now,
            )
        )
    )


def _years_later(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)
