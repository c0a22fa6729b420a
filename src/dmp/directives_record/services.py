"""Directives anticipées in the record: signing a version, filing a signed scan, revoking,
reading — always through the record's one access policy.

* Only the holder writes them, an adult, for themselves (L1111-11): not a legal representative,
  not a professional. Professionals who may read the record read them (read-only).
* A version is dated and signed (R1111-17): the holder re-enters their password (throttled like
  a login, see :func:`reauthenticate`) and types their name; a drawn signature may be added.
* Each version is filed as a document of type ``EXPPAT_3`` (« Directives anticipées »); a new
  version replaces the previous document (the document keeps its versions), so professionals
  find the one that prevails in the documents list. A revocation is a dated version too: it
  files a revocation notice in place of the directives, so nobody reads them as current while
  the history keeps them.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from dmp.access.policy import Action, DocumentStatus, Mode
from dmp.access.services import Access, patient_of
from dmp.accounts.security import Security
from dmp.accounts.throttle import TOO_MANY, Throttle
from dmp.audit import services as audit
from dmp.audit.model import AuditAction, Outcome, chain_for_account
from dmp.directives import versions
from dmp.directives.model import (
    AdvanceDirectives,
    Author,
    ProtectedAdultAuthorisation,
    Signature,
    SignatureKind,
    TreatmentWish,
    TrustedPersonMention,
    Witness,
)
from dmp.directives.render import PNG_MAGIC, SignatureDrawing
from dmp.directives.render import render_pdf as render_directives_pdf
from dmp.directives_record.orm import DirectivesRow, EntryKind
from dmp.identity.model import fold
from dmp.linked.model import is_minor
from dmp.records import content, documents, items
from dmp.records.orm import DocumentRow
from dmp.shared import pdf
from dmp.shared.crypto import FieldCipher
from dmp.shared.errors import (
    N_,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
)
from dmp.shared.i18n import DISPLAY_TZ, format_date, format_datetime, translate
from dmp.storage.keys import WrappedKey

TEMPLATES = Path(__file__).resolve().parent / "templates"
DIRECTIVES_TYPE = "EXPPAT_3"  # JDV_J07 « Directives anticipées », classCode 90
RESOURCE = "Consent"  # FHIR names advance directives a Consent (scope "adr")
FILED_LANGUAGE = "fr"  # the copy filed for French professionals
SCAN_TYPES = (content.PDF, content.JPEG, content.PNG)
MAX_DRAWING_BYTES = 512 * 1024

HOLDER_ONLY = N_(
    "Seule la personne concernée, si elle est majeure, peut rédiger, signer ou révoquer ses"
    " directives anticipées."
)
ADULT_ONLY = N_("Seule une personne majeure peut rédiger des directives anticipées.")
WRONG_PASSWORD = N_("Le mot de passe est incorrect. Saisissez le mot de passe de votre compte.")
PASSWORD_REQUIRED = N_("Saisissez votre mot de passe pour signer.")
TYPED_NAME_MISMATCH = N_(
    "Pour signer, saisissez votre prénom et votre nom tels qu'ils figurent dans votre identité"
    " ci-dessus."
)
SCAN_TYPE_REFUSED = N_("Envoyez un PDF ou une image JPEG ou PNG de vos directives signées.")
DRAWING_REFUSED = N_("La signature dessinée doit être une image PNG de 512 Ko au plus.")
VERSION_NOT_FOUND = N_("Cette version de vos directives est introuvable.")
TITLE_SIGNED = N_("Directives anticipées, version %(number)s du %(date)s")
TITLE_SCAN = N_("Directives anticipées (document signé), version %(number)s du %(date)s")
TITLE_REVOKED = N_("Révocation des directives anticipées du %(date)s")
COMMENT = N_("Déposé par le patient depuis son espace « Directives anticipées ».")
REVOCATION_TITLE = N_("Révocation de mes directives anticipées")
REVOCATION_TEXT = N_(
    "Je soussigné(e) %(name)s, né(e) le %(birth_date)s, révoque le %(moment)s, depuis mon espace"
    " dmp, mes directives anticipées :"
)
REVOKED_LINE = N_("version %(number)s du %(date)s")
REVOCATION_CLOSING = N_(
    "Aucune directive anticipée n'est plus en vigueur à cette date. Je peux en rédiger de"
    " nouvelles à tout moment."
)


# --- Re-authentication ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reauthenticated:
    """Proof that the account's holder re-entered their password just now."""

    account_id: uuid.UUID
    at: dt.datetime


def reauthenticate(
    access: Access, security: Security, password: str
) -> Reauthenticated | DomainError:
    """Check the account's password again before signing, with the login's lockout rules.

    The refusal is *returned*, not raised: the failure counter and its audit entry must be
    committed with the refusal (the caller commits, then shows the error), while a signing
    that fails later is rolled back whole.
    """
    account = access.account
    throttle = Throttle(access.session, security)
    key = throttle.key("reauth", str(account.id))
    locked = throttle.locked_for(key)
    if locked:
        security.hasher.verify(None, password)  # same time as a real check
        return TooManyAttempts(TOO_MANY, retry_after=locked)
    if not password:
        return InvalidInput.single("password", "required", PASSWORD_REQUIRED)
    if not security.hasher.verify(account.password_hash, password):
        refusal = throttle.refuse(
            key, InvalidInput.single("password", "invalid-password", WRONG_PASSWORD)
        )
        audit.record(
            access.session,
            access.clock,
            chain=chain_for_account(account.id),
            action=AuditAction.AuthLoginFailure,
            context=access.ctx,
            outcome=Outcome.failure,
            actor_account_id=account.id,
            details={"reason": "reauthentication"},
        )
        return refusal
    throttle.succeed(key)
    return Reauthenticated(account.id, access.clock.now())


# --- Who writes ------------------------------------------------------------------------------


def require_author(access: Access) -> Mode:
    """The holder, an adult, on their own record; anyone else who may see the record is told
    why not, anyone who may not see it gets "not found"."""
    access.require(Action.documents_list)
    decision = access.decide(Action.document_create)
    if not decision.allowed or decision.mode is not Mode.holder:
        raise PermissionDenied(HOLDER_ONLY, code="holder-only")
    patient = patient_of(access.session, access.patient_id)
    today = access.clock.now().astimezone(DISPLAY_TZ).date()
    if is_minor(patient.birth_date, today, access.settings.age_of_majority):
        raise PermissionDenied(ADULT_ONLY, code="adult-only")
    return decision.mode


def may_write(access: Access) -> bool:
    try:
        require_author(access)
    except DomainError:
        return False
    return True


def identity_of(access: Access) -> Author:
    """The holder's identity as the record knows it, to start the form with."""
    patient = patient_of(access.session, access.patient_id)
    return Author(
        surname=patient.birth_name,
        first_names=patient.birth_given_names,
        birth_date=patient.birth_date,
        birth_place="",
    )


# --- Answers, kept encrypted ----------------------------------------------------------------


def to_dict(directives: AdvanceDirectives, drawing: bytes | None = None) -> dict[str, Any]:
    data = dataclasses.asdict(directives)
    author = data["author"]
    author["birth_date"] = (
        directives.author.birth_date.isoformat() if directives.author.birth_date else None
    )
    data["signed_at"] = directives.signed_at.isoformat() if directives.signed_at else None
    data["drawing_png"] = base64.b64encode(drawing).decode("ascii") if drawing else None
    return data


def from_dict(data: dict[str, Any]) -> tuple[AdvanceDirectives, bytes | None]:
    author = data["author"]
    trusted = data.get("trusted_person")
    authorisation = data.get("protected_adult_authorisation")
    signature = data.get("signature")
    directives = AdvanceDirectives(
        author=Author(
            surname=author["surname"],
            first_names=author["first_names"],
            birth_date=dt.date.fromisoformat(author["birth_date"])
            if author["birth_date"]
            else None,
            birth_place=author["birth_place"],
        ),
        situation=data["situation"],
        foreseen_situations=data.get("foreseen_situations", ""),
        treatments=tuple(TreatmentWish(**t) for t in data.get("treatments", [])),
        other_treatments=data.get("other_treatments", ""),
        sedation=data.get("sedation"),
        other_wishes=data.get("other_wishes", ""),
        trusted_person=TrustedPersonMention(**trusted) if trusted else None,
        author_can_write=data.get("author_can_write", True),
        witnesses=tuple(Witness(**w) for w in data.get("witnesses", [])),
        protected_adult_authorisation=ProtectedAdultAuthorisation(**authorisation)
        if authorisation
        else None,
        place=data.get("place", ""),
        signed_at=dt.datetime.fromisoformat(data["signed_at"]) if data.get("signed_at") else None,
        signature=Signature(**signature) if signature else None,
    )
    drawing = base64.b64decode(data["drawing_png"]) if data.get("drawing_png") else None
    return directives, drawing


def _answers_cipher(storage: documents.Storage, document: DocumentRow) -> FieldCipher:
    """A key of its own, derived from the filed document's data key."""
    if document.wrapped_key is None or document.kek_id is None:
        raise NotFound(VERSION_NOT_FOUND, code="version-not-found")
    data_key = storage.keks.unwrap(
        WrappedKey(document.kek_id, document.wrapped_key),
        aad=documents.aad(document.patient_id, document.id),
    )
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"dmp-v1", info=b"dmp:directives:answers"
    ).derive(data_key)
    return FieldCipher(key)


def _context(document: DocumentRow) -> str:
    return f"dmp:directives:{document.patient_id}:{document.id}"


def seal_answers(storage: documents.Storage, document: DocumentRow, payload: dict[str, Any]) -> str:
    plain = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    return _answers_cipher(storage, document).encrypt(plain, context=_context(document))


def open_answers(
    access: Access, storage: documents.Storage, row: DirectivesRow
) -> tuple[AdvanceDirectives, bytes | None] | None:
    """The structured answers of a version written with the form (the holder's side only:
    professionals read the filed document)."""
    if row.answers is None or row.document_id is None:
        return None
    if access.actor.professional_id is not None:
        return None
    document = access.session.get(DocumentRow, row.document_id)
    if document is None or document.patient_id != access.patient_id:
        return None
    plain = _answers_cipher(storage, document).decrypt(row.answers, context=_context(document))
    data = json.loads(plain)
    return from_dict(data)


# --- Reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    row: DirectivesRow
    status: str  # current | superseded | revoked | revocation


@dataclass(frozen=True)
class Directives:
    """What the caller may see of the holder's directives."""

    entries: list[Entry]  # oldest first
    current: DirectivesRow | None
    mode: Mode

    @property
    def latest(self) -> DirectivesRow | None:
        return self.entries[-1].row if self.entries else None

    @property
    def revoked(self) -> bool:
        latest = self.latest
        return latest is not None and latest.is_revocation


def _series(access: Access) -> list[DirectivesRow]:
    """Every row of the holder's series (no filtering: for writing)."""
    return list(
        access.session.scalars(
            select(DirectivesRow)
            .where(DirectivesRow.patient_id == access.patient_id)
            .order_by(DirectivesRow.series_number)
        )
    )


def _visible_rows(access: Access) -> list[DirectivesRow]:
    column: Any = DirectivesRow
    rows = list(
        access.session.scalars(
            select(DirectivesRow)
            .where(
                *items.visible(DirectivesRow, access),
                column.status.in_([DocumentStatus.approved.value, DocumentStatus.deprecated.value]),
            )
            .order_by(DirectivesRow.series_number)
        )
    )
    if access.actor.professional_id is None:
        return rows
    # Professionals see a version only when they may read its filed document (the holder may
    # have masked or deleted it): the document's own rules decide.
    now, days = access.clock.now(), access.settings.invisible_to_patient_days
    visible: list[DirectivesRow] = []
    for row in rows:
        document = access.session.get(DocumentRow, row.document_id) if row.document_id else None
        if document is not None and access.decide(
            Action.document_read, documents.facts(document, now, days)
        ):
            visible.append(row)
    return visible


def _entries(rows: list[DirectivesRow]) -> tuple[list[Entry], DirectivesRow | None]:
    signed = [r for r in rows if not r.is_revocation]
    current = versions.current(signed)
    entries = [
        Entry(
            row,
            "revocation" if row.is_revocation else versions.status_of(row, signed).value,
        )
        for row in rows
    ]
    return entries, current


def read(access: Access) -> Directives:
    """The directives the caller may see: every version, and the one that prevails. Audited."""
    mode = access.require(Action.documents_list)
    rows = _visible_rows(access)
    entries, current = _entries(rows)
    access.audit(
        AuditAction.RecordDirectivesRead,
        mode,
        details={"versions": str(len(rows)), "current": str(current.number) if current else ""},
    )
    return Directives(entries, current, mode)


def open_version(
    access: Access, storage: documents.Storage, number: int
) -> tuple[DocumentRow, Iterator[bytes]]:
    """The filed document of version ``number`` (its reading is audited as a document read)."""
    access.require(Action.documents_list)
    row = next((r for r in _visible_rows(access) if r.series_number == number), None)
    if row is None or row.document_id is None:
        raise NotFound(VERSION_NOT_FOUND, code="version-not-found")
    return documents.open_content(access, storage, row.document_id)


# --- Writing ---------------------------------------------------------------------------------


def _words(value: str) -> list[str]:
    """Words without accents, case, hyphens or apostrophes, in their order."""
    plain = fold(value).casefold()
    return [w for w in plain.replace("-", " ").replace("'", " ").split() if w]


def _check_typed_name(author: Author, typed: str) -> None:
    given = sorted(_words(typed))
    first = _words(author.first_names)[:1]
    surname = _words(author.surname)
    # The full name, or at least the first given name and the surname (in any order).
    accepted = (sorted(_words(author.first_names) + surname), sorted(first + surname))
    if given and given in accepted:
        return
    raise InvalidInput.single("typed_name", "typed-name-mismatch", TYPED_NAME_MISMATCH)


def check_drawing(data: bytes | None) -> bytes | None:
    if not data:
        return None
    if not data.startswith(PNG_MAGIC) or len(data) > MAX_DRAWING_BYTES:
        raise InvalidInput.single("drawing", "drawing-format", DRAWING_REFUSED)
    return data


def prepare(
    access: Access, directives: AdvanceDirectives, *, typed_name: str, drawing: bytes | None
) -> AdvanceDirectives:
    """The directives as they will be signed now, checked whole (every error at once);
    nothing is written."""
    require_author(access)
    now = access.clock.now()
    drawing = check_drawing(drawing)
    signature = Signature(
        kind=SignatureKind.drawn if drawing else SignatureKind.typed,
        typed_name=" ".join(typed_name.split()),
        drawing_ref="answers" if drawing else None,
    )
    signed = dataclasses.replace(directives, signed_at=now, signature=signature)
    errors = signed.errors(now=now)
    try:
        _check_typed_name(signed.author, typed_name)
    except InvalidInput as exc:
        errors += exc.errors
    if errors:
        raise InvalidInput(errors=errors)
    return signed


def _file(
    access: Access,
    storage: documents.Storage,
    *,
    title: str,
    mime: str,
    chunks: Iterable[bytes],
    previous: DirectivesRow | None,
) -> DocumentRow:
    """File (or replace) the directives document of the series."""
    replaces = None
    if previous is not None and previous.document_id is not None:
        old = access.session.get(DocumentRow, previous.document_id)
        if old is not None and old.status == DocumentStatus.approved.value:
            replaces = old  # else the holder deleted or archived it: start a new document
    return documents.file_document(
        access,
        storage,
        documents.DocumentInput(
            title=title,
            type_code=DIRECTIVES_TYPE,
            mime_type=mime,
            comments=translate(FILED_LANGUAGE, COMMENT),
        ),
        chunks,
        replaces=replaces,
    )


def _add(access: Access, row: DirectivesRow, previous: DirectivesRow | None) -> DirectivesRow:
    if previous is None:
        items.start(row, access)
    else:
        items.succeed(previous, row, access)
    items.flush(access)
    return row


def _latest(access: Access) -> DirectivesRow | None:
    return next(
        (r for r in reversed(_series(access)) if r.status == DocumentStatus.approved.value), None
    )


def sign(
    access: Access,
    storage: documents.Storage,
    proof: Reauthenticated,
    directives: AdvanceDirectives,
    *,
    typed_name: str,
    drawing: bytes | None = None,
) -> DirectivesRow:
    """Sign a new version with the guided form; it prevails over every earlier one."""
    mode = require_author(access)
    if proof.account_id != access.account.id:
        raise ValueError("the re-authentication belongs to another account")
    signed = prepare(access, directives, typed_name=typed_name, drawing=drawing)
    assert signed.signed_at is not None
    previous = _latest(access)
    number = previous.series_number + 1 if previous else 1
    content_pdf = render_directives_pdf(
        signed,
        version=number,
        language=FILED_LANGUAGE,
        drawing=SignatureDrawing(png=drawing) if drawing else None,
    )
    day = format_date(signed.signed_at.astimezone(DISPLAY_TZ).date(), FILED_LANGUAGE)
    document = _file(
        access,
        storage,
        title=translate(FILED_LANGUAGE, TITLE_SIGNED, {"number": number, "date": day}),
        mime=content.PDF,
        chunks=[content_pdf],
        previous=previous,
    )
    row = DirectivesRow(
        kind=EntryKind.form.value,
        signed_at=signed.signed_at,
        document_id=document.id,
        answers=seal_answers(storage, document, to_dict(signed, drawing)),
    )
    _add(access, row, previous)
    access.audit(
        AuditAction.RecordDirectivesSign,
        mode,
        target=items.target(row, RESOURCE),
        details={
            "version": str(row.number),
            "kind": row.kind,
            "signature": signed.signature.kind if signed.signature else "",
            "witnesses": str(len(signed.witnesses)),
            "document": str(document.id),
        },
    )
    return row


def file_scan(
    access: Access,
    storage: documents.Storage,
    proof: Reauthenticated,
    *,
    mime: str,
    chunks: Iterable[bytes],
) -> DirectivesRow:
    """File directives signed on paper (a PDF or a photo); it prevails over earlier ones."""
    mode = require_author(access)
    if proof.account_id != access.account.id:
        raise ValueError("the re-authentication belongs to another account")
    kind = content.normalise_mime(mime)
    if kind not in SCAN_TYPES:
        raise InvalidInput.single("file", "file-type", SCAN_TYPE_REFUSED)
    previous = _latest(access)
    number = previous.series_number + 1 if previous else 1
    now = access.clock.now()
    day = format_date(now.astimezone(DISPLAY_TZ).date(), FILED_LANGUAGE)
    document = _file(
        access,
        storage,
        title=translate(FILED_LANGUAGE, TITLE_SCAN, {"number": number, "date": day}),
        mime=kind,
        chunks=chunks,
        previous=previous,
    )
    row = DirectivesRow(kind=EntryKind.scan.value, signed_at=now, document_id=document.id)
    _add(access, row, previous)
    access.audit(
        AuditAction.RecordDirectivesSign,
        mode,
        target=items.target(row, RESOURCE),
        details={"version": str(row.number), "kind": row.kind, "document": str(document.id)},
    )
    return row


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def revocation_pdf(
    *,
    name: str,
    birth_date: dt.date,
    revoked: list[DirectivesRow],
    at: dt.datetime,
    language: str = FILED_LANGUAGE,
) -> bytes:
    def _(message: str, **params: Any) -> str:
        return translate(language, message, params or None)

    html = (
        _environment()
        .get_template("revocation.html")
        .render(
            language=language,
            title=_(REVOCATION_TITLE),
            author=name,
            paragraphs=[
                _(
                    REVOCATION_TEXT,
                    name=name,
                    birth_date=format_date(birth_date, language),
                    moment=format_datetime(at, language),
                )
            ],
            revoked=[
                _(
                    REVOKED_LINE,
                    number=row.number,
                    date=format_date(row.signed_at.astimezone(DISPLAY_TZ).date(), language),
                )
                for row in revoked
            ],
            closing=_(REVOCATION_CLOSING),
        )
    )
    return pdf.render_pdf(html)


def revoke(access: Access, storage: documents.Storage) -> DirectivesRow:
    """Withdraw the directives: every valid version is revoked (none prevails any more), and a
    dated revocation replaces them in the record's documents."""
    mode = require_author(access)
    series = _series(access)
    signed = [r for r in series if not r.is_revocation]
    targets = versions.revocation_targets(signed)  # Conflict when nothing is in force
    previous = _latest(access)
    now = access.clock.now()
    for row in targets:
        row.revoked_at = now
    patient = patient_of(access.session, access.patient_id)
    document = _file(
        access,
        storage,
        title=translate(
            FILED_LANGUAGE,
            TITLE_REVOKED,
            {"date": format_date(now.astimezone(DISPLAY_TZ).date(), FILED_LANGUAGE)},
        ),
        mime=content.PDF,
        chunks=[
            revocation_pdf(
                name=patient.display_name,
                birth_date=patient.birth_date,
                revoked=targets,
                at=now,
            )
        ],
        previous=previous,
    )
    row = DirectivesRow(kind=EntryKind.revocation.value, signed_at=now, document_id=document.id)
    _add(access, row, previous)
    access.audit(
        AuditAction.RecordDirectivesRevoke,
        mode,
        target=items.target(row, RESOURCE),
        details={
            "version": str(row.number),
            "revoked": ",".join(str(t.number) for t in targets),
            "document": str(document.id),
        },
    )
    return row


# --- For the reminder job --------------------------------------------------------------------


def in_force_since(session: Session, patient_id: uuid.UUID) -> dt.datetime | None:
    """When the version in force was signed, if the holder has directives in force."""
    rows = session.scalars(
        select(DirectivesRow).where(
            DirectivesRow.patient_id == patient_id,
            DirectivesRow.status == DocumentStatus.approved.value,
        )
    ).all()
    current = versions.current([r for r in rows if not r.is_revocation])
    return current.signed_at if current else None
