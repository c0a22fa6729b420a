"""The GDPR export end to end: asked by a mother for herself and her son, built by the worker
into encrypted storage, opened as a ZIP whose FHIR bundle parses with fhir.resources R4B and
whose every document matches the hashes recorded at filing; kept from others, gone after 7 days.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import uuid
import zipfile
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from helpers_records import (
    CAMILLE,
    PETIT,
    SETUP,
    People,
    acting,
    audit_entries,
    create_record,
    file_doc,
    notices,
    seed_people,
    share_camille,
)
from sqlalchemy import select

from dmp.accounts.queries import account_by_email
from dmp.audit.model import AuditAction
from dmp.container import Container
from dmp.export import services
from dmp.export.model import ExportStatus
from dmp.export.orm import ExportRow
from dmp.jobs import runner, tasks
from dmp.profile import services as profile_services
from dmp.records.orm import DocumentRow
from dmp.shared.clock import FrozenClock
from dmp.shared.db import transaction
from dmp.shared.errors import Conflict, InvalidInput, NotFound
from dmp.vaccination import services as vaccination_services
from dmp.vaccination.services import DoseInput


@pytest.fixture
def people(container: Container) -> People:
    found = seed_people(container)
    create_record(container, found.camille)
    create_record(container, found.leo)
    share_camille(container, found)
    return found


def fill_records(container: Container, people: People) -> dict[str, uuid.UUID]:
    docs = {
        "camille-own": file_doc(container, CAMILLE, people.camille, "Mes analyses"),
        "camille-pro": file_doc(container, PETIT, people.camille, "Compte rendu Camille"),
        "leo-pro": file_doc(container, PETIT, people.leo, "Compte rendu Léo"),
        "leo-secret": file_doc(
            container,
            PETIT,
            people.leo,
            "Consultation confidentielle",
            invisible_to_representatives=True,
        ),
    }
    with acting(container, CAMILLE, people.camille) as access:
        for category, values in (
            ("allergy", {"substance": "Pollen", "kind": "allergy", "severity": "moderate"}),
            ("condition", {"name": "Asthme", "status": "active", "since": "2010-01-01"}),
            ("surgery", {"procedure": "Appendicectomie", "date": "2005-03-02"}),
            ("treatment", {"substance": "Ventoline", "dose": "2 bouffées", "start": "2020-01-01"}),
            ("family", {"relative": "mother", "condition": "Diabète"}),
            ("lifestyle", {"topic": "activity", "description": "Course à pied"}),
            ("measurement", {"kind": "weight", "value": "61,5", "measured_on": "2026-01-02"}),
        ):
            profile_services.add(access, category, values)
    with acting(container, PETIT, people.leo) as access:
        vaccination_services.add(access, DoseInput("ROR", dt.date(2020, 6, 20), lot="L1"))
        profile_services.add(
            access, "condition", {"name": "Secret de Léo"}, invisible_to_representatives=True
        )
    return docs


def ask(container: Container, email: str = CAMILLE, **options: Any) -> uuid.UUID:
    with transaction(container.sessions) as session:
        account = account_by_email(session, email)
        assert account is not None
        row = services.request_export(
            session,
            container.settings,
            container.clock,
            SETUP,
            account,
            language="fr",
            **options,
        )
        return row.id


def build(container: Container) -> int:
    return services.build_exports(
        container.sessions,
        container.settings,
        container.clock,
        services.storage_for(container),
    )


def export_row(container: Container, export_id: uuid.UUID) -> ExportRow:
    with transaction(container.sessions) as session:
        row = session.get(ExportRow, export_id)
        assert row is not None
        return row


def download(container: Container, export_id: uuid.UUID, email: str = CAMILLE) -> bytes:
    with transaction(container.sessions) as session:
        account = account_by_email(session, email)
        assert account is not None
        _row, chunks = services.open_download(
            session, container.clock, SETUP, account, container.keks, container.blobs, export_id
        )
        return b"".join(chunks)


def check_bundle(archive: zipfile.ZipFile, container: Container) -> dict[str, Any]:
    """Every resource parses with fhir.resources R4B; every DocumentReference points at a file
    of the archive whose SHA-1 and size it states, and whose SHA-256 was recorded at filing."""
    bundle = json.loads(archive.read("fhir/bundle.json"))
    Bundle.model_validate(bundle)
    assert bundle["type"] == "collection"
    with transaction(container.sessions) as session:
        recorded = {str(row.id): row.sha256 for row in session.scalars(select(DocumentRow))}
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
        if resource["resourceType"] != "DocumentReference":
            continue
        attachment = resource["content"][0]["attachment"]
        data = archive.read(attachment["url"])
        assert attachment["size"] == len(data)
        assert base64.b64decode(attachment["hash"]) == hashlib.sha1(data).digest()  # noqa: S324
        assert hashlib.sha256(data).hexdigest() == recorded[resource["id"]]
    return bundle


def test_a_mother_exports_her_record_and_her_sons(
    container: Container, people: People, clock: FrozenClock
) -> None:
    docs = fill_records(container, people)
    export_id = ask(container)
    assert export_row(container, export_id).status == ExportStatus.queued
    with pytest.raises(Conflict):  # one at a time
        ask(container)

    counts = runner.run_round(container)  # the worker's round runs the job
    assert counts["exports"] == 1
    row = export_row(container, export_id)
    assert row.status == ExportStatus.ready
    assert row.progress == 100
    assert row.expires_at == row.ready_at + dt.timedelta(days=7)  # type: ignore[operator]
    assert row.storage_key in set(container.blobs.keys())
    # She is told it is ready (and until when), with nothing of its content.
    [ready] = notices(container, CAMILLE, "export-ready")
    assert "Compte rendu" not in (ready.params or "")

    # Encrypted at rest: the stored blob is not a ZIP, and no plaintext shows through.
    stored = b"".join(container.blobs.open(row.storage_key))  # type: ignore[arg-type]
    assert not stored.startswith(b"PK")
    assert b"Compte rendu" not in stored

    data = download(container, export_id)
    assert hashlib.sha256(data).hexdigest() == row.sha256
    assert len(data) == row.size
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    names = archive.namelist()
    assert {"fhir/bundle.json", "summary.pdf", "README.txt"} <= set(names)
    assert archive.read("summary.pdf").startswith(b"%PDF-")
    readme = archive.read("README.txt").decode()
    assert "Copie de vos données de santé" in readme
    assert "Copy of your health data" in readme

    bundle = check_bundle(archive, container)
    resources = [entry["resource"] for entry in bundle["entry"]]
    kinds = [resource["resourceType"] for resource in resources]
    assert kinds.count("Patient") == 2  # Camille and Léo, each their own
    for kind in (
        "AllergyIntolerance",
        "Condition",
        "Procedure",
        "MedicationStatement",
        "FamilyMemberHistory",
        "Observation",
        "Immunization",
    ):
        assert kind in kinds
    exported = {r["id"] for r in resources if r["resourceType"] == "DocumentReference"}
    assert exported == {str(docs[k]) for k in ("camille-own", "camille-pro", "leo-pro")}
    # Léo's confidential care stays out: no document, no profile entry, no file.
    assert str(docs["leo-secret"]) not in json.dumps(bundle)
    assert "Secret de Léo" not in json.dumps(bundle, ensure_ascii=False)
    assert not any("confidentielle" in name for name in names)

    # Each person has their own folder; the son's documents are in his.
    folders = {name.split("/")[1] for name in names if name.startswith("documents/")}
    assert len(folders) == 2
    leo_files = [n for n in names if n.startswith("documents/") and "compte-rendu-leo" in n]
    assert len(leo_files) == 1
    assert "leo" in leo_files[0].split("/")[1]
    assert any(n.startswith("history/") and n.endswith("access-history.csv") for n in names)
    # Nor does his access history tell his mother that the confidential document exists.
    histories = [n for n in names if n.startswith("history/") and "leo" in n]
    assert histories
    for name in histories:
        assert str(docs["leo-secret"]) not in archive.read(name).decode()
    leo_history = next(n for n in histories if n.endswith(".json"))
    assert str(docs["leo-pro"]) in archive.read(leo_history).decode()

    # Audited in both chains: asked, built, downloaded.
    for patient in (people.camille, people.leo):
        actions = [e.action for e in audit_entries(container, patient)]
        for action in (
            AuditAction.RecordExport,
            AuditAction.RecordExportBuild,
            AuditAction.RecordExportDownload,
        ):
            assert action.value in actions


def test_only_the_requester_sees_an_export(container: Container, people: People) -> None:
    export_id = ask(container)
    build(container)
    with transaction(container.sessions) as session:
        petit = account_by_email(session, PETIT)
        assert petit is not None
        with pytest.raises(NotFound):
            services.get_export(session, petit, export_id)
        assert services.exports_of(session, petit) == []
    with pytest.raises(NotFound):
        download(container, export_id, email=PETIT)
    with pytest.raises(InvalidInput):  # a professional has no patient data of their own
        ask(container, email=PETIT)


def test_the_mother_may_leave_her_son_out(container: Container, people: People) -> None:
    export_id = ask(container, include=[])
    build(container)
    bundle = json.loads(
        zipfile.ZipFile(io.BytesIO(download(container, export_id))).read("fhir/bundle.json")
    )
    patients = [
        e["resource"]["id"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    assert patients == [str(people.camille)]
    with pytest.raises(InvalidInput, match="profils rattachés"):
        ask(container, include=[uuid.uuid4()])


def test_after_seven_days_the_archive_is_gone(
    container: Container, people: People, clock: FrozenClock
) -> None:
    file_doc(container, CAMILLE, people.camille, "Mes analyses")
    export_id = ask(container)
    build(container)
    key = export_row(container, export_id).storage_key
    clock.advance(hours=3)  # the orphan sweep leaves a live export alone
    tasks.sweep_orphan_blobs(container.sessions, container.blobs, clock)
    assert key in set(container.blobs.keys())

    clock.advance(days=7)
    with pytest.raises(services.ExportGone):
        download(container, export_id)
    assert services.expire_exports(container.sessions, container.blobs, clock) == 1
    assert key not in set(container.blobs.keys())  # blob deleted
    row = export_row(container, export_id)
    assert row.status == ExportStatus.expired
    assert row.wrapped_key is None
    assert row.storage_key is None
    with pytest.raises(services.ExportGone):
        download(container, export_id)
    # A new export may be asked for.
    assert ask(container) != export_id


def test_a_document_whose_content_changed_fails_the_export(
    container: Container, people: People
) -> None:
    document_id = file_doc(container, CAMILLE, people.camille, "Mes analyses")
    with transaction(container.sessions) as session:
        row = session.get(DocumentRow, document_id)
        assert row is not None
        row.sha256 = "0" * 64  # the record no longer matches the stored bytes
    export_id = ask(container)
    build(container)
    row = export_row(container, export_id)
    assert row.status == ExportStatus.failed
    assert row.storage_key is not None
    assert row.storage_key not in set(container.blobs.keys())
