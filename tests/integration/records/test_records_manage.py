"""Managing documents: replacement with history, concurrent replacement, optimistic versions,
archive / unarchive / delete, the holder's masking and the author's flags (DOMAIN.md §2.6)."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from helpers_records import (
    AUTHORISED,
    BERNARD,
    CAMILLE,
    EXTENDED,
    PETIT,
    People,
    access_in,
    acting,
    audit_entries,
    create_record,
    details,
    doc_input,
    document_rows,
    file_doc,
    in_chunks,
    pdf,
    read_all,
    seed_people,
    share_camille,
    storage,
)

from dmp.access.policy import DocumentStatus
from dmp.audit.services import verify_all
from dmp.container import Container
from dmp.records import documents
from dmp.records.documents import DocumentQuery, PreconditionFailed
from dmp.shared.db import transaction
from dmp.shared.errors import Conflict, InvalidInput, NotFound

ALL = DocumentQuery(include_archived=True, include_deprecated=True, limit=100)


@pytest.fixture
def people(container: Container) -> People:
    found = seed_people(container)
    create_record(container, found.camille)
    share_camille(container, found)
    return found


def listed(
    container: Container, email: str, patient_id: uuid.UUID, query: DocumentQuery
) -> set[str]:
    with acting(container, email, patient_id) as access:
        return {d.title for d in documents.list_documents(access, query).items}


def replace(
    container: Container,
    email: str,
    patient_id: uuid.UUID,
    old: uuid.UUID,
    title: str,
    **options: Any,
) -> uuid.UUID:
    with acting(container, email, patient_id) as access:
        return documents.replace_document(
            access, storage(container), old, doc_input(title), in_chunks(pdf(title)), **options
        ).id


# --- Replacement -------------------------------------------------------------------------------


def test_the_version_list_names_only_versions_the_reader_may_read(
    container: Container, people: People
) -> None:
    secret = file_doc(container, PETIT, people.camille, "v1 masquée", masked=True)
    with acting(container, PETIT, people.camille) as access:
        current = documents.replace_document(
            access, storage(container), secret, doc_input("v2"), in_chunks(pdf("v2"))
        ).id

    def versions(email: str) -> list[uuid.UUID]:
        with acting(container, email, people.camille) as access:
            row, _mode = documents.get_document(access, current)
            return [v.id for v in documents.versions_of(access, row)]

    assert versions(AUTHORISED) == [current]
    assert versions(BERNARD) == [secret, current]
    assert versions(PETIT) == [secret, current]


def test_replacement_deprecates_the_old_version_and_keeps_both(
    container: Container, people: People
) -> None:
    v1 = file_doc(container, PETIT, people.camille, "v1")
    v2 = replace(container, PETIT, people.camille, v1, "v2")
    v3 = replace(container, PETIT, people.camille, v2, "v3")
    rows = {r.id: r for r in document_rows(container, people.camille)}
    assert [rows[i].status for i in (v1, v2, v3)] == ["deprecated", "deprecated", "approved"]
    assert {rows[i].series_id for i in (v1, v2, v3)} == {v1}
    assert [rows[i].series_number for i in (v1, v2, v3)] == [1, 2, 3]
    assert [rows[i].replaces_id for i in (v1, v2, v3)] == [None, v1, v2]
    with acting(container, CAMILLE, people.camille) as access:
        history = documents.versions_of(access, rows[v3])
    assert [r.id for r in history] == [v1, v2, v3]

    # Current list: the newest only; with deprecated versions: all three, each readable.
    assert listed(container, CAMILLE, people.camille, DocumentQuery()) == {"v3"}
    assert listed(container, CAMILLE, people.camille, ALL) == {"v1", "v2", "v3"}
    for document_id, title in ((v1, "v1"), (v2, "v2"), (v3, "v3")):
        with acting(container, BERNARD, people.camille) as access:
            _row, chunks = documents.open_content(access, storage(container), document_id)
            assert read_all(chunks) == pdf(title)
    [first, second] = audit_entries(container, people.camille, "record:document:replace")
    assert details(first) == {"mode": "authorised", "type": "11488-4", "replaces": str(v1)}
    assert details(second)["replaces"] == str(v2)


@pytest.mark.parametrize("email", [AUTHORISED, BERNARD, EXTENDED, CAMILLE])
def test_only_the_author_replaces(container: Container, people: People, email: str) -> None:
    v1 = file_doc(container, PETIT, people.camille, "v1")
    before = set(container.blobs.keys())
    with pytest.raises(NotFound), acting(container, email, people.camille) as access:
        documents.replace_document(
            access, storage(container), v1, doc_input("pirate"), [pdf("pirate")]
        )
    assert set(container.blobs.keys()) == before
    [row] = document_rows(container, people.camille)
    assert row.status == "approved"


def test_a_replaced_version_cannot_be_replaced_again(container: Container, people: People) -> None:
    v1 = file_doc(container, PETIT, people.camille, "v1")
    replace(container, PETIT, people.camille, v1, "v2")
    before = set(container.blobs.keys())
    with pytest.raises(Conflict) as caught:
        replace(container, PETIT, people.camille, v1, "v2 bis")
    assert caught.value.code == "not-current"
    assert set(container.blobs.keys()) == before  # refused before any content was written
    assert len(document_rows(container, people.camille)) == 2


def test_expected_version_mismatch_is_a_failed_precondition(
    container: Container, people: People
) -> None:
    v1 = file_doc(container, PETIT, people.camille, "v1")
    [row] = document_rows(container, people.camille)
    with pytest.raises(PreconditionFailed) as caught:
        replace(container, PETIT, people.camille, v1, "v2", expected_version=row.version + 1)
    assert caught.value.status == 412
    assert caught.value.code == "version-mismatch"
    with acting(container, PETIT, people.camille) as access:
        with pytest.raises(PreconditionFailed):
            documents.set_status(
                access, v1, DocumentStatus.archived, expected_version=row.version - 1
            )
        with pytest.raises(PreconditionFailed):
            documents.set_flags(access, v1, invisible_to_representatives=True, expected_version=99)
    assert len(document_rows(container, people.camille)) == 1
    v2 = replace(container, PETIT, people.camille, v1, "v2", expected_version=row.version)
    assert v2 != v1


def test_concurrent_replacements_one_wins_the_other_conflicts(
    container: Container, people: People
) -> None:
    """Two sessions load the same version; the second to write gets a conflict (409), however
    the database orders them."""
    v1 = file_doc(container, PETIT, people.camille, "v1")
    late = container.sessions()
    try:
        late_access = access_in(late, container, PETIT, people.camille)
        loaded, _mode = documents.get_document(late_access, v1)  # version 1, held in memory
        late.commit()  # ends the read transaction; the loaded row stays in the session
        assert loaded.version == 1

        winner = replace(container, PETIT, people.camille, v1, "gagnant")

        with pytest.raises(Conflict) as caught:
            documents.replace_document(
                late_access, storage(container), v1, doc_input("perdant"), [pdf("perdant")]
            )
        assert caught.value.status == 409
        assert caught.value.code == "concurrent-change"
        late.rollback()
    finally:
        late.close()
    rows = {r.id: r for r in document_rows(container, people.camille)}
    assert set(rows) == {v1, winner}
    assert rows[v1].status == "deprecated"
    assert rows[winner].replaces_id == v1


def test_concurrent_replacements_in_threads(container: Container, people: People) -> None:
    v1 = file_doc(container, PETIT, people.camille, "v1")
    # PostgreSQL lets both transactions load the row before either writes; SQLite serialises
    # whole transactions (BEGIN IMMEDIATE), so there the loser simply finds a replaced version.
    both_loaded = threading.Barrier(2, timeout=20)
    postgres = container.engine.dialect.name == "postgresql"
    outcomes: dict[str, object] = {}

    def attempt(title: str) -> None:
        try:
            with acting(container, PETIT, people.camille) as access:
                loaded, _mode = documents.get_document(access, v1)  # held until the end
                if postgres:
                    assert loaded.version == 1
                    both_loaded.wait()
                documents.replace_document(
                    access, storage(container), v1, doc_input(title), [pdf(title)]
                )
            outcomes[title] = "ok"
        except Exception as exc:  # recorded and asserted below
            outcomes[title] = exc

    threads = [threading.Thread(target=attempt, args=(t,)) for t in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(str(type(o).__name__) for o in outcomes.values()) == ["Conflict", "str"]
    conflict = next(o for o in outcomes.values() if isinstance(o, Conflict))
    assert conflict.status == 409
    # Both held version 1: on PostgreSQL the loser's update finds it changed underneath.
    assert conflict.code == ("concurrent-change" if postgres else "not-current")
    rows = document_rows(container, people.camille)
    assert len(rows) == 2
    assert sorted(r.status for r in rows) == ["approved", "deprecated"]
    with transaction(container.sessions) as session:
        assert verify_all(session).ok


# --- Archive, unarchive, delete ------------------------------------------------------------------


def test_archive_unarchive_delete_transitions(container: Container, people: People) -> None:
    doc = file_doc(container, PETIT, people.camille, "doc")

    def to(status: DocumentStatus) -> str:
        with acting(container, PETIT, people.camille) as access:
            return documents.set_status(access, doc, status).status

    with pytest.raises(Conflict):
        to(DocumentStatus.approved)  # already current
    assert to(DocumentStatus.archived) == "archived"
    assert listed(container, CAMILLE, people.camille, DocumentQuery()) == set()
    assert listed(container, CAMILLE, people.camille, DocumentQuery(include_archived=True)) == {
        "doc"
    }
    with pytest.raises(Conflict):
        to(DocumentStatus.archived)
    assert to(DocumentStatus.approved) == "approved"
    with pytest.raises(Conflict) as caught:
        to(DocumentStatus.deprecated)  # only a replacement deprecates
    assert caught.value.code == "bad-transition"
    assert to(DocumentStatus.archived) == "archived"
    assert to(DocumentStatus.deleted) == "deleted"
    # Deleted: gone for everyone, and no further change.
    for status in DocumentStatus:
        with pytest.raises(NotFound):
            to(status)
    for email in (CAMILLE, PETIT, BERNARD, EXTENDED, AUTHORISED):
        assert listed(container, email, people.camille, ALL) == set()
        assert listed(container, email, people.camille, DocumentQuery(only_masked=True)) == set()
        with pytest.raises(NotFound), acting(container, email, people.camille) as access:
            documents.get_document(access, doc)
    row = document_rows(container, people.camille)[0]
    assert row.archived_at is not None
    assert row.deleted_at is not None
    actions = [e.action for e in audit_entries(container, people.camille)]
    assert [
        a for a in actions if a.startswith("record:document:") and a != "record:document:list"
    ] == [
        "record:document:create",
        "record:document:archive",
        "record:document:unarchive",
        "record:document:archive",
        "record:document:delete",
    ]


def test_deprecated_versions_are_not_archived(container: Container, people: People) -> None:
    v1 = file_doc(container, PETIT, people.camille, "v1")
    replace(container, PETIT, people.camille, v1, "v2")
    with pytest.raises(Conflict), acting(container, PETIT, people.camille) as access:
        documents.set_status(access, v1, DocumentStatus.archived)


@pytest.mark.parametrize("email", [AUTHORISED, BERNARD, CAMILLE])
def test_only_the_author_archives_or_deletes(
    container: Container, people: People, email: str
) -> None:
    doc = file_doc(container, PETIT, people.camille, "doc")
    for status in (DocumentStatus.archived, DocumentStatus.deleted):
        with pytest.raises(NotFound), acting(container, email, people.camille) as access:
            documents.set_status(access, doc, status)
    assert document_rows(container, people.camille)[0].status == "approved"


def test_the_holder_manages_her_own_documents(container: Container, people: People) -> None:
    mine = file_doc(container, CAMILLE, people.camille, "ma note")
    with acting(container, PETIT, people.camille) as access, pytest.raises(NotFound):
        documents.set_status(access, mine, DocumentStatus.deleted)
    with acting(container, CAMILLE, people.camille) as access:
        documents.set_status(access, mine, DocumentStatus.deleted)
    assert listed(container, CAMILLE, people.camille, ALL) == set()


# --- Masking by the holder, flags by the author --------------------------------------------------


def test_the_holder_masks_a_document_from_professionals(
    container: Container, people: People
) -> None:
    by_petit = file_doc(container, PETIT, people.camille, "cardio")
    with acting(container, CAMILLE, people.camille) as access:
        assert documents.set_masked(access, by_petit, True).masked
    # Hidden from an authorised professional; still seen by the author and the médecin traitant.
    assert listed(container, AUTHORISED, people.camille, ALL) == set()
    with pytest.raises(NotFound), acting(container, AUTHORISED, people.camille) as access:
        documents.get_document(access, by_petit)
    assert listed(container, PETIT, people.camille, ALL) == {"cardio"}
    assert listed(container, BERNARD, people.camille, DocumentQuery(only_masked=True)) == {"cardio"}
    assert listed(container, AUTHORISED, people.camille, DocumentQuery(only_masked=True)) == set()
    # The holder still sees it, and unmasks it.
    assert listed(container, CAMILLE, people.camille, ALL) == {"cardio"}
    with acting(container, CAMILLE, people.camille) as access:
        assert not documents.set_masked(access, by_petit, False).masked
    assert listed(container, AUTHORISED, people.camille, ALL) == {"cardio"}
    entries = audit_entries(container, people.camille, "record:document:mask")
    assert [details(e) for e in entries] == [
        {"mode": "holder", "masked": "true"},
        {"mode": "holder", "masked": "false"},
    ]


def test_professionals_do_not_mask(container: Container, people: People) -> None:
    doc = file_doc(container, PETIT, people.camille, "cardio")
    for email in (PETIT, BERNARD):
        with pytest.raises(NotFound), acting(container, email, people.camille) as access:
            documents.set_masked(access, doc, True)


def test_the_holder_cannot_mask_what_she_cannot_see(container: Container, people: People) -> None:
    hidden = file_doc(container, PETIT, people.camille, "biopsie", invisible_to_patient=True)
    missing = uuid.uuid4()
    with (
        pytest.raises(NotFound) as for_missing,
        acting(container, CAMILLE, people.camille) as access,
    ):
        documents.set_masked(access, missing, True)
    for masked in (True, False):
        with (
            pytest.raises(NotFound) as caught,
            acting(container, CAMILLE, people.camille) as access,
        ):
            documents.set_masked(access, hidden, masked)
        # Not a conflict: that would tell her the hidden document exists.
        assert caught.value.code == for_missing.value.code
    # Same for a legal representative and a document hidden from representatives.
    create_record(container, people.leo)
    secret = file_doc(
        container, PETIT, people.leo, "consultation", invisible_to_representatives=True
    )
    with pytest.raises(NotFound), acting(container, CAMILLE, people.leo) as access:
        documents.set_masked(access, secret, True)
    [row] = document_rows(container, people.leo)
    assert row.masked is False


def test_the_author_changes_the_flags(container: Container, people: People) -> None:
    doc = file_doc(container, PETIT, people.camille, "résultat")
    with acting(container, PETIT, people.camille) as access:
        row = documents.set_flags(access, doc, invisible_to_patient=True)
        version = row.version
    assert listed(container, CAMILLE, people.camille, ALL) == set()
    with pytest.raises(InvalidInput) as caught, acting(container, PETIT, people.camille) as access:
        documents.set_flags(access, doc, masked=True)
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("invisible_to_patient", "flags-combination")
    ]
    with acting(container, PETIT, people.camille) as access:
        row = documents.set_flags(
            access,
            doc,
            masked=True,
            invisible_to_patient=False,
            invisible_to_representatives=True,
            expected_version=version,
        )
    assert (row.masked, row.invisible_to_patient, row.invisible_to_representatives) == (
        True,
        False,
        True,
    )
    assert listed(container, CAMILLE, people.camille, ALL) == {"résultat"}
    assert listed(container, AUTHORISED, people.camille, ALL) == set()
    [first, second] = audit_entries(container, people.camille, "record:document:flags")
    assert details(second) == {
        "mode": "authorised",
        "masked": "true",
        "invisible_to_patient": "false",
        "invisible_to_representatives": "true",
    }
    assert details(first)["invisible_to_patient"] == "true"


@pytest.mark.parametrize("email", [AUTHORISED, BERNARD, CAMILLE])
def test_only_the_author_changes_the_flags(
    container: Container, people: People, email: str
) -> None:
    doc = file_doc(container, PETIT, people.camille, "résultat")
    with pytest.raises(NotFound), acting(container, email, people.camille) as access:
        documents.set_flags(access, doc, invisible_to_representatives=True)


def test_the_holder_cannot_hide_her_own_document_from_herself(
    container: Container, people: People
) -> None:
    mine = file_doc(container, CAMILLE, people.camille, "ma note")
    with pytest.raises(InvalidInput), acting(container, CAMILLE, people.camille) as access:
        documents.set_flags(access, mine, invisible_to_representatives=True)
    with acting(container, CAMILLE, people.camille) as access:
        assert documents.set_flags(access, mine, masked=True).masked
