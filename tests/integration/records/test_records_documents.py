"""Filing documents on a real database and blob store: encryption at rest, metadata checks,
upload edge cases, and the guarantee that a refused upload stores nothing (DOMAIN.md §2)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from helpers_records import (
    ADMIN,
    AUTHORISED,
    BERNARD,
    CAMILLE,
    EMERGENCY,
    PETIT,
    STRANGER,
    People,
    acting,
    audit_entries,
    blob_of,
    create_record,
    details,
    doc_input,
    document_rows,
    file_doc,
    in_chunks,
    notices,
    patient_doc_input,
    pdf,
    read_all,
    seed_people,
    share_camille,
    storage,
)

from dmp.access import services as access_services
from dmp.container import Container
from dmp.jobs import tasks
from dmp.records import documents, lifecycle
from dmp.records.documents import DocumentQuery
from dmp.shared.clock import FrozenClock
from dmp.shared.errors import Conflict, InvalidInput, NotFound
from dmp.storage import envelope


@pytest.fixture
def people(container: Container) -> People:
    found = seed_people(container)
    create_record(container, found.camille)
    share_camille(container, found)
    return found


def nothing_stored(container: Container, people: People, before: set[str]) -> None:
    assert set(container.blobs.keys()) == before, "a blob was left behind"
    assert document_rows(container, people.camille) == []
    assert audit_entries(container, people.camille, "record:document:create") == []


# --- Filing -------------------------------------------------------------------------------------


def test_a_document_is_encrypted_at_rest_and_opens_byte_for_byte(
    container: Container, people: People, clock: FrozenClock
) -> None:
    content = pdf("filing", size=200_000)  # several encryption segments
    with acting(container, PETIT, people.camille) as access:
        row = documents.file_document(
            access,
            storage(container),
            doc_input(
                "Consultation de cardiologie",
                comments="  suivi  ",
                service_start=clock.now() - dt.timedelta(days=2),
                service_stop=clock.now() - dt.timedelta(days=1),
                unique_id="1.2.250.1.999.1",
            ),
            in_chunks(content, 7_777),
        )
    stored = document_rows(container, people.camille)
    assert [r.id for r in stored] == [row.id]
    saved = stored[0]
    assert saved.size == len(content)
    assert saved.sha256 == hashlib.sha256(content).hexdigest()
    assert saved.mime_type == "application/pdf"
    assert saved.format_code == "urn:ihe:iti:xds-sd:pdf:2008"
    assert (saved.type_code, saved.type_system, saved.class_code) == (
        "11488-4",
        "2.16.840.1.113883.6.1",
        "10",
    )
    assert (saved.facility_type_code, saved.practice_setting_code) == ("SA07", "AMBULATOIRE")
    assert saved.status == "approved"
    assert saved.series_id == saved.id
    assert saved.series_number == 1
    assert saved.unique_id == "1.2.250.1.999.1"
    assert saved.comments == "suivi"
    assert saved.author_professional_id == people.professional[PETIT]
    assert saved.author_organisation_id is not None  # Dr Petit's clinic
    assert saved.author_specialty == "SM04"
    assert saved.author_patient_id is None
    assert saved.submitted_at == clock.now()
    assert saved.kek_id == container.keks.active
    assert saved.wrapped_key is not None
    assert saved.blob_key == f"{people.camille.hex}/{saved.id.hex}"

    raw = blob_of(container, saved.blob_key)
    assert raw.startswith(envelope.MAGIC)
    assert len(raw) == envelope.encrypted_size(len(content))
    assert b"CONTENU-CONFIDENTIEL" not in raw
    assert b"%PDF" not in raw
    assert content[1000:1032] not in raw

    with acting(container, PETIT, people.camille) as access:
        opened, chunks = documents.open_content(access, storage(container), saved.id)
        assert read_all(chunks) == content
    assert opened.id == saved.id

    [entry] = audit_entries(container, people.camille, "record:document:create")
    assert details(entry) == {"mode": "authorised", "type": "11488-4", "replaces": ""}
    assert entry.target == f"DocumentReference/{saved.id}"
    assert [n.kind for n in notices(container, CAMILLE, "new-document")] == ["new-document"]


def test_content_bound_to_its_document_does_not_open_as_another(
    container: Container, people: People
) -> None:
    first = file_doc(container, PETIT, people.camille, "premier")
    second = file_doc(container, PETIT, people.camille, "second")
    rows = {r.id: r for r in document_rows(container, people.camille)}
    # Swap the blobs: each one authenticates its own (patient, document) only.
    blob_first = blob_of(container, rows[first].blob_key)
    blob_second = blob_of(container, rows[second].blob_key)
    container.blobs.put(rows[first].blob_key, [blob_second])
    container.blobs.put(rows[second].blob_key, [blob_first])
    with acting(container, PETIT, people.camille) as access:
        _row, chunks = documents.open_content(access, storage(container), first)
        with pytest.raises(envelope.DecryptionError):
            read_all(chunks)


def test_uploads_in_tiny_chunks_are_recognised(container: Container, people: People) -> None:
    """The type is sniffed on the first bytes of the file, not of the first network chunk."""
    content = pdf("petits morceaux", size=5_000)
    cda = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<ClinicalDocument xmlns="urn:hl7-org:v3"><title>CR</title></ClinicalDocument>\n'
    )
    with acting(container, PETIT, people.camille) as access:
        one = documents.file_document(
            access, storage(container), doc_input("pdf"), in_chunks(content, 3)
        )
        two = documents.file_document(
            access,
            storage(container),
            doc_input("cda", mime_type="text/xml"),
            in_chunks(cda, 5),
        )
        tiny = documents.file_document(
            access, storage(container), doc_input("court"), [b"%PDF-", b"1", b""]
        )
    for row, expected in ((one, content), (two, cda), (tiny, b"%PDF-1")):
        with acting(container, PETIT, people.camille) as access:
            _row, chunks = documents.open_content(access, storage(container), row.id)
            assert read_all(chunks) == expected


def test_the_holder_files_a_patient_document(container: Container, people: People) -> None:
    text = "Glycémie à jeun : 0,95 g/L — relevé personnel\n".encode()
    with acting(container, CAMILLE, people.camille) as access:
        row = documents.file_document(
            access, storage(container), patient_doc_input("Mes relevés"), in_chunks(text, 10)
        )
    assert row.author_patient_id == people.camille
    assert row.author_professional_id is None
    assert (row.facility_type_code, row.practice_setting_code) == ("EXP_PATIENT", "EXP_PATIENT")
    assert row.class_code == "11"
    assert row.mime_type == "text/plain"
    [entry] = audit_entries(container, people.camille, "record:document:create")
    assert details(entry)["mode"] == "holder"
    assert notices(container, CAMILLE, "new-document") == []  # no notice for one's own filing
    with acting(container, BERNARD, people.camille) as access:
        _row, chunks = documents.open_content(access, storage(container), row.id)
        assert read_all(chunks) == text


def test_a_representative_files_on_the_childs_record(container: Container, people: People) -> None:
    create_record(container, people.leo)
    with acting(container, CAMILLE, people.leo) as access:
        row = documents.file_document(
            access, storage(container), patient_doc_input("Carnet"), [b"vaccins a jour\n"]
        )
    assert row.patient_id == people.leo
    assert row.author_patient_id == people.camille  # who deposited it
    [entry] = audit_entries(container, people.leo, "record:document:create")
    assert details(entry)["mode"] == "representative"


@pytest.mark.parametrize(
    "email",
    [STRANGER, ADMIN, EMERGENCY],
    ids=["unauthorised professional", "operator", "emergency professional"],
)
def test_only_those_who_may_feed_file_documents(
    container: Container, people: People, email: str
) -> None:
    if email == EMERGENCY:
        with acting(container, EMERGENCY, people.camille) as access:
            access_services.declare_emergency(access, reason="patient inconscient aux urgences")
    before = set(container.blobs.keys())
    with pytest.raises(NotFound) as caught, acting(container, email, people.camille) as access:
        documents.file_document(access, storage(container), doc_input(), [pdf("refusé")])
    assert caught.value.code == "record-not-found"
    nothing_stored(container, people, before)


def test_nothing_is_filed_on_a_missing_or_closed_record(
    container: Container, people: People
) -> None:
    # Léo has no record yet.
    with pytest.raises(NotFound), acting(container, PETIT, people.leo) as access:
        documents.file_document(access, storage(container), doc_input(), [pdf("x")])
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.close(access, reason="fermeture")
    with pytest.raises(NotFound), acting(container, PETIT, people.camille) as access:
        documents.file_document(access, storage(container), doc_input(), [pdf("x")])
    with pytest.raises(NotFound), acting(container, CAMILLE, people.camille) as access:
        documents.file_document(access, storage(container), patient_doc_input(), [b"note"])
    assert list(container.blobs.keys()) == []


# --- Metadata validation ------------------------------------------------------------------------

NOW = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)
METADATA_CASES: dict[str, tuple[str, dict[str, Any], dict[str, str]]] = {
    "unknown type code": (PETIT, {"type_code": "99999-9"}, {"type_code": "unknown-code"}),
    "holder uses a professional type": (
        CAMILLE,
        {"type_code": "11488-4", "mime_type": "text/plain", "facility_type_code": None},
        {"type_code": "patient-type"},
    ),
    "masked and invisible to the patient": (
        PETIT,
        {"masked": True, "invisible_to_patient": True},
        {"invisible_to_patient": "flags-combination"},
    ),
    "holder makes it invisible to herself": (
        CAMILLE,
        {
            "type_code": "DOCPAT01",
            "mime_type": "text/plain",
            "facility_type_code": None,
            "invisible_to_representatives": True,
        },
        {"invisible_to_patient": "holder-flags"},
    ),
    "future creation": (
        PETIT,
        {"creation_time": NOW + dt.timedelta(days=1)},
        {"creation_time": "date-future"},
    ),
    "future act": (
        PETIT,
        {"service_start": NOW + dt.timedelta(hours=1), "service_stop": NOW + dt.timedelta(hours=2)},
        {"service_start": "date-future", "service_stop": "date-future"},
    ),
    "naive date": (
        PETIT,
        {"creation_time": dt.datetime(2026, 11, 1, 10, 0)},  # noqa: DTZ001 — the point
        {"creation_time": "date-future"},
    ),
    "stop before start": (
        PETIT,
        {"service_start": NOW - dt.timedelta(days=1), "service_stop": NOW - dt.timedelta(days=2)},
        {"service_stop": "date-order"},
    ),
    "stop before the creation that stands for the start": (
        PETIT,
        {"creation_time": NOW - dt.timedelta(days=1), "service_stop": NOW - dt.timedelta(days=3)},
        {"service_stop": "date-order"},
    ),
    "unknown format code": (
        PETIT,
        {"format_code": "urn:example:not-a-format"},
        {"format_code": "unknown-code"},
    ),
    "file type not accepted": (
        PETIT,
        {"mime_type": "application/zip"},
        {"file": "file-type"},
    ),
    "no facility type for a professional": (
        PETIT,
        {"facility_type_code": None},
        {"facility_type_code": "unknown-code"},
    ),
    "unknown facility type": (
        PETIT,
        {"facility_type_code": "SA99"},
        {"facility_type_code": "unknown-code"},
    ),
    "unknown practice setting": (
        PETIT,
        {"practice_setting_code": "PLAGE"},
        {"practice_setting_code": "unknown-code"},
    ),
    "blank title": (PETIT, {"title": "  \n "}, {"title": "required"}),
    "title too long": (PETIT, {"title": "x" * 256}, {"title": "required"}),
    "unknown confidentiality": (
        PETIT,
        {"confidentiality": "X"},
        {"confidentiality": "unknown-code"},
    ),
    "several faults at once": (
        PETIT,
        {"type_code": "nope", "format_code": "nope", "title": ""},
        {"type_code": "unknown-code", "format_code": "unknown-code", "title": "required"},
    ),
}


@pytest.mark.parametrize("case", list(METADATA_CASES))
def test_invalid_metadata_is_refused_and_nothing_is_stored(
    container: Container, people: People, case: str
) -> None:
    email, fields, expected = METADATA_CASES[case]
    before = set(container.blobs.keys())
    data = doc_input(**fields)
    content = b"du texte\n" if data.mime_type == "text/plain" else pdf("meta")
    with pytest.raises(InvalidInput) as caught, acting(container, email, people.camille) as access:
        documents.file_document(access, storage(container), data, in_chunks(content))
    assert {e.field: e.code for e in caught.value.errors} == expected
    assert caught.value.status == 422
    nothing_stored(container, people, before)


def test_valid_edge_dates_are_accepted(container: Container, people: People) -> None:
    with acting(container, PETIT, people.camille) as access:
        row = documents.file_document(
            access,
            storage(container),
            doc_input(
                creation_time=NOW + dt.timedelta(minutes=4),  # clock skew tolerated
                service_start=NOW - dt.timedelta(days=3),
                service_stop=NOW - dt.timedelta(days=3),  # an act of no duration
            ),
            [pdf("dates")],
        )
    assert row.service_start == row.service_stop


# --- Upload edge cases --------------------------------------------------------------------------


def broken_upload(first: bytes) -> Iterator[bytes]:
    yield first
    yield b"x" * 5000
    raise ConnectionResetError("client went away")


UPLOAD_CASES: dict[str, tuple[str, Any, int, str]] = {
    "declared PDF, text content": (
        "application/pdf",
        [b"Ceci n'est pas un PDF\n"],
        1 << 20,
        "file-type-mismatch",
    ),
    "declared text, PDF content": (
        "text/plain",
        [pdf("faux texte")],
        1 << 20,
        "file-type-mismatch",
    ),
    "declared text, binary content": (
        "text/plain",
        [b"caf\xe9 \xff\xfe binaire"],
        1 << 20,
        "file-type-mismatch",
    ),
    "declared text, NUL bytes": ("text/plain", [b"abc\x00def"], 1 << 20, "file-type-mismatch"),
    "declared JPEG, PNG content": (
        "image/jpeg",
        [b"\x89PNG\r\n\x1a\n" + b"\0" * 100],
        1 << 20,
        "file-type-mismatch",
    ),
    "oversize": (
        "application/pdf",
        list(in_chunks(pdf("gros", size=4000), 512)),
        2048,
        "file-too-large",
    ),
    "oversize in one chunk": ("application/pdf", [pdf("gros", size=4000)], 2048, "file-too-large"),
    "empty": ("application/pdf", [], 1 << 20, "file-empty"),
    "only empty chunks": ("application/pdf", [b"", b""], 1 << 20, "file-empty"),
}


@pytest.mark.parametrize("case", list(UPLOAD_CASES))
def test_bad_uploads_are_refused_and_nothing_is_stored(
    container: Container, people: People, case: str
) -> None:
    mime, chunks, limit, code = UPLOAD_CASES[case]
    before = set(container.blobs.keys())
    data = doc_input(mime_type=mime)
    with pytest.raises(InvalidInput) as caught, acting(container, PETIT, people.camille) as access:
        documents.file_document(access, storage(container, max_bytes=limit), data, iter(chunks))
    assert [(e.field, e.code) for e in caught.value.errors] == [("file", code)]
    nothing_stored(container, people, before)
    assert not [p for p in container.blobs.root.rglob("*") if p.is_file()]


def test_an_upload_that_breaks_midway_leaves_nothing(container: Container, people: People) -> None:
    before = set(container.blobs.keys())
    with pytest.raises(ConnectionResetError), acting(container, PETIT, people.camille) as access:
        documents.file_document(
            access, storage(container), doc_input(), broken_upload(pdf("coupé"))
        )
    nothing_stored(container, people, before)
    # Not even a temporary file in the store's directory.
    assert not [p for p in container.blobs.root.rglob("*") if p.is_file()]
    # The record still works afterwards.
    file_doc(container, PETIT, people.camille, "ensuite")
    assert len(document_rows(container, people.camille)) == 1


def test_a_failure_after_the_blob_leaves_only_an_orphan_the_sweep_removes(
    container: Container, people: People, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(documents, "_announce_new", fail)
    with pytest.raises(RuntimeError), acting(container, PETIT, people.camille) as access:
        documents.file_document(access, storage(container), doc_input(), [pdf("orphelin")])
    monkeypatch.undo()
    assert document_rows(container, people.camille) == []
    [orphan] = list(container.blobs.keys())
    kept = file_doc(container, PETIT, people.camille, "gardé")
    # Young blobs are left alone (their row may be about to commit)...
    young = clock.now() - dt.timedelta(minutes=10)
    for key in list(container.blobs.keys()):
        path = container.blobs.root / key
        os.utime(path, (young.timestamp(), young.timestamp()))
    assert tasks.sweep_orphan_blobs(container.sessions, container.blobs, clock) == 0
    # ...and removed once old; blobs that have a row are never touched.
    clock.advance(hours=2)
    assert tasks.sweep_orphan_blobs(container.sessions, container.blobs, clock) == 1
    assert orphan not in set(container.blobs.keys())
    with acting(container, PETIT, people.camille) as access:
        _row, chunks = documents.open_content(access, storage(container), kept)
        assert read_all(chunks) == pdf("gardé")


def test_a_duplicate_unique_id_is_a_conflict(container: Container, people: People) -> None:
    file_doc(container, PETIT, people.camille, "original", unique_id="1.2.3.4.5")
    before = set(container.blobs.keys())
    with pytest.raises(Conflict) as caught, acting(container, AUTHORISED, people.camille) as access:
        documents.file_document(
            access, storage(container), doc_input(unique_id=" 1.2.3.4.5 "), [pdf("copie")]
        )
    assert caught.value.status == 409
    assert caught.value.code == "duplicate-unique-id"
    assert set(container.blobs.keys()) == before
    assert len(document_rows(container, people.camille)) == 1
    # The same unique id on another patient's record is fine.
    create_record(container, people.leo)
    file_doc(container, PETIT, people.leo, "autre patient", unique_id="1.2.3.4.5")


def test_unique_ids_are_generated_and_distinct(container: Container, people: People) -> None:
    ids = [file_doc(container, PETIT, people.camille, f"doc {i}") for i in range(3)]
    rows = {r.id: r for r in document_rows(container, people.camille)}
    unique_ids = {rows[i].unique_id for i in ids}
    assert len(unique_ids) == 3
    assert all(u.startswith("2.25.") for u in unique_ids)
    assert rows[ids[0]].unique_id == f"2.25.{ids[0].int}"


def test_listing_filters_and_pages(
    container: Container, people: People, clock: FrozenClock
) -> None:
    created: list[uuid.UUID] = []
    for i in range(5):
        created.append(
            file_doc(
                container,
                PETIT if i % 2 else AUTHORISED,
                people.camille,
                f"doc {i}",
                type_code="11488-4" if i < 3 else "34133-9",
                service_start=clock.now() - dt.timedelta(days=10 - i),
            )
        )
        clock.advance(minutes=1)
    with acting(container, BERNARD, people.camille) as access:
        page = documents.list_documents(access, DocumentQuery(limit=2))
        assert page.total == 5
        assert [d.id for d in page.items] == created[::-1][:2]  # newest first
        page = documents.list_documents(access, DocumentQuery(limit=2, offset=4))
        assert [d.id for d in page.items] == [created[0]]
        by_type = documents.list_documents(access, DocumentQuery(type_codes=["34133-9"]))
        assert {d.id for d in by_type.items} == set(created[3:])
        by_class = documents.list_documents(access, DocumentQuery(class_codes=["11"]))
        assert {d.id for d in by_class.items} == set(created[3:])
        by_author = documents.list_documents(
            access, DocumentQuery(author_professional_id=people.professional[PETIT])
        )
        assert {d.id for d in by_author.items} == {created[1], created[3]}
        since = (clock.now() - dt.timedelta(days=8)).date()
        until = (clock.now() - dt.timedelta(days=7)).date()
        window = documents.list_documents(access, DocumentQuery(since=since, until=until))
        assert {d.id for d in window.items} == {created[2], created[3]}
