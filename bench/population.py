"""A synthetic population: professionals, patients with open records, and documents.

The demo accounts come first, through the real services (dmp.demo, dmp.demo_records): Camille
Martin is the *target* patient whose "my documents" page is measured, Dr Bernard the
professional who files and downloads through the API. Everyone else is written with
SQLAlchemy Core in batches, so 100 000 documents take seconds, not hours:

* professionals (with accounts and organisations), the authors of the documents;
* patients with a valid NIR, an open record, preferences, and authorisations (Dr Bernard's
  among them, so he may file into and read every synthetic record);
* documents spread unevenly over the patients (a few have many, most have some), with
  realistic metadata — types, classes, facilities, statuses, flags, authors, dates over five
  years — and a wrapped key pointing at a blob that does not exist (the listing never opens
  it);
* each synthetic patient's audit chain (identity, record and one entry per document, hashed
  and linked exactly as dmp.audit writes them, with its chain head), so the audit table has a
  realistic size and ``dmp audit verify`` still passes.

The target patient gets exactly ``target_documents`` documents (the demo's 4 plus bulk rows,
which have no audit history of their own).
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.progress import Progress
from sqlalchemy import Connection, func, insert, select

from dmp import demo
from dmp.access.orm import AuthorisationRow, PreferencesRow
from dmp.accounts.orm import AccountRoleRow, AccountRow
from dmp.accounts.queries import account_by_email
from dmp.audit.model import AuditAction, AuditEntry, canonical_json
from dmp.audit.orm import AuditChainHead, AuditEventRow
from dmp.container import Container
from dmp.demo_records import seed_records
from dmp.identity import services as identity_services
from dmp.identity.model import Role
from dmp.identity.nir import OID_NIR, control_key
from dmp.identity.orm import (
    OrganisationRow,
    PatientRow,
    ProfessionalOrganisationRow,
    ProfessionalRow,
    professional_search_name,
)
from dmp.records import content
from dmp.records.documents import Storage
from dmp.records.orm import DocumentRow, RecordRow
from dmp.shared.db import transaction
from dmp.terminology import valuesets

BATCH_DOCUMENTS = 5000  # rows per INSERT batch (and per transaction)
HISTORY_YEARS = 5
FAMILY_NAMES = (
    *("MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY"),
    *("MOREAU", "SIMON", "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX"),
    *("VINCENT", "FOURNIER", "MOREL", "GIRARD", "ANDRE", "MERCIER", "DUPONT", "LAMBERT"),
    *("BONNET", "FRANCOIS", "MARTINEZ", "LEGRAND", "GARNIER", "FAURE", "ROUSSEAU", "BLANC"),
)
GIVEN_NAMES = {
    "F": ("Marie", "Nathalie", "Isabelle", "Sylvie", "Camille", "Julie", "Léa", "Chloé", "Inès"),
    "M": ("Jean", "Pierre", "Michel", "Philippe", "Nicolas", "Thomas", "Lucas", "Hugo", "Louis"),
}
# Document types filed by professionals, with plausible titles and relative frequency.
DOCUMENT_KINDS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("11488-4", 30, ("Compte rendu de consultation", "Consultation de suivi", "Avis spécialisé")),
    ("11502-2", 25, ("Bilan biologique", "Résultats d'analyses", "Bilan lipidique")),
    ("18748-4", 12, ("Radiographie thoracique", "Échographie abdominale", "IRM du genou")),
    ("57833-6", 12, ("Ordonnance", "Prescription de médicaments")),
    ("34133-9", 8, ("Compte rendu d'hospitalisation", "Lettre de liaison de sortie")),
    ("60591-5", 5, ("Synthèse médicale", "Volet de synthèse médicale")),
    ("87273-9", 5, ("Certificat de vaccination", "Note de vaccination")),
    ("34794-8", 2, ("Compte rendu de RCP",)),
    ("15508-5", 1, ("Compte rendu d'accouchement",)),
)
FACILITIES = (
    ("SA07", "AMBULATOIRE", 60),  # cabinet libéral
    ("SA01", "ETABLISSEMENT", 25),  # établissement public de santé
    ("SA05", "AMBULATOIRE", 15),  # centre de santé
)
SPECIALTIES = ("SM54", "SM54", "SM54", "SM04", "SM40", "SM26", None)


@dataclass(frozen=True)
class Author:
    account_id: uuid.UUID
    professional_id: uuid.UUID
    organisation_id: uuid.UUID | None
    specialty: str | None
    facility: str
    practice: str


@dataclass(frozen=True)
class Sizes:
    patients: int
    documents: int
    target_documents: int
    professionals: int


@dataclass
class Population:
    target_patient_id: uuid.UUID
    target_email: str
    professional_email: str
    professional: Author  # Dr Bernard, who files and reads through the API
    synthetic_patients: list[uuid.UUID]
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class _Batch:
    """Rows waiting for one INSERT per table, in foreign-key order."""

    tables: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {
            name: []
            for name in (
                "patients",
                "records",
                "record_preferences",
                "record_authorisations",
                "documents",
                "audit_events",
                "audit_chain_heads",
            )
        }
    )

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.tables[table].append(row)

    @property
    def documents(self) -> int:
        return len(self.tables["documents"])

    def flush(self, connection: Connection) -> None:
        models: dict[str, Any] = {
            "patients": PatientRow,
            "records": RecordRow,
            "record_preferences": PreferencesRow,
            "record_authorisations": AuthorisationRow,
            "documents": DocumentRow,
            "audit_events": AuditEventRow,
            "audit_chain_heads": AuditChainHead,
        }
        for name, rows in self.tables.items():
            if rows:
                connection.execute(insert(models[name].__table__), rows)
                rows.clear()


class _Chain:
    """One patient's audit chain, hashed and linked as dmp.audit.services.record does."""

    def __init__(self, patient_id: uuid.UUID, batch: _Batch) -> None:
        self.patient_id = patient_id
        self.name = f"patient:{patient_id}"
        self.batch = batch
        self.seq = 0
        self.last_hash = "0" * 64
        self.last_at: dt.datetime | None = None

    def append(
        self,
        rng: random.Random,
        at: dt.datetime,
        action: AuditAction,
        actor: uuid.UUID | None,
        target: str,
        details: dict[str, str],
    ) -> None:
        self.seq += 1
        entry = AuditEntry(
            chain=self.name,
            seq=self.seq,
            occurred_at=at,
            action=str(action),
            outcome="success",
            actor_account_id=str(actor) if actor else None,
            actor_label=None,
            patient_id=str(self.patient_id),
            target=target,
            channel="api",
            ip=f"192.0.2.{rng.randrange(1, 255)}",
            request_id=f"{rng.getrandbits(128):032x}",
            details=details,
            prev_hash=self.last_hash,
        )
        digest = entry.compute_hash()
        self.batch.add(
            "audit_events",
            {
                "chain": entry.chain,
                "seq": entry.seq,
                "occurred_at": at,
                "action": entry.action,
                "outcome": entry.outcome,
                "actor_account_id": actor,
                "actor_label": None,
                "patient_id": self.patient_id,
                "target": target,
                "channel": entry.channel,
                "ip": entry.ip,
                "request_id": entry.request_id,
                "details": canonical_json(dict(entry.details)),
                "prev_hash": entry.prev_hash,
                "hash": digest,
            },
        )
        self.last_hash = digest
        self.last_at = at

    def close(self) -> None:
        assert self.last_at is not None
        self.batch.add(
            "audit_chain_heads",
            {
                "chain": self.name,
                "last_seq": self.seq,
                "last_hash": self.last_hash,
                "updated_at": self.last_at,
            },
        )


def nir(index: int, sex: str, birth: dt.date) -> str:
    """A valid, unique NIR born in the Bouches-du-Rhône (the demo patients are from Paris)."""
    commune = index // 999 + 1
    order = index % 999 + 1
    sex_digit = 1 if sex == "M" else 2
    body = f"{sex_digit}{birth.year % 100:02d}{birth.month:02d}13{commune:03d}{order:03d}"
    return body + f"{control_key(body):02d}"


class _Documents:
    """Builds document rows with realistic, valid metadata."""

    def __init__(self, rng: random.Random, kek_id: str) -> None:
        self.rng = rng
        self.kek_id = kek_id
        codes = valuesets.type_codes()
        self.kinds: list[tuple[str, str, str, tuple[str, ...]]] = []
        weights: list[int] = []
        for code, weight, titles in DOCUMENT_KINDS:
            concept = codes.get(code)
            assert concept is not None, code
            assert concept.class_code is not None, code
            self.kinds.append((code, concept.system, concept.class_code, titles))
            weights.append(weight)
        self.weights = weights

    def row(self, patient_id: uuid.UUID, author: Author, submitted: dt.datetime) -> dict[str, Any]:
        rng = self.rng
        document_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        code, system, class_code, titles = rng.choices(self.kinds, self.weights)[0]
        text = rng.random() < 0.05
        mime = content.TEXT if text else content.PDF
        start = submitted - dt.timedelta(days=rng.choice((0, 0, 0, 1, 2, 7)), hours=rng.random())
        draw = rng.random()
        status = "approved"
        archived_at = deleted_at = None
        if draw < 0.03:
            status, archived_at = "archived", submitted + dt.timedelta(days=30)
        elif draw < 0.04:
            status, deleted_at = "deleted", submitted + dt.timedelta(days=3)
        invisible = rng.random() < 0.01
        masked = not invisible and rng.random() < 0.02
        return {
            "id": document_id,
            "patient_id": patient_id,
            "series_id": document_id,
            "replaces_id": None,
            "series_number": 1,
            "unique_id": f"2.25.{document_id.int}",
            "status": status,
            "type_code": code,
            "type_system": system,
            "class_code": class_code,
            "format_code": content.DEFAULT_FORMAT[mime],
            "facility_type_code": author.facility,
            "practice_setting_code": author.practice,
            "confidentiality": "N",
            "masked": masked,
            "invisible_to_patient": invisible,
            "invisible_to_representatives": False,
            "title": rng.choice(titles),
            "comments": None,
            "language": "fr-FR",
            "creation_time": start,
            "service_start": start,
            "service_stop": None,
            "submitted_at": submitted,
            "author_account_id": author.account_id,
            "author_professional_id": author.professional_id,
            "author_patient_id": None,
            "author_organisation_id": author.organisation_id,
            "author_role": None,
            "author_specialty": author.specialty,
            "mime_type": mime,
            "size": max(2_000, min(int(rng.lognormvariate(11.3, 0.9)), 15_000_000)),
            "sha256": f"{rng.getrandbits(256):064x}",
            "blob_key": f"{patient_id.hex}/{document_id.hex}",
            "kek_id": self.kek_id,
            "wrapped_key": base64.b64encode(rng.randbytes(60)).decode(),
            "announced_at": submitted + dt.timedelta(days=5) if invisible else None,
            "announced_by": author.professional_id if invisible else None,
            "update_notified_at": None,
            "archived_at": archived_at,
            "deleted_at": deleted_at,
            "updated_at": archived_at or deleted_at or submitted,
            "version": 1,
        }


def _demo(container: Container) -> tuple[uuid.UUID, Author, Author]:
    """The demo accounts and records, through the real services; returns the target patient
    and the two demo doctors as authors."""
    storage = Storage(
        blobs=container.blobs,
        keks=container.keks,
        max_bytes=container.settings.max_document_mb * 1024 * 1024,
    )
    with transaction(container.sessions) as session:
        demo.seed(session, container.security)
        seed_records(session, container.settings, container.clock, storage)
    with transaction(container.sessions) as session:
        camille = identity_services.patient_by_matricule(session, demo.CAMILLE_NIR)
        assert camille is not None
        authors = []
        for account in (demo.BERNARD, demo.PETIT):
            row = account_by_email(session, account.email)
            assert row is not None
            assert row.professional_id is not None
            professional = session.get(ProfessionalRow, row.professional_id)
            assert professional is not None
            organisation = session.scalars(
                select(ProfessionalOrganisationRow.organisation_id).where(
                    ProfessionalOrganisationRow.professional_id == professional.id
                )
            ).first()
            facility = "SA07" if professional.specialty_code == "SM54" else "SA05"
            authors.append(
                Author(
                    row.id,
                    professional.id,
                    organisation,
                    professional.specialty_code,
                    facility,
                    "AMBULATOIRE",
                )
            )
        return camille.id, authors[0], authors[1]


def _professionals(
    connection: Connection, rng: random.Random, count: int, now: dt.datetime
) -> list[Author]:
    organisations: list[tuple[dict[str, Any], str]] = []
    for index in range(max(5, count // 4)):
        facility, practice, _ = rng.choices(FACILITIES, [f[2] for f in FACILITIES])[0]
        prefix = {"SA07": "Cabinet médical", "SA01": "Centre hospitalier", "SA05": "Centre"}
        organisations.append(
            (
                {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "finess": None,
                    "name": f"{prefix[facility]} n° {index + 1}",
                    "facility_type_code": facility,
                    "created_at": now,
                },
                practice,
            )
        )
    professionals: list[dict[str, Any]] = []
    accounts: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    authors: list[Author] = []
    for index in range(count):
        sex = rng.choice("FM")
        professional_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        account_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        organisation, practice = rng.choice(organisations)
        nurse = rng.random() < 0.1
        specialty = None if nurse else rng.choice(SPECIALTIES)
        given, family = rng.choice(GIVEN_NAMES[sex]), rng.choice(FAMILY_NAMES).title()
        professionals.append(
            {
                "id": professional_id,
                "rpps": f"2{index:010d}",
                "family_name": family,
                "given_name": given,
                "profession_code": "60" if nurse else "10",
                "specialty_code": specialty,
                "regulator": False,
                "search_name": professional_search_name(family, given),
                "created_at": now,
            }
        )
        accounts.append(
            {
                "id": account_id,
                "email": f"ps{index:05d}@bench.test",
                "phone": None,
                "display_name": f"{given} {family}",
                "password_hash": None,
                "status": "active",
                "patient_id": None,
                "professional_id": professional_id,
                "preferred_language": None,
                "created_at": now,
                "activated_at": now,
                "password_changed_at": None,
                "version": 1,
            }
        )
        roles.append({"account_id": account_id, "role": Role.professional.value})
        links.append({"professional_id": professional_id, "organisation_id": organisation["id"]})
        authors.append(
            Author(
                account_id,
                professional_id,
                organisation["id"],
                specialty,
                organisation["facility_type_code"],
                practice,
            )
        )
    connection.execute(insert(OrganisationRow), [o for o, _ in organisations])
    connection.execute(insert(ProfessionalRow), professionals)
    connection.execute(insert(AccountRow), accounts)
    connection.execute(insert(AccountRoleRow), roles)
    connection.execute(insert(ProfessionalOrganisationRow), links)
    return authors


def _spread(rng: random.Random, total: int, buckets: int) -> list[int]:
    """``total`` documents over ``buckets`` patients, unevenly (Pareto weights), summing
    exactly to ``total``."""
    weights = [min(rng.paretovariate(1.3), 60.0) for _ in range(buckets)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for index in rng.choices(range(buckets), weights, k=total - sum(counts)):
        counts[index] += 1
    return counts


def _moments(
    rng: random.Random, count: int, start: dt.datetime, end: dt.datetime
) -> list[dt.datetime]:
    span = (end - start).total_seconds()
    return sorted(start + dt.timedelta(seconds=rng.random() * span) for _ in range(count))


def build(container: Container, sizes: Sizes, seed: int, progress: Progress) -> Population:
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    now = container.clock.now()
    engine = container.engine
    kek_id = container.keks.active
    documents = _Documents(rng, kek_id)

    setup = progress.add_task("demo accounts and records", total=1)
    target_id, bernard, petit = _demo(container)
    progress.advance(setup)

    with engine.begin() as connection:
        synthetic_authors = _professionals(connection, rng, sizes.professionals, now)
        existing = connection.scalar(select(func.count()).select_from(DocumentRow)) or 0
        existing_target = (
            connection.scalar(
                select(func.count())
                .select_from(DocumentRow)
                .where(DocumentRow.patient_id == target_id)
            )
            or 0
        )
    authors = [bernard, petit, *synthetic_authors]

    target_bulk = max(0, sizes.target_documents - existing_target)
    population_documents = max(0, sizes.documents - existing - target_bulk)
    task = progress.add_task("documents (bulk insert)", total=target_bulk + population_documents)
    patients_task = progress.add_task("patients with records", total=sizes.patients)
    batch = _Batch()
    earliest = now - dt.timedelta(days=365 * HISTORY_YEARS)

    # The target patient's documents: about fifteen authors, Dr Bernard (her médecin traitant)
    # the most frequent; no audit history for these bulk rows.
    target_authors = [bernard, bernard, bernard, petit, *rng.sample(synthetic_authors, 12)]
    for moment in _moments(rng, target_bulk, earliest, now - dt.timedelta(hours=2)):
        batch.add("documents", documents.row(target_id, rng.choice(target_authors), moment))
    with engine.begin() as connection:
        batch.flush(connection)
    progress.advance(task, target_bulk)

    synthetic: list[uuid.UUID] = []
    pending_documents = 0
    for index, count in enumerate(_spread(rng, population_documents, sizes.patients)):
        patient_id = _patient(rng, batch, index, now, earliest, bernard, authors, count, documents)
        synthetic.append(patient_id)
        pending_documents += count
        progress.advance(patients_task)
        if batch.documents >= BATCH_DOCUMENTS:
            with engine.begin() as connection:
                batch.flush(connection)
            progress.advance(task, pending_documents)
            pending_documents = 0
    with engine.begin() as connection:
        batch.flush(connection)
        progress.advance(task, pending_documents)
        counts = {
            table: connection.scalar(select(func.count()).select_from(model.__table__)) or 0
            for table, model in (
                ("patients", PatientRow),
                ("records", RecordRow),
                ("professionals", ProfessionalRow),
                ("documents", DocumentRow),
                ("audit_events", AuditEventRow),
            )
        }
        counts["target_documents"] = (
            connection.scalar(
                select(func.count())
                .select_from(DocumentRow)
                .where(DocumentRow.patient_id == target_id)
            )
            or 0
        )
    return Population(
        target_patient_id=target_id,
        target_email=demo.CAMILLE.email,
        professional_email=demo.BERNARD.email,
        professional=bernard,
        synthetic_patients=synthetic,
        counts=counts,
    )


def _patient(
    rng: random.Random,
    batch: _Batch,
    index: int,
    now: dt.datetime,
    earliest: dt.datetime,
    bernard: Author,
    authors: Sequence[Author],
    count: int,
    documents: _Documents,
) -> uuid.UUID:
    """One synthetic patient: identity, open record, preferences, authorisations, ``count``
    documents and the audit chain of all that."""
    sex = rng.choice("FM")
    birth = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 90))
    patient_id = uuid.UUID(int=rng.getrandbits(128), version=4)
    opened = earliest + dt.timedelta(seconds=rng.random() * 0.9 * (now - earliest).total_seconds())
    given = rng.choice(GIVEN_NAMES[sex])
    batch.add(
        "patients",
        {
            "id": patient_id,
            "ins_matricule": nir(index, sex, birth),
            "ins_oid": OID_NIR,
            "birth_name": rng.choice(FAMILY_NAMES),
            "first_given_name": given,
            "birth_given_names": given,
            "used_name": None,
            "used_given_name": None,
            "sex": sex,
            "birth_date": birth,
            "birth_place_code": f"13{index // 999 % 999 + 1:03d}",
            "identity_status": "QUAL",
            "created_at": opened,
            "updated_at": opened,
            "version": 1,
        },
    )
    # Dr Bernard is authorised everywhere (he files and reads through the API); the record's
    # creator and one or two others complete the circle of care.
    circle = [bernard, *rng.sample(list(authors[2:]), rng.randint(1, 3))]
    creator = circle[1]
    batch.add(
        "records",
        {
            "patient_id": patient_id,
            "status": "open",
            "created_at": opened,
            "created_by": creator.account_id,
            "created_how": "professional",
            "consent_professional_id": creator.professional_id,
            "consent_at": opened,
            "consent_method": "oral",
            "closed_at": None,
            "close_reason": None,
            "purge_after": None,
            "deletion_requested_at": None,
            "purged_at": None,
            "updated_at": opened,
            "version": 1,
        },
    )
    batch.add(
        "record_preferences",
        {
            "patient_id": patient_id,
            "emergency_opposed": False,
            "regulation_opposed": False,
            "notify_first_access": True,
            "notify_emergency": True,
            "notify_announcement": True,
            "notify_new_document": True,
            "updated_at": opened,
            "version": 1,
        },
    )
    for author in circle:
        batch.add(
            "record_authorisations",
            {
                "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "patient_id": patient_id,
                "professional_id": author.professional_id,
                "basis": "creation" if author is creator else "consent",
                "granted_at": opened,
                "granted_by": author.account_id,
                "revoked_at": None,
                "revoked_by": None,
            },
        )
    chain = _Chain(patient_id, batch)
    chain.append(
        rng,
        opened - dt.timedelta(minutes=5),
        AuditAction.PatientIdentityCreate,
        creator.account_id,
        f"Patient/{patient_id}",
        {"identity_status": "QUAL"},
    )
    chain.append(
        rng,
        opened,
        AuditAction.RecordCreate,
        creator.account_id,
        f"Record/{patient_id}",
        {"mode": "authorised", "consent_method": "oral"},
    )
    start = opened + dt.timedelta(minutes=10)
    for moment in _moments(rng, count, start, now - dt.timedelta(hours=2)):
        # Mostly the circle of care, sometimes anyone (a hospital stay, an emergency).
        author = rng.choice(circle) if rng.random() < 0.8 else rng.choice(authors)
        row = documents.row(patient_id, author, moment)
        batch.add("documents", row)
        chain.append(
            rng,
            moment,
            AuditAction.RecordDocumentCreate,
            author.account_id,
            f"DocumentReference/{row['id']}",
            {"mode": "authorised", "type": row["type_code"], "replaces": ""},
        )
    chain.close()
    return patient_id
