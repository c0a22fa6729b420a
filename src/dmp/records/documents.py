"""Filing, finding, opening and managing documents — always through the access policy.

Content is encrypted with a fresh data key per version (dmp.storage.envelope), the data key is
wrapped by the active key-encryption key, and the blob is written *before* its row: a failure
after the blob leaves an orphan that the sweep removes, never a row without content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, false, func, not_, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from dmp.access.policy import (
    Action,
    DocumentFacts,
    DocumentFilter,
    DocumentStatus,
    Mode,
    document_filter,
)
from dmp.access.services import Access, policy_settings
from dmp.audit.model import AuditAction
from dmp.identity.orm import ProfessionalRow
from dmp.records import content, items
from dmp.records.orm import DocumentRow
from dmp.records.recipients import tell
from dmp.shared.errors import (
    N_,
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    PreconditionFailed,
)
from dmp.shared.i18n import local_day_end, local_day_start
from dmp.storage import envelope
from dmp.storage.blobs import BlobStore
from dmp.storage.keys import KeyEncryptionKeys, WrappedKey
from dmp.terminology import valuesets

DOCUMENT_NOT_FOUND = N_("Ce document n'existe pas ou vous n'y avez pas accès.")
CONFIDENTIALITY = ("N", "R", "V")
PATIENT_FACILITY = "EXP_PATIENT"  # healthcareFacilityTypeCode of documents from the patient
PATIENT_PRACTICE = "EXP_PATIENT"  # practiceSettingCode for the patient (TRE_A00)


@dataclass
class DocumentInput:
    """Metadata given by whoever files the document (codes are checked against the shipped
    terminologies; what can be derived is derived)."""

    title: str
    type_code: str
    mime_type: str
    creation_time: dt.datetime | None = None
    service_start: dt.datetime | None = None
    service_stop: dt.datetime | None = None
    confidentiality: str = "N"
    masked: bool = False
    invisible_to_patient: bool = False
    invisible_to_representatives: bool = False
    format_code: str | None = None
    facility_type_code: str | None = None
    practice_setting_code: str | None = None
    comments: str | None = None
    unique_id: str | None = None
    author_role: str | None = None


@dataclass(frozen=True)
class Storage:
    blobs: BlobStore
    keks: KeyEncryptionKeys
    max_bytes: int


def aad(patient_id: uuid.UUID, document_id: uuid.UUID) -> bytes:
    return f"dmp:document:{patient_id}:{document_id}".encode()


def blob_key(patient_id: uuid.UUID, document_id: uuid.UUID) -> str:
    return f"{patient_id.hex}/{document_id.hex}"


def effective_invisible(row: DocumentRow, now: dt.datetime, days: int) -> bool:
    """INVISIBLE_PATIENT holds until an announcement is recorded or ``days`` have passed."""
    return (
        row.invisible_to_patient
        and row.announced_at is None
        and row.submitted_at > now - dt.timedelta(days=days)
    )


def facts(row: DocumentRow, now: dt.datetime, days: int) -> DocumentFacts:
    return DocumentFacts(
        status=DocumentStatus(row.status),
        author_professional_id=row.author_professional_id,
        author_patient_id=row.author_patient_id,
        masked=row.masked,
        invisible_to_patient=effective_invisible(row, now, days),
        invisible_to_representatives=row.invisible_to_representatives,
    )


def visibility_conditions(
    rule: DocumentFilter, now: dt.datetime, days: int
) -> list[ColumnElement[bool]]:
    """The policy's document filter as SQL, so forbidden rows are never loaded."""
    if not rule.allowed:
        return [false()]
    conditions: list[ColumnElement[bool]] = [
        DocumentRow.status.in_(sorted(s.value for s in rule.statuses))
    ]
    if not rule.masked_visible:
        own = (
            DocumentRow.author_professional_id == rule.author_professional_id
            if rule.author_professional_id is not None
            else false()
        )
        conditions.append(or_(DocumentRow.masked.is_(False), own))
    if rule.hide_invisible_to_patient:
        still_invisible = and_(
            DocumentRow.invisible_to_patient.is_(True),
            DocumentRow.announced_at.is_(None),
            DocumentRow.submitted_at > now - dt.timedelta(days=days),
        )
        conditions.append(not_(still_invisible))
    if rule.hide_invisible_to_representatives:
        conditions.append(DocumentRow.invisible_to_representatives.is_(False))
    return conditions


# --- Validation --------------------------------------------------------------------------


def _check_metadata(access: Access, data: DocumentInput) -> tuple[str, str, str, str, str | None]:
    """Returns (type system, class, format, facility type, practice setting)."""
    errors: list[FieldError] = []
    holder_side = access.actor.professional_id is None
    title = " ".join((data.title or "").split())
    if not title or len(title) > 255:
        errors.append(
            FieldError(
                "title", "required", N_("Donnez un titre au document (255 caractères au plus).")
            )
        )
    type_concept = valuesets.type_codes().get(data.type_code)
    if type_concept is None or type_concept.class_code is None:
        errors.append(
            FieldError(
                "type_code", "unknown-code", N_("Choisissez un type de document de la liste.")
            )
        )
    elif holder_side and not data.type_code.startswith(("DOCPAT", "EXPPAT")):
        errors.append(
            FieldError(
                "type_code",
                "patient-type",
                N_("Les documents ajoutés par le patient utilisent un type « document patient »."),
            )
        )
    if data.confidentiality not in CONFIDENTIALITY:
        errors.append(
            FieldError("confidentiality", "unknown-code", N_("Niveau de confidentialité inconnu."))
        )
    if data.masked and data.invisible_to_patient:
        errors.append(
            FieldError(
                "invisible_to_patient",
                "flags-combination",
                N_(
                    "Un document ne peut pas être à la fois masqué aux professionnels et"
                    " invisible pour le patient."
                ),
            )
        )
    if holder_side and (data.invisible_to_patient or data.invisible_to_representatives):
        errors.append(
            FieldError(
                "invisible_to_patient",
                "holder-flags",
                N_("Le patient ne peut pas rendre un document invisible pour lui-même."),
            )
        )
    mime = content.normalise_mime(data.mime_type)
    format_code = data.format_code or content.DEFAULT_FORMAT.get(mime)
    if mime not in content.ACCEPTED:
        errors.append(FieldError("file", "file-type", content.FILE_TYPE_REFUSED))
    elif format_code is None or format_code not in valuesets.format_codes():
        errors.append(FieldError("format_code", "unknown-code", N_("Format de document inconnu.")))
    facility = data.facility_type_code or (PATIENT_FACILITY if holder_side else None)
    if facility is None or facility not in valuesets.facility_types():
        errors.append(
            FieldError(
                "facility_type_code",
                "unknown-code",
                N_("Choisissez le type de structure où l'acte a eu lieu."),
            )
        )
    practice = data.practice_setting_code or (PATIENT_PRACTICE if holder_side else "AMBULATOIRE")
    if practice not in valuesets.practice_settings():
        errors.append(
            FieldError("practice_setting_code", "unknown-code", N_("Cadre d'exercice inconnu."))
        )
    now = access.clock.now()
    for name, moment in (
        ("creation_time", data.creation_time),
        ("service_start", data.service_start),
        ("service_stop", data.service_stop),
    ):
        if moment is not None and (moment.tzinfo is None or moment > now + dt.timedelta(minutes=5)):
            errors.append(
                FieldError(name, "date-future", N_("Cette date ne peut pas être dans le futur."))
            )
    start = data.service_start or data.creation_time or now  # what will be stored
    stop = data.service_stop
    if stop is not None and stop.tzinfo is not None and start.tzinfo is not None and stop < start:
        errors.append(
            FieldError("service_stop", "date-order", N_("La fin de l'acte précède son début."))
        )
    if errors:
        raise InvalidInput(errors=errors)
    assert type_concept is not None and type_concept.class_code is not None
    assert format_code is not None and facility is not None
    return type_concept.system, type_concept.class_code, format_code, facility, practice


def _store_content(
    storage: Storage,
    patient_id: uuid.UUID,
    document_id: uuid.UUID,
    mime: str,
    chunks: Iterable[bytes],
) -> tuple[content.Inspector, WrappedKey, str]:
    inspector = content.Inspector(declared=mime, limit=storage.max_bytes)
    data_key = envelope.new_data_key()
    key = blob_key(patient_id, document_id)
    storage.blobs.put(
        key, envelope.encrypt(data_key, inspector.stream(chunks), aad=aad(patient_id, document_id))
    )
    wrapped = storage.keks.wrap(data_key, aad=aad(patient_id, document_id))
    return inspector, wrapped, key


# --- Filing ------------------------------------------------------------------------------------


def file_document(
    access: Access,
    storage: Storage,
    data: DocumentInput,
    chunks: Iterable[bytes],
    *,
    replaces: DocumentRow | None = None,
) -> DocumentRow:
    """File a new document (or the new version of ``replaces``). Raises InvalidInput for bad
    metadata or content, NotFound when the caller may not feed this record."""
    if replaces is None:
        mode = access.require(Action.document_create)
    else:
        mode = access.require(Action.document_manage, facts(replaces, *_now_days(access)))
    type_system, class_code, format_code, facility, practice = _check_metadata(access, data)
    if replaces is not None and replaces.status != DocumentStatus.approved:
        # Refused before the content is written, so a refusal leaves no orphan blob.
        raise Conflict(
            N_("Ce document a déjà été remplacé ou n'est plus à jour."), code="not-current"
        )
    now = access.clock.now()
    document_id = uuid.uuid4()
    mime = content.normalise_mime(data.mime_type)
    unique_id = (data.unique_id or f"2.25.{document_id.int}").strip()[:128]
    if access.session.scalars(
        select(DocumentRow.id).where(
            DocumentRow.patient_id == access.patient_id, DocumentRow.unique_id == unique_id
        )
    ).first():
        raise Conflict(
            N_("Un document avec cet identifiant existe déjà."), code="duplicate-unique-id"
        )
    inspector, wrapped, key = _store_content(storage, access.patient_id, document_id, mime, chunks)
    holder_side = access.actor.professional_id is None
    professional = (
        access.session.get(ProfessionalRow, access.actor.professional_id)
        if access.actor.professional_id
        else None
    )
    row = DocumentRow(
        id=document_id,
        patient_id=access.patient_id,
        series_id=replaces.series_id if replaces else document_id,
        replaces_id=replaces.id if replaces else None,
        series_number=replaces.series_number + 1 if replaces else 1,
        unique_id=unique_id,
        status=DocumentStatus.approved.value,
        type_code=data.type_code,
        type_system=type_system,
        class_code=class_code,
        format_code=format_code,
        facility_type_code=facility,
        practice_setting_code=practice,
        confidentiality=data.confidentiality,
        masked=data.masked,
        invisible_to_patient=data.invisible_to_patient,
        invisible_to_representatives=data.invisible_to_representatives,
        title=" ".join(data.title.split()),
        comments=(data.comments or "").strip()[:4000] or None,
        creation_time=data.creation_time or now,
        service_start=data.service_start or data.creation_time or now,
        service_stop=data.service_stop,
        submitted_at=now,
        author_account_id=access.account.id,
        author_professional_id=access.actor.professional_id,
        author_patient_id=access.actor.patient_id if holder_side else None,
        author_organisation_id=items.organisation_of(access),
        author_role=data.author_role,
        author_specialty=professional.specialty_code if professional else None,
        mime_type=mime,
        size=inspector.size,
        sha256=inspector.sha256,
        blob_key=key,
        kek_id=wrapped.kek_id,
        wrapped_key=wrapped.blob,
        updated_at=now,
    )
    if replaces is not None:
        _deprecate(access, replaces)
    access.session.add(row)
    try:
        with access.session.begin_nested():
            access.session.flush()
    except IntegrityError as exc:
        # Two filings with the same uniqueId at the same moment: the loser gets a clear 409
        # (its blob is swept as an orphan).
        raise Conflict(
            N_("Un document avec cet identifiant existe déjà."), code="duplicate-unique-id"
        ) from exc
    access.audit(
        AuditAction.RecordDocumentReplace if replaces else AuditAction.RecordDocumentCreate,
        mode,
        target=f"DocumentReference/{row.id}",
        details={"type": row.type_code, "replaces": str(replaces.id) if replaces else ""},
    )
    _announce_new(access, row)
    return row


def _deprecate(access: Access, old: DocumentRow) -> None:
    if old.status != DocumentStatus.approved:
        raise Conflict(
            N_("Ce document a déjà été remplacé ou n'est plus à jour."), code="not-current"
        )
    old.status = DocumentStatus.deprecated.value
    old.updated_at = access.clock.now()
    try:
        access.session.flush()
    except StaleDataError as exc:
        raise Conflict(
            N_("Ce document vient d'être modifié par quelqu'un d'autre."), code="concurrent-change"
        ) from exc


def _announce_new(access: Access, row: DocumentRow) -> None:
    """Tell the holder a document arrived, unless it is still invisible to them or they
    filed it themselves, or they turned this notice off."""
    if access.actor.professional_id is None or row.invisible_to_patient:
        return
    _tell_holder_new_document(access, row)


def _now_days(access: Access) -> tuple[dt.datetime, int]:
    return access.clock.now(), access.settings.invisible_to_patient_days


# --- Finding ----------------------------------------------------------------------------------


@dataclass
class DocumentQuery:
    type_codes: list[str] = field(default_factory=list)
    class_codes: list[str] = field(default_factory=list)
    since: dt.date | None = None
    until: dt.date | None = None
    author_professional_id: uuid.UUID | None = None
    by_patient: bool = False  # only what the patient's side added
    include_archived: bool = False
    include_deprecated: bool = False
    only_masked: bool = False
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class DocumentPage:
    items: list[DocumentRow]
    total: int
    mode: Mode
    query: DocumentQuery


def list_documents(access: Access, query: DocumentQuery) -> DocumentPage:
    """The record's documents this caller may see, newest first, filtered and paginated.
    Listing is itself an access to the record, and audited as such."""
    mode = access.require(Action.documents_list)
    conditions = _visible(access)
    statuses = [DocumentStatus.approved.value]
    if query.include_archived:
        statuses.append(DocumentStatus.archived.value)
    if query.include_deprecated:
        statuses.append(DocumentStatus.deprecated.value)
    conditions.append(DocumentRow.status.in_(statuses))
    if query.type_codes:
        conditions.append(DocumentRow.type_code.in_(query.type_codes))
    if query.class_codes:
        conditions.append(DocumentRow.class_code.in_(query.class_codes))
    if query.since:
        conditions.append(DocumentRow.service_start >= local_day_start(query.since))
    if query.until:
        conditions.append(DocumentRow.service_start < local_day_end(query.until))
    if query.author_professional_id:
        conditions.append(DocumentRow.author_professional_id == query.author_professional_id)
    if query.by_patient:
        conditions.append(DocumentRow.author_patient_id.is_not(None))
    if query.only_masked:
        # Listing masked documents is for those who may see them (médecin traitant, author).
        conditions.append(DocumentRow.masked.is_(True))
    where = and_(true(), *conditions)
    total = access.session.scalar(select(func.count()).select_from(DocumentRow).where(where)) or 0
    limit = max(1, min(query.limit, 100))
    items = list(
        access.session.scalars(
            select(DocumentRow)
            .where(where)
            .order_by(DocumentRow.submitted_at.desc(), DocumentRow.id)
            .limit(limit)
            .offset(max(0, query.offset))
        )
    )
    access.audit(AuditAction.RecordDocumentList, mode, details={"count": str(len(items))})
    _first_access_notice(access, mode)
    return DocumentPage(items, int(total), mode, query)


def _visible(access: Access) -> list[ColumnElement[bool]]:
    """The policy's rule for this caller as SQL: nothing else is ever loaded."""
    now, days = _now_days(access)
    rule = document_filter(access.actor, access.facts, policy_settings(access.settings))
    return [DocumentRow.patient_id == access.patient_id, *visibility_conditions(rule, now, days)]


def visible_authors(access: Access) -> tuple[list[uuid.UUID], bool]:
    """Who wrote the documents this caller may list (any status but deleted), to filter by
    author: the professionals, and whether the patient's side added some."""
    access.require(Action.documents_list)
    where = and_(true(), *_visible(access), DocumentRow.status != DocumentStatus.deleted.value)
    professionals = access.session.scalars(
        select(DocumentRow.author_professional_id)
        .where(where, DocumentRow.author_professional_id.is_not(None))
        .distinct()
    )
    by_patient = access.session.scalar(
        select(func.count())
        .select_from(DocumentRow)
        .where(where, DocumentRow.author_patient_id.is_not(None))
    )
    return [p for p in professionals if p is not None], bool(by_patient)


def get_document(
    access: Access, document_id: uuid.UUID, action: Action = Action.document_read
) -> tuple[DocumentRow, Mode]:
    """A document the caller may act on, or NotFound (never telling which)."""
    row = access.session.get(DocumentRow, document_id)
    if row is None or row.patient_id != access.patient_id:
        raise NotFound(DOCUMENT_NOT_FOUND, code="document-not-found")
    decision = access.decide(action, facts(row, *_now_days(access)))
    if not decision.allowed or decision.mode is None:
        access.refused(action, decision, target=f"DocumentReference/{row.id}")
        # Not even a hint: a hidden document and a missing one answer alike.
        raise NotFound(DOCUMENT_NOT_FOUND, code="document-not-found")
    return row, decision.mode


def open_content(
    access: Access, storage: Storage, document_id: uuid.UUID
) -> tuple[DocumentRow, Iterator[bytes]]:
    """Read access: the row and its decrypted content as a stream, verified segment by segment
    (AES-GCM) and against the stored SHA-256 at the end. The read is audited."""
    row, mode = get_document(access, document_id)
    if row.wrapped_key is None or row.kek_id is None:
        raise NotFound(DOCUMENT_NOT_FOUND, code="document-not-found")
    data_key = storage.keks.unwrap(
        WrappedKey(row.kek_id, row.wrapped_key), aad=aad(row.patient_id, row.id)
    )
    access.audit(AuditAction.RecordDocumentRead, mode, target=f"DocumentReference/{row.id}")
    _first_access_notice(access, mode)
    plain = envelope.decrypt(
        data_key, storage.blobs.open(row.blob_key), aad=aad(row.patient_id, row.id)
    )
    return row, _verified(plain, row.sha256)


def _verified(chunks: Iterator[bytes], expected: str) -> Iterator[bytes]:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
        yield chunk
    if digest.hexdigest() != expected:
        raise envelope.DecryptionError("content does not match its recorded SHA-256")


def _first_access_notice(access: Access, mode: Mode) -> None:
    """A professional's first look at this record: the holder is told (if they want)."""
    if access.actor.professional_id is None or mode is Mode.system:
        return
    from sqlalchemy import select as _select

    from dmp.access.services import preferences
    from dmp.audit.orm import AuditEventRow

    earlier = access.session.scalar(
        _select(func.count())
        .select_from(AuditEventRow)
        .where(
            AuditEventRow.patient_id == access.patient_id,
            AuditEventRow.actor_account_id == access.account.id,
            AuditEventRow.action.in_(
                [AuditAction.RecordDocumentList.value, AuditAction.RecordDocumentRead.value]
            ),
        )
    )
    if (earlier or 0) > 1:  # the entry just written is the first
        return
    if not preferences(access.session, access.patient_id, access.clock.now()).notify_first_access:
        return
    tell(
        access.session,
        access.patient_id,
        "first-access",
        access.clock.now(),
        default_language=access.settings.default_language,
    )


# --- Managing -------------------------------------------------------------------------------


def _expect_version(row: DocumentRow, expected: int | None) -> None:
    if expected is not None and expected != row.version:
        raise PreconditionFailed(
            N_("Ce document a changé depuis que vous l'avez ouvert : rechargez-le."),
            code="version-mismatch",
        )


def set_status(
    access: Access,
    document_id: uuid.UUID,
    status: DocumentStatus,
    *,
    expected_version: int | None = None,
) -> DocumentRow:
    """Archive, unarchive or delete (logically) one's own document."""
    row, mode = get_document(access, document_id, Action.document_manage)
    _expect_version(row, expected_version)
    allowed = {
        DocumentStatus.archived: {DocumentStatus.approved},
        DocumentStatus.approved: {DocumentStatus.archived},
        DocumentStatus.deleted: {DocumentStatus.approved, DocumentStatus.archived},
    }
    if DocumentStatus(row.status) not in allowed.get(status, set()):
        raise Conflict(
            N_("Ce changement n'est pas possible pour ce document."), code="bad-transition"
        )
    now = access.clock.now()
    previous = row.status
    row.status = status.value
    row.updated_at = now
    if status is DocumentStatus.archived:
        row.archived_at = now
    elif status is DocumentStatus.deleted:
        row.deleted_at = now
    action = {
        DocumentStatus.archived: AuditAction.RecordDocumentArchive,
        DocumentStatus.approved: AuditAction.RecordDocumentUnarchive,
        DocumentStatus.deleted: AuditAction.RecordDocumentDelete,
    }[status]
    _flush(access)
    access.audit(action, mode, target=f"DocumentReference/{row.id}", details={"from": previous})
    return row


def set_masked(
    access: Access, document_id: uuid.UUID, masked: bool, *, expected_version: int | None = None
) -> DocumentRow:
    """The holder hides a document from professionals (or shows it again)."""
    row, mode = get_document(access, document_id, Action.document_mask)
    if not access.decide(Action.document_read, facts(row, *_now_days(access))):
        # The holder's side masks only what it can see: a document still invisible to the
        # patient (or to representatives) answers as if it did not exist.
        raise NotFound(DOCUMENT_NOT_FOUND, code="document-not-found")
    _expect_version(row, expected_version)
    if masked and effective_invisible(row, *_now_days(access)):
        raise Conflict(
            N_("Ce document ne peut pas être masqué pour l'instant."), code="flags-combination"
        )
    row.masked = masked
    row.updated_at = access.clock.now()
    _flush(access)
    access.audit(
        AuditAction.RecordDocumentMask,
        mode,
        target=f"DocumentReference/{row.id}",
        details={"masked": str(masked).lower()},
    )
    return row


def set_flags(
    access: Access,
    document_id: uuid.UUID,
    *,
    masked: bool | None = None,
    invisible_to_patient: bool | None = None,
    invisible_to_representatives: bool | None = None,
    expected_version: int | None = None,
) -> DocumentRow:
    """The author changes the visibility of their document (metadata update, ITI-57 style)."""
    row, mode = get_document(access, document_id, Action.document_manage)
    _expect_version(row, expected_version)
    new_masked = row.masked if masked is None else masked
    new_invisible = (
        row.invisible_to_patient if invisible_to_patient is None else invisible_to_patient
    )
    if new_masked and new_invisible:
        raise InvalidInput.single(
            "invisible_to_patient",
            "flags-combination",
            N_(
                "Un document ne peut pas être à la fois masqué aux professionnels et"
                " invisible pour le patient."
            ),
        )
    if access.actor.professional_id is None and (
        invisible_to_patient or invisible_to_representatives
    ):
        raise InvalidInput.single(
            "invisible_to_patient",
            "holder-flags",
            N_("Le patient ne peut pas rendre un document invisible pour lui-même."),
        )
    row.masked = new_masked
    row.invisible_to_patient = new_invisible
    if invisible_to_representatives is not None:
        row.invisible_to_representatives = invisible_to_representatives
    row.updated_at = access.clock.now()
    _flush(access)
    access.audit(
        AuditAction.RecordDocumentFlags,
        mode,
        target=f"DocumentReference/{row.id}",
        details={
            "masked": str(row.masked).lower(),
            "invisible_to_patient": str(row.invisible_to_patient).lower(),
            "invisible_to_representatives": str(row.invisible_to_representatives).lower(),
        },
    )
    return row


def record_announcement(access: Access, document_id: uuid.UUID) -> DocumentRow:
    """The consultation d'annonce took place: the document becomes visible to the patient."""
    row, mode = get_document(access, document_id, Action.announcement_record)
    if row.announced_at is not None:
        return row
    row.announced_at = access.clock.now()
    row.announced_by = access.actor.professional_id
    row.updated_at = access.clock.now()
    _flush(access)
    access.audit(AuditAction.RecordAnnouncement, mode, target=f"DocumentReference/{row.id}")
    if row.invisible_to_patient:
        _tell_holder_new_document(access, row)
    return row


def _tell_holder_new_document(access: Access, row: DocumentRow) -> None:
    from dmp.access.services import preferences

    if not preferences(access.session, access.patient_id, access.clock.now()).notify_new_document:
        return
    tell(
        access.session,
        access.patient_id,
        "new-document",
        access.clock.now(),
        representatives=not row.invisible_to_representatives,
        default_language=access.settings.default_language,
    )


def replace_document(
    access: Access,
    storage: Storage,
    document_id: uuid.UUID,
    data: DocumentInput,
    chunks: Iterable[bytes],
    *,
    expected_version: int | None = None,
) -> DocumentRow:
    old, _mode = get_document(access, document_id, Action.document_manage)
    _expect_version(old, expected_version)
    return file_document(access, storage, data, chunks, replaces=old)


def _flush(access: Access) -> None:
    try:
        access.session.flush()
    except StaleDataError as exc:
        raise Conflict(
            N_("Ce document vient d'être modifié par quelqu'un d'autre."), code="concurrent-change"
        ) from exc


def versions_of(access: Access, row: DocumentRow) -> list[DocumentRow]:
    """The versions in the document's series the caller may read, oldest first: an older
    version that is masked, still invisible or deleted is not even named."""
    now, days = _now_days(access)
    series = access.session.scalars(
        select(DocumentRow)
        .where(DocumentRow.series_id == row.series_id, DocumentRow.patient_id == row.patient_id)
        .order_by(DocumentRow.series_number)
    )
    return [
        version
        for version in series
        if access.decide(Action.document_read, facts(version, now, days)).allowed
    ]
