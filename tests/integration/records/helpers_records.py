"""Set-up shared by the record integration tests.

The demo people (Camille, her son Léo whom she represents, Drs Bernard and Petit, the operator)
plus one professional per role the access rules distinguish, an :class:`Access` for any of them
in a real transaction, document inputs, and small readers for what the services leave behind
(audit entries, inbox notices, outbox messages, blobs).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmp import demo
from dmp.access import services as access_services
from dmp.access.services import Access
from dmp.accounts import registration
from dmp.accounts.model import AccountStatus
from dmp.accounts.queries import account_by_email
from dmp.audit.model import chain_for_patient
from dmp.audit.orm import AuditEventRow
from dmp.container import Container
from dmp.identity import services as identity_services
from dmp.identity.model import Role
from dmp.notifications.orm import InboxRow, OutboxRow
from dmp.records import documents, lifecycle
from dmp.records.documents import DocumentInput, Storage
from dmp.records.orm import DocumentRow
from dmp.shared.context import RequestContext
from dmp.shared.db import transaction
from dmp.storage.keys import KeyEncryptionKeys
from support import seed_demo

CAMILLE = demo.CAMILLE.email  # holder of her record, legal representative of Léo
BERNARD = demo.BERNARD.email  # becomes Camille's médecin traitant
PETIT = demo.PETIT.email  # creates the records and writes most documents
ADMIN = demo.ADMIN.email  # operator
EXTENDED = "dr.etendu@demo.test"  # same rights as the médecin traitant
AUTHORISED = "dr.autorise@demo.test"  # authorised by the holder
STRANGER = "dr.inconnu@demo.test"  # no authorisation at all
BLOCKED = "dr.bloque@demo.test"  # authorised, then blocked
EMERGENCY = "dr.urgence@demo.test"  # declares a bris de glace
REGULATOR = "dr.regulateur@demo.test"  # médecin régulateur of a centre 15
NURSE = "ide.garcia@demo.test"  # not a doctor

_EXTRA = {
    EXTENDED: ("10000000101", "Durand", "Eva", "10"),
    AUTHORISED: ("10000000102", "Leroy", "Hugo", "10"),
    STRANGER: ("10000000103", "Moreau", "Inès", "10"),
    BLOCKED: ("10000000104", "Simon", "Jules", "10"),
    EMERGENCY: ("10000000105", "Laurent", "Karim", "10"),
    REGULATOR: ("10000000106", "Michel", "Léa", "10"),
    NURSE: ("10000000107", "Garcia", "Nina", "60"),
}
SETUP = RequestContext(channel="cli", user_agent="records tests")


@dataclass(frozen=True)
class People:
    camille: uuid.UUID  # patient ids
    leo: uuid.UUID
    professional: dict[str, uuid.UUID]  # e-mail → professional id
    account: dict[str, uuid.UUID]  # e-mail → account id


def seed_people(container: Container) -> People:
    seed_demo(container)
    with transaction(container.sessions) as session:
        for email, (rpps, family, given, profession) in _EXTRA.items():
            professional = identity_services.create_professional(
                session,
                container.clock,
                rpps=rpps,
                family_name=family,
                given_name=given,
                profession_code=profession,
                specialty_code="SM54" if profession == "10" else None,
                organisation=None,
                ctx=SETUP,
            )
            professional.regulator = email == REGULATOR
            registration.create_account(
                session,
                container.security,
                email=email,
                display_name=f"{given} {family}",
                roles=[Role.professional],
                status=AccountStatus.active,
                ctx=SETUP,
                professional_id=professional.id,
            )
        camille = identity_services.patient_by_matricule(session, demo.CAMILLE_NIR)
        leo = identity_services.patient_by_matricule(session, demo.LEO_NIR)
        assert camille is not None
        assert leo is not None
        accounts = {}
        professionals = {}
        for email in (CAMILLE, BERNARD, PETIT, ADMIN, *_EXTRA):
            account = account_by_email(session, email)
            assert account is not None
            accounts[email] = account.id
            if account.professional_id is not None:
                professionals[email] = account.professional_id
        return People(camille.id, leo.id, professionals, accounts)


def access_in(
    session: Session,
    container: Container,
    email: str,
    patient_id: uuid.UUID,
    *,
    ctx: RequestContext | None = None,
    settings: Any = None,
) -> Access:
    account = account_by_email(session, email)
    assert account is not None, email
    if ctx is None:
        ctx = RequestContext(
            ip="192.0.2.10", channel="api", account_id=account.id, roles=account.role_names
        )
    return Access(
        session, settings or container.settings, container.clock, ctx, account, patient_id
    )


@contextlib.contextmanager
def acting(
    container: Container, email: str, patient_id: uuid.UUID, **options: Any
) -> Iterator[Access]:
    """One unit of work by ``email`` on ``patient_id``'s record (committed on success)."""
    with transaction(container.sessions) as session:
        yield access_in(session, container, email, patient_id, **options)


def storage(
    container: Container, *, max_bytes: int = 1 << 20, keks: KeyEncryptionKeys | None = None
) -> Storage:
    return Storage(blobs=container.blobs, keks=keks or container.keks, max_bytes=max_bytes)


def pdf(label: str, size: int = 0) -> bytes:
    """A small "PDF" whose body carries a recognisable plaintext marker."""
    body = f"%PDF-1.7\n% CONTENU-CONFIDENTIEL {label}\n".encode()
    filler = b"".join(hashlib.sha256(f"{label}{i}".encode()).digest() for i in range(size // 32))
    return body + filler + b"\n%%EOF\n"


def in_chunks(data: bytes, size: int = 1000) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def doc_input(title: str = "Compte rendu de consultation", **fields: Any) -> DocumentInput:
    values: dict[str, Any] = {
        "title": title,
        "type_code": "11488-4",
        "mime_type": "application/pdf",
        "facility_type_code": "SA07",
    }
    values.update(fields)
    return DocumentInput(**values)


def patient_doc_input(title: str = "Mes analyses", **fields: Any) -> DocumentInput:
    values: dict[str, Any] = {"title": title, "type_code": "DOCPAT01", "mime_type": "text/plain"}
    values.update(fields)
    return DocumentInput(**values)


def file_doc(
    container: Container,
    email: str,
    patient_id: uuid.UUID,
    label: str,
    *,
    content: bytes | None = None,
    **fields: Any,
) -> uuid.UUID:
    """File one document in its own transaction; returns its id."""
    with acting(container, email, patient_id) as access:
        holder_side = access.actor.professional_id is None
        data = patient_doc_input(label, **fields) if holder_side else doc_input(label, **fields)
        if content is None:
            content = f"Note de {label}\n".encode() if holder_side else pdf(label)
        row = documents.file_document(access, storage(container), data, in_chunks(content))
        return row.id


def create_record(
    container: Container, patient_id: uuid.UUID, *, by: str = PETIT, method: str = "oral"
) -> None:
    with acting(container, by, patient_id) as access:
        lifecycle.create(access, consent_method=method)


def share_camille(container: Container, people: People) -> None:
    """Camille's choices: Bernard médecin traitant, extended rights, one authorised
    professional, one authorised then blocked."""
    with acting(container, CAMILLE, people.camille) as access:
        access_services.designate_treating_doctor(access, people.professional[BERNARD])
        access_services.grant_extended_rights(access, people.professional[EXTENDED])
        access_services.authorise(access, people.professional[AUTHORISED])
        access_services.authorise(access, people.professional[BLOCKED])
        access_services.block(access, people.professional[BLOCKED])


def read_all(chunks: Iterable[bytes]) -> bytes:
    return b"".join(chunks)


def blob_of(container: Container, key: str) -> bytes:
    return read_all(container.blobs.open(key))


def document_row(container: Container, document_id: uuid.UUID) -> DocumentRow | None:
    with transaction(container.sessions) as session:
        return session.get(DocumentRow, document_id)


def document_rows(container: Container, patient_id: uuid.UUID | None = None) -> list[DocumentRow]:
    with transaction(container.sessions) as session:
        query = select(DocumentRow)
        if patient_id is not None:
            query = query.where(DocumentRow.patient_id == patient_id)
        return list(session.scalars(query))


def audit_entries(
    container: Container, patient_id: uuid.UUID, action: str | None = None
) -> list[AuditEventRow]:
    with transaction(container.sessions) as session:
        query = select(AuditEventRow).where(AuditEventRow.chain == chain_for_patient(patient_id))
        if action is not None:
            query = query.where(AuditEventRow.action == action)
        return list(session.scalars(query.order_by(AuditEventRow.seq)))


def details(entry: AuditEventRow) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(entry.details)
    return value


def notices(container: Container, email: str, kind: str | None = None) -> list[InboxRow]:
    with transaction(container.sessions) as session:
        account = account_by_email(session, email)
        assert account is not None
        query = select(InboxRow).where(InboxRow.account_id == account.id)
        if kind is not None:
            query = query.where(InboxRow.kind == kind)
        return list(session.scalars(query.order_by(InboxRow.created_at)))


def outbox_rows(container: Container, recipient: str | None = None) -> list[OutboxRow]:
    with transaction(container.sessions) as session:
        query = select(OutboxRow)
        if recipient is not None:
            query = query.where(OutboxRow.recipient == recipient)
        return list(session.scalars(query.order_by(OutboxRow.created_at)))
