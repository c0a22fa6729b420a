"""The blood-group card of a record, through the record's one access policy.

One current card per patient, every version kept (a record item series). Whoever may add to
the record may enter a card: a professional's card is verified (a laboratory result), the
holder's side's is declared. A professional's newer result replaces any current card; the
holder's side replaces only a card it declared itself (a verified card is changed by a
professional, or deleted by its author). The card's printed QR code carries a signed token
naming the exact version printed; :func:`verify_token` tells whether that version is still the
current, visible one.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmp.access.policy import Action, DocumentStatus
from dmp.access.services import Access, patient_of
from dmp.audit import services as audit
from dmp.audit.model import AuditAction, chain_for_patient
from dmp.bloodgroup import card as printed
from dmp.bloodgroup import verification
from dmp.bloodgroup.model import BloodGroupCard, BloodGroupInput, Source, validate
from dmp.bloodgroup.orm import BloodGroupRow
from dmp.identity.orm import PatientRow
from dmp.records import items
from dmp.records.items import item_facts
from dmp.records.orm import RecordRow
from dmp.shared.clock import Clock
from dmp.shared.context import RequestContext
from dmp.shared.crypto import KeyRing
from dmp.shared.errors import N_, Conflict, NotFound, PreconditionFailed
from dmp.shared.i18n import DISPLAY_TZ

RESOURCE = "BloodGroupCard"
KEY_PURPOSE = "bloodgroup:card-token"
VERIFY_PATH = "/verify/blood-group"
NO_CARD = N_("Aucune carte de groupe sanguin n'est enregistrée dans ce dossier.")
VERIFIED_CARD = N_(
    "Cette carte a été vérifiée par un professionnel : seul un professionnel peut la remplacer"
    " par un nouveau résultat."
)
STALE = N_("La carte a changé depuis que vous l'avez ouverte : rechargez-la.")


def signing_key(keys: KeyRing) -> bytes:
    """The card tokens' HMAC key, derived from the application's root secret for this purpose
    only (no setting of its own: rotating ``DMP_SECRET_KEY`` retires every printed code)."""
    return keys.derive(KEY_PURPOSE)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(DISPLAY_TZ).date()


def _target(row: BloodGroupRow) -> str:
    return items.target(row, RESOURCE)


def stored_current(session: Session, patient_id: uuid.UUID) -> BloodGroupRow | None:
    """The current card whoever may see it (writes must replace it, not start a second one)."""
    return session.scalars(
        select(BloodGroupRow)
        .where(
            BloodGroupRow.patient_id == patient_id,
            BloodGroupRow.status == DocumentStatus.approved.value,
        )
        .order_by(BloodGroupRow.created_at.desc(), BloodGroupRow.series_number.desc())
    ).first()


def _visible_current(access: Access) -> BloodGroupRow | None:
    rows = items.current_items(access, BloodGroupRow)
    return rows[-1] if rows else None


def current(access: Access) -> BloodGroupRow | None:
    """The card the caller may see, if any; an audited read (a professional needs the right to
    read the record; a masked card stays hidden from those the mask applies to)."""
    mode = access.require(Action.documents_list)
    row = _visible_current(access)
    access.audit(
        AuditAction.RecordBloodGroupRead,
        mode,
        target=_target(row) if row else None,
        details={"found": "1" if row else "0"},
    )
    return row


def _existing(access: Access) -> BloodGroupRow:
    access.require(Action.documents_list)
    row = _visible_current(access)
    if row is None:
        raise NotFound(NO_CARD, code="no-blood-group-card")
    return row


def _expect(row: BloodGroupRow | None, expected: str | None) -> None:
    """``If-Match`` (an ETag of :attr:`BloodGroupRow.etag`): refuse a change made from an
    out-of-date reading."""
    if expected is None:
        return
    if row is None or expected != row.etag:
        raise PreconditionFailed(STALE, code="version-mismatch")


def may_replace(access: Access, row: BloodGroupRow | None) -> bool:
    """Whether the caller may record a card now (a first one, or one replacing ``row``)."""
    if not access.decide(Action.document_create).allowed:
        return False
    if row is None or access.actor.professional_id is not None:
        return True
    return access.decide(Action.document_manage, item_facts(row)).allowed


def record(access: Access, data: BloodGroupInput, *, expected: str | None = None) -> BloodGroupRow:
    """Enter the card, or a new version of it. The source follows the author: verified from a
    professional, declared from the holder's side. Raises InvalidInput listing every problem
    (nothing is written), Conflict when the holder's side would replace a verified card."""
    mode = access.require(Action.document_create)
    holder_side = access.actor.professional_id is None
    source = Source.patient if holder_side else Source.professional
    old = stored_current(access.session, access.patient_id)
    old_visible = old is not None and access.decide(Action.document_read, item_facts(old)).allowed
    _expect(old if old_visible else None, expected)
    patient = patient_of(access.session, access.patient_id)
    card = validate(
        replace(data, source=source.value),
        today=local_date(access.clock.now()),
        birth_date=patient.birth_date,
    )
    if old is None:
        row = items.start(BloodGroupRow().fill(card), access)
    else:
        if holder_side and not may_replace(access, old):
            raise Conflict(VERIFIED_CARD, code="verified-card")
        row = items.succeed(old, BloodGroupRow().fill(card), access)
    items.flush(access)
    access.audit(
        AuditAction.RecordBloodGroupUpdate,
        mode,
        target=_target(row),
        details={"version": str(row.series_number), "verified": "1" if row.verified else "0"},
    )
    return row


def delete(access: Access, *, expected: str | None = None) -> None:
    """Logical deletion of the current card, by its author; kept in the history."""
    row = _existing(access)
    _expect(row, expected)
    items.remove(
        access,
        BloodGroupRow,
        row.id,
        expected_version=None,
        audit_action=AuditAction.RecordBloodGroupDelete,
        resource=RESOURCE,
        details={"version": str(row.series_number)},
    )


def set_masked(access: Access, masked: bool) -> BloodGroupRow:
    """The holder's side hides the card from professionals (except its author and the médecin
    traitant), or shows it again. Either way a card printed before no longer verifies."""
    row = _existing(access)
    return items.mask(
        access,
        BloodGroupRow,
        row.id,
        masked,
        audit_action=AuditAction.RecordBloodGroupMask,
        resource=RESOURCE,
    )


def versions(access: Access) -> list[BloodGroupRow]:
    """Every version of the record's cards the caller may read (deleted ones excepted), oldest
    first; an audited read."""
    mode = access.require(Action.documents_list)
    rows = [
        row
        for row in access.session.scalars(
            select(BloodGroupRow)
            .where(
                *items.visible(BloodGroupRow, access),
                BloodGroupRow.status != DocumentStatus.deleted.value,
            )
            .order_by(BloodGroupRow.created_at, BloodGroupRow.series_number)
        )
        if access.decide(Action.document_read, item_facts(row)).allowed
    ]
    access.audit(
        AuditAction.RecordBloodGroupRead,
        mode,
        details={"versions": str(len(rows))},
    )
    return rows


def card_token(row: BloodGroupRow, keys: KeyRing) -> str:
    """The token printed (as a QR code) on the card of this exact version of ``row``."""
    return verification.sign(row.id, row.version, signing_key(keys))


def holder_name(patient: PatientRow) -> str:
    """As printed on the card: first given name and birth name (the identity a laboratory and
    a transfusion check go by)."""
    return f"{patient.first_given_name} {patient.birth_name.upper()}"


def card_pdf(
    access: Access,
    *,
    keys: KeyRing,
    base_url: str,
    language: str,
    gettext: Any = None,
) -> bytes:
    """The wallet-size card of the current card, its QR code linking to the verification
    page; an audited read."""
    row = _existing(access)
    mode = access.require(Action.document_read, item_facts(row))
    patient = patient_of(access.session, access.patient_id)
    token = card_token(row, keys)
    pdf = printed.render_pdf(
        row.card(),
        holder=printed.CardHolder(holder_name(patient), patient.birth_date),
        verification_url=verification.verification_url(base_url.rstrip("/") + VERIFY_PATH, token),
        issued_on=local_date(row.created_at),
        language=language,
        gettext=gettext,
    )
    access.audit(
        AuditAction.RecordBloodGroupCard,
        mode,
        target=_target(row),
        details={"version": str(row.series_number)},
    )
    return pdf


# --- Verification of a printed card --------------------------------------------------------


class CardStatus(enum.StrEnum):
    current = "current"  # authentic, and the version printed is the current, visible card
    outdated = "outdated"  # authentic, but replaced, deleted, masked or its record closed
    invalid = "invalid"  # not a token this platform signed (altered, forged, mistyped)


@dataclass(frozen=True)
class Verification:
    """What the public verification page may say. Only a current card shows its values (those
    printed on its front, to compare with the paper); identity is reduced to initials and the
    year of birth."""

    status: CardStatus
    initials: str | None = None
    birth_year: int | None = None
    issued_on: dt.date | None = None
    card: BloodGroupCard | None = None


def initials(patient: PatientRow) -> str:
    return f"{patient.first_given_name[:1].upper()}. {patient.birth_name[:1].upper()}."


def verify_token(
    session: Session, clock: Clock, keys: KeyRing, token: str, ctx: RequestContext
) -> Verification:
    """Check a scanned token and say whether its card is current. An authentic token's check is
    written to the holder's audit trail (it shows in the access history)."""
    try:
        card_id, version = verification.verify(token, signing_key(keys))
    except verification.InvalidToken:
        return Verification(CardStatus.invalid)
    row = session.get(BloodGroupRow, card_id)
    if row is None:  # the record was purged since
        return Verification(CardStatus.outdated)
    patient = session.get(PatientRow, row.patient_id)
    record_row = session.get(RecordRow, row.patient_id)
    is_current = (
        row.status == DocumentStatus.approved.value
        and row.version == version
        and not row.masked
        and record_row is not None
        and record_row.status == "open"
    )
    status = CardStatus.current if is_current else CardStatus.outdated
    audit.record(
        session,
        clock,
        chain=chain_for_patient(row.patient_id),
        action=AuditAction.RecordBloodGroupVerify,
        context=ctx,
        patient_id=row.patient_id,
        target=_target(row),
        details={"mode": "system", "result": status.value},
    )
    return Verification(
        status,
        initials=initials(patient) if patient else None,
        birth_year=patient.birth_date.year if patient else None,
        issued_on=local_date(row.created_at),
        card=row.card() if is_current else None,
    )
