"""Asking for an export, building it in the worker, downloading it, forgetting it.

* Asking writes the :class:`ExportRow` and an audit entry in each included record's chain.
* The worker claims queued exports and builds each in three steps: one transaction reads every
  section of every person with the requester's own :class:`Access` (so a representative gets
  exactly what they may see) and audits it; then, with no transaction open, the ZIP is streamed
  through envelope encryption into the blob store (progress saved as it goes); last, the row
  is marked ready with its size, SHA-256 and wrapped data key.
* Downloading decrypts the ZIP as it streams, checked against its SHA-256, and is audited.
* Seven days after it is ready the blob is deleted, then the row says "expired".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from dmp.access.policy import Action, Mode
from dmp.access.services import Access, audit_record
from dmp.accounts.orm import AccountRow
from dmp.audit.model import AuditAction
from dmp.config import Settings
from dmp.export import fhir
from dmp.export.archive import Written, zip_stream
from dmp.export.model import (
    STALLED_AFTER,
    ExportStatus,
    downloadable,
    expires_at,
    patient_folder,
)
from dmp.export.orm import ExportRow
from dmp.export.sections import ExportContext, ExportFile, SectionOutput, SummaryPart, sections
from dmp.identity.orm import LegalRepresentativeRow, PatientRow
from dmp.notifications.services import notify
from dmp.records.documents import Storage
from dmp.shared import pdf
from dmp.shared.clock import Clock
from dmp.shared.context import SYSTEM, RequestContext
from dmp.shared.db import transaction
from dmp.shared.errors import N_, Conflict, DomainError, InvalidInput, NotFound
from dmp.shared.i18n import DEFAULT_LANGUAGE, format_datetime, normalise_language, translate
from dmp.storage import envelope
from dmp.storage.blobs import BlobNotFound, BlobStore
from dmp.storage.keys import KeyEncryptionKeys, WrappedKey

if TYPE_CHECKING:
    from dmp.container import Container

log = logging.getLogger("dmp.export")

EXPORT_NOT_FOUND = N_("Cet export n'existe pas ou vous n'y avez pas accès.")
TEMPLATES = Path(__file__).resolve().parent / "templates"
BUNDLE_PATH = "fhir/bundle.json"
SUMMARY_PATH = "summary.pdf"
README_PATH = "README.txt"
PER_ROUND = 3  # exports built per worker round, so other jobs keep their turn


class ExportGone(DomainError):
    """The export was ready but its 7 days are over: the archive no longer exists."""

    status = 410
    default_code = "export-expired"


@dataclass(frozen=True)
class Person:
    """Someone whose data the requester may export: themself, or a linked profile."""

    patient_id: uuid.UUID
    display_name: str
    own: bool


def aad(export_id: uuid.UUID) -> bytes:
    return f"dmp:export:{export_id}".encode()


def storage_key(export_id: uuid.UUID) -> str:
    return f"exports/{export_id.hex}"


def storage_for(container: Container) -> Storage:
    """The document storage (blobs and key ring) the archive is written to."""
    return Storage(
        blobs=container.blobs,
        keks=container.keks,
        max_bytes=container.settings.max_document_mb * 1024 * 1024,
    )


# --- Asking ----------------------------------------------------------------------------------


def people_of(
    session: Session, settings: Settings, clock: Clock, ctx: RequestContext, account: AccountRow
) -> list[Person]:
    """The requester first, then the linked profiles they manage now (the links in force,
    as the access policy judges them)."""
    if account.patient_id is None:
        return []
    own = session.get(PatientRow, account.patient_id)
    if own is None:
        return []
    found = [Person(own.id, own.display_name, True)]
    linked = session.scalars(
        select(PatientRow)
        .join(LegalRepresentativeRow, LegalRepresentativeRow.patient_id == PatientRow.id)
        .where(LegalRepresentativeRow.representative_id == account.patient_id)
        .order_by(PatientRow.birth_date, PatientRow.id)
    ).unique()
    for child in linked:
        if child.id != own.id and holder_mode(
            Access(session, settings, clock, ctx, account, child.id)
        ):
            found.append(Person(child.id, child.display_name, False))
    return found


def holder_mode(access: Access) -> Mode | None:
    """On what grounds the requester acts for this person: their own record, or as legal
    representative (a link in force). Nobody else's data ever goes into an export."""
    decision = access.decide(Action.record_status)
    if decision.allowed and decision.mode in (Mode.holder, Mode.representative):
        return decision.mode
    return None


def request_export(
    session: Session,
    settings: Settings,
    clock: Clock,
    ctx: RequestContext,
    account: AccountRow,
    *,
    language: str,
    include: Iterable[uuid.UUID] | None = None,
) -> ExportRow:
    """Queue an export of the requester's data and of the linked profiles in ``include``
    (all of them when None). One export at a time per account."""
    people = people_of(session, settings, clock, ctx, account)
    if not people:
        raise InvalidInput.single(
            "export",
            "no-patient",
            N_("Seul un patient peut demander une copie de ses données."),
        )
    linked = {person.patient_id for person in people if not person.own}
    wanted = linked if include is None else set(include) - {people[0].patient_id}
    if wanted - linked:
        raise InvalidInput.single(
            "include",
            "not-linked",
            N_("Vous ne pouvez inclure que les profils rattachés que vous gérez."),
        )
    pending = session.scalars(
        select(ExportRow.id).where(
            ExportRow.requested_by == account.id,
            ExportRow.status.in_([ExportStatus.queued.value, ExportStatus.running.value]),
        )
    ).first()
    if pending is not None:
        raise Conflict(
            N_("Une copie de vos données est déjà en préparation : attendez qu'elle soit prête."),
            code="export-pending",
        )
    chosen = [p.patient_id for p in people if p.own or p.patient_id in wanted]
    now = clock.now()
    row = ExportRow(
        id=uuid.uuid4(),
        requested_by=account.id,
        patient_ids_json=json.dumps([str(pid) for pid in chosen]),
        language=normalise_language(language) or settings.default_language,
        status=ExportStatus.queued.value,
        progress=0,
        created_at=now,
    )
    session.add(row)
    session.flush()
    for patient_id in chosen:
        access = Access(session, settings, clock, ctx, account, patient_id)
        mode = holder_mode(access)
        if mode is None:  # a link removed meanwhile
            raise NotFound(EXPORT_NOT_FOUND, code="export-not-found")
        access.audit(AuditAction.RecordExport, mode, target=f"Export/{row.id}")
    return row


def exports_of(session: Session, account: AccountRow) -> list[ExportRow]:
    return list(
        session.scalars(
            select(ExportRow)
            .where(ExportRow.requested_by == account.id)
            .order_by(ExportRow.created_at.desc(), ExportRow.id)
        )
    )


def get_export(session: Session, account: AccountRow, export_id: uuid.UUID) -> ExportRow:
    """One of the requester's exports; anybody else's answers "not found"."""
    row = session.get(ExportRow, export_id)
    if row is None or row.requested_by != account.id:
        raise NotFound(EXPORT_NOT_FOUND, code="export-not-found")
    return row


def is_downloadable(row: ExportRow, now: dt.datetime) -> bool:
    return downloadable(ExportStatus(row.status), row.expires_at, now)


def open_download(
    session: Session,
    clock: Clock,
    ctx: RequestContext,
    account: AccountRow,
    keks: KeyEncryptionKeys,
    blobs: BlobStore,
    export_id: uuid.UUID,
) -> tuple[ExportRow, Iterator[bytes]]:
    """The ZIP, decrypted as it streams and checked against its SHA-256; audited in the
    chain of every person it holds."""
    row = get_export(session, account, export_id)
    now = clock.now()
    if ExportStatus(row.status) is ExportStatus.expired or (
        row.expires_at is not None and now >= row.expires_at
    ):
        raise ExportGone(
            N_("Cette copie a expiré : elle n'est gardée que 7 jours. Demandez-en une nouvelle."),
        )
    if not is_downloadable(row, now) or row.wrapped_key is None or row.kek_id is None:
        raise Conflict(N_("Cette copie n'est pas encore prête."), code="export-not-ready")
    assert row.storage_key is not None and row.sha256 is not None
    data_key = keks.unwrap(WrappedKey(row.kek_id, row.wrapped_key), aad=aad(row.id))
    try:
        encrypted = blobs.open(row.storage_key)
    except BlobNotFound as exc:
        raise ExportGone(
            N_("Cette copie a expiré : elle n'est gardée que 7 jours. Demandez-en une nouvelle."),
        ) from exc
    for patient_id in row.patient_ids:
        audit_record(
            session,
            clock,
            ctx if ctx.account_id else ctx.as_account(account.id, account.role_names),
            patient_id=patient_id,
            action=AuditAction.RecordExportDownload,
            mode=Mode.holder if patient_id == account.patient_id else Mode.representative,
            target=f"Export/{row.id}",
        )
    return row, _verified(envelope.decrypt(data_key, encrypted, aad=aad(row.id)), row.sha256)


def _verified(chunks: Iterator[bytes], expected: str) -> Iterator[bytes]:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
        yield chunk
    if digest.hexdigest() != expected:
        raise envelope.DecryptionError("export does not match its recorded SHA-256")


# --- Building (the worker) -------------------------------------------------------------------


@dataclass
class _Plan:
    """What one export will write, gathered in one transaction."""

    export_id: uuid.UUID
    language: str
    requester: str
    requested_at: dt.datetime
    resources: list[dict[str, Any]] = field(default_factory=list)
    files: list[ExportFile] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def _gettext(language: str) -> Callable[..., str]:
    def gettext(message: str, **params: Any) -> str:
        return translate(language, message, params or None)

    return gettext


def _collect(
    session: Session,
    settings: Settings,
    clock: Clock,
    storage: Storage,
    row: ExportRow,
) -> _Plan:
    account = session.get(AccountRow, row.requested_by)
    if account is None:
        raise NotFound(EXPORT_NOT_FOUND, code="export-not-found")
    now = clock.now()
    gettext = _gettext(row.language)
    plan = _Plan(row.id, row.language, account.display_name, row.created_at)
    for patient_id in row.patient_ids:
        patient = session.get(PatientRow, patient_id)
        if patient is None:
            continue
        access = Access(session, settings, clock, SYSTEM, account, patient_id)
        mode = holder_mode(access)
        if mode is None:
            continue  # no longer the legal representative: that person is left out
        folder = patient_folder(patient.display_name, str(patient.id))
        context = ExportContext(
            access=access,
            patient=patient,
            folder=folder,
            patient_url=fhir.full_url(str(patient.id)),
            storage=storage,
            language=row.language,
            gettext=gettext,
            now=now,
        )
        parts: list[SummaryPart] = []
        counts: dict[str, int] = {}
        for section in sections():
            output: SectionOutput = section.collect(context)
            plan.resources += output.resources
            plan.files += output.files
            parts += output.summary
            counts.update(output.counts)
        plan.people.append({"name": patient.display_name, "folder": folder, "parts": parts})
        access.audit(
            AuditAction.RecordExportBuild,
            mode,
            target=f"Export/{row.id}",
            details={name: str(count) for name, count in sorted(counts.items())},
        )
    fhir.check_all(plan.resources)
    return plan


def summary_pdf(plan: _Plan, generated_at: dt.datetime) -> bytes:
    gettext = _gettext(plan.language)
    html = (
        _templates()
        .get_template("summary.html")
        .render(
            _=gettext,
            language=plan.language,
            requester=plan.requester,
            requested_at=format_datetime(plan.requested_at, plan.language),
            generated_at=format_datetime(generated_at, plan.language),
            people=plan.people,
        )
    )
    return pdf.render_pdf(html)


README = """\
Copie de vos données de santé — dmp (Dossier Médical Partagé)
============================================================

Cette archive contient tout ce que vous pouviez voir de votre dossier, et de celui des
personnes que vous représentez (profils rattachés), le {date} :

  summary.pdf           Un résumé lisible : identité, documents, profil médical,
                        vaccinations, groupe sanguin, directives anticipées,
                        personne de confiance, consentements, historique des accès.
  fhir/bundle.json      Toutes ces informations au format international FHIR R4
                        (un « Bundle » de type « collection »), que d'autres logiciels de
                        santé savent lire.
  documents/<personne>/ Les documents tels qu'ils ont été déposés, sans modification.
                        Leur empreinte (SHA-1 en base 64, taille) figure dans
                        fhir/bundle.json (DocumentReference.content.attachment).
  history/<personne>/   L'historique des accès au dossier (CSV et JSON).

Ces fichiers contiennent des données de santé : conservez-les en lieu sûr et ne les
transmettez qu'à des personnes de confiance.

Copy of your health data — dmp (shared medical record)
======================================================

This archive holds everything you could see of your record, and of the records of the
people you represent (linked profiles), on {date}:

  summary.pdf           A readable summary: identity, documents, medical profile,
                        vaccinations, blood group, advance directives, trusted person,
                        consents, access history.
  fhir/bundle.json      The same information in the international FHIR R4 format
                        (a Bundle of type "collection"), readable by other health software.
  documents/<person>/   The documents exactly as they were filed.
                        Their fingerprint (base64 SHA-1, size) is in fhir/bundle.json
                        (DocumentReference.content.attachment).
  history/<person>/     The record's access history (CSV and JSON).

These files hold health data: keep them somewhere safe and share them only with people
you trust.
"""


def _plan_files(plan: _Plan, now: dt.datetime) -> Iterator[ExportFile]:
    """Documents first (their attachments get their hash as they are written), then the
    bundle that describes them, the summary and the README."""
    yield from plan.files

    def bundle_bytes() -> list[bytes]:
        document = fhir.bundle(str(plan.export_id), now, plan.resources)
        fhir.check(document)
        return [json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")]

    yield ExportFile(BUNDLE_PATH, bundle_bytes)
    yield ExportFile(SUMMARY_PATH, lambda: [summary_pdf(plan, now)])
    date = now.date().isoformat()
    yield ExportFile(README_PATH, lambda: [README.format(date=date).encode("utf-8")])


class _Progress:
    """Saves the build's progress (10 → 95 %) as files are written, at most every 5 %."""

    def __init__(
        self, factory: sessionmaker[Session], export_id: uuid.UUID, files: list[ExportFile]
    ) -> None:
        self.factory, self.export_id = factory, export_id
        self.total = sum(f.size or 0 for f in files) + 1
        self.done = 0
        self.saved = 10

    def written(self, item: ExportFile, result: Written) -> None:
        if item.attachment is not None:
            fhir.complete_attachment(item.attachment, sha1=result.sha1, size=result.size)
        self.done += result.size
        value = min(90, 10 + 80 * self.done // self.total)
        if value >= self.saved + 5:
            self.save(value)

    def save(self, value: int) -> None:
        with transaction(self.factory) as session:
            row = session.get(ExportRow, self.export_id)
            if row is not None and row.status == ExportStatus.running.value:
                row.progress = value
        self.saved = value


class _Counted:
    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks, self.size, self.digest = chunks, 0, hashlib.sha256()

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.size += len(chunk)
            self.digest.update(chunk)
            yield chunk


def _claim(factory: sessionmaker[Session], clock: Clock) -> uuid.UUID | None:
    now = clock.now()
    with transaction(factory) as session:
        # A build "running" for hours died with its worker: it is failed, the person may ask again.
        for stalled in session.scalars(
            select(ExportRow)
            .where(
                ExportRow.status == ExportStatus.running.value,
                ExportRow.started_at < now - STALLED_AFTER,
            )
            .with_for_update(skip_locked=True)
        ):
            stalled.status = ExportStatus.failed.value
            stalled.error = "interrupted"
        row = session.scalars(
            select(ExportRow)
            .where(ExportRow.status == ExportStatus.queued.value)
            .order_by(ExportRow.created_at, ExportRow.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        row.status = ExportStatus.running.value
        row.started_at = now
        row.progress = 5
        # Named before the blob exists, so the orphan sweep never takes it for an orphan.
        row.storage_key = storage_key(row.id)
        return row.id


def build_one(
    factory: sessionmaker[Session],
    settings: Settings,
    clock: Clock,
    storage: Storage,
    export_id: uuid.UUID,
) -> None:
    """Build one claimed export (see the module's docstring); a failure marks it failed."""
    key = storage_key(export_id)
    try:
        with transaction(factory) as session:
            row = session.get(ExportRow, export_id)
            assert row is not None
            plan = _collect(session, settings, clock, storage, row)
            row.progress = 10
        progress = _Progress(factory, export_id, plan.files)
        now = clock.now()
        data_key = envelope.new_data_key()
        files = _plan_files(plan, now)
        plain = _Counted(zip_stream(files, moment=now, on_written=progress.written))
        storage.blobs.put(key, envelope.encrypt(data_key, plain, aad=aad(export_id)))
        wrapped = storage.keks.wrap(data_key, aad=aad(export_id))
        with transaction(factory) as session:
            row = session.get(ExportRow, export_id)
            assert row is not None
            ready = clock.now()
            row.status = ExportStatus.ready.value
            row.progress = 100
            row.ready_at = ready
            row.expires_at = expires_at(ready)
            row.kek_id, row.wrapped_key = wrapped.kek_id, wrapped.blob
            row.size, row.sha256 = plain.size, plain.digest.hexdigest()
            row.error = None
            _tell_ready(session, row, ready)
    except Exception as exc:
        log.exception("export %s failed", export_id)
        storage.blobs.delete(key)
        with transaction(factory) as session:
            row = session.get(ExportRow, export_id)
            if row is not None:
                row.status = ExportStatus.failed.value
                row.error = type(exc).__name__[:500]
                row.wrapped_key = row.kek_id = None


def build_exports(
    factory: sessionmaker[Session],
    settings: Settings,
    clock: Clock,
    storage: Storage,
    *,
    limit: int = PER_ROUND,
) -> int:
    """The worker's job: build queued exports (a few per round); returns how many it tried."""
    built = 0
    while built < limit:
        export_id = _claim(factory, clock)
        if export_id is None:
            break
        build_one(factory, settings, clock, storage, export_id)
        built += 1
    return built


def expire_exports(factory: sessionmaker[Session], blobs: BlobStore, clock: Clock) -> int:
    """Exports past their 7 days, and failed ones: the blob goes first, then the key."""
    now = clock.now()
    with transaction(factory) as session:
        due = [
            (row.id, row.storage_key)
            for row in session.scalars(
                select(ExportRow).where(
                    or_(
                        (ExportRow.status == ExportStatus.ready.value)
                        & (ExportRow.expires_at <= now),
                        (ExportRow.status == ExportStatus.failed.value)
                        & ExportRow.storage_key.is_not(None),
                    )
                )
            )
        ]
    for export_id, key in due:
        if key:
            blobs.delete(key)
        with transaction(factory) as session:
            row = session.get(ExportRow, export_id)
            if row is None:
                continue
            if row.status == ExportStatus.ready.value:
                row.status = ExportStatus.expired.value
            row.storage_key = None
            row.wrapped_key = row.kek_id = None
    return len(due)


def _tell_ready(session: Session, row: ExportRow, now: dt.datetime) -> None:
    """The requester hears that the copy is ready (it can take a while), never what it holds."""
    account = session.get(AccountRow, row.requested_by)
    if account is None:
        return
    notify(
        session,
        account_id=account.id,
        email=account.email,
        language=normalise_language(account.preferred_language) or DEFAULT_LANGUAGE,
        kind="export-ready",
        now=now,
        patient_id=account.patient_id,
        params={"until": (row.expires_at or now).isoformat()},
    )


def known_blob_keys(session: Session) -> set[str]:
    """Blob keys that belong to exports (for the orphan sweep)."""
    return {
        key
        for key in session.scalars(
            select(ExportRow.storage_key).where(ExportRow.storage_key.is_not(None))
        )
        if key
    }
