"""Every access is traced in the patient's chain with its mode; a professional's first access
is announced to the holder once; the chain stays intact (DOMAIN.md §1.1 R1111-43, §1.4)."""

from __future__ import annotations

import uuid

import pytest
from helpers_records import (
    AUTHORISED,
    BERNARD,
    BLOCKED,
    CAMILLE,
    EMERGENCY,
    EXTENDED,
    PETIT,
    REGULATOR,
    STRANGER,
    People,
    access_in,
    acting,
    audit_entries,
    create_record,
    details,
    file_doc,
    notices,
    read_all,
    seed_people,
    share_camille,
    storage,
)

from dmp.access import services as access_services
from dmp.audit.services import verify_all
from dmp.container import Container
from dmp.jobs import tasks
from dmp.records import documents, lifecycle
from dmp.records.documents import DocumentQuery
from dmp.shared.clock import FrozenClock
from dmp.shared.context import RequestContext
from dmp.shared.db import transaction
from dmp.shared.errors import NotFound


@pytest.fixture
def people(container: Container) -> People:
    found = seed_people(container)
    create_record(container, found.camille)
    share_camille(container, found)
    return found


def list_and_read(
    container: Container, email: str, patient_id: uuid.UUID, document_id: uuid.UUID
) -> None:
    with acting(container, email, patient_id) as access:
        documents.list_documents(access, DocumentQuery())
    with acting(container, email, patient_id) as access:
        _row, chunks = documents.open_content(access, storage(container), document_id)
        read_all(chunks)


@pytest.mark.parametrize(
    ("email", "mode", "setup"),
    [
        (CAMILLE, "holder", None),
        (BERNARD, "treating-doctor", None),
        (EXTENDED, "extended-rights", None),
        (AUTHORISED, "authorised", None),
        (PETIT, "authorised", None),
        (EMERGENCY, "emergency", "emergency"),
        (REGULATOR, "regulation", "regulation"),
    ],
)
def test_each_list_and_read_is_traced_with_its_mode(
    container: Container, people: People, email: str, mode: str, setup: str | None
) -> None:
    doc = file_doc(container, PETIT, people.camille, "synthèse")
    if setup is not None:
        with acting(container, email, people.camille) as access:
            access_services.declare_emergency(
                access, reason="patient inconscient, appel au 15", regulation=setup == "regulation"
            )
    before = len(audit_entries(container, people.camille))
    list_and_read(container, email, people.camille, doc)
    entries = audit_entries(container, people.camille)[before:]
    actor = str(people.account[email])
    assert [(e.action, str(e.actor_account_id)) for e in entries] == [
        ("record:document:list", actor),
        ("record:document:read", actor),
    ]
    listed, read = entries
    assert details(listed) == {"mode": mode, "count": "1"}
    assert details(read) == {"mode": mode}
    assert read.target == f"DocumentReference/{doc}"
    assert (read.channel, read.ip) == ("api", "192.0.2.10")


def test_the_representatives_accesses_are_traced_in_the_childs_chain(
    container: Container, people: People
) -> None:
    create_record(container, people.leo)
    doc = file_doc(container, PETIT, people.leo, "carnet")
    list_and_read(container, CAMILLE, people.leo, doc)
    [listed] = audit_entries(container, people.leo, "record:document:list")
    [read] = audit_entries(container, people.leo, "record:document:read")
    assert details(listed)["mode"] == details(read)["mode"] == "representative"
    assert listed.patient_id == people.leo
    assert audit_entries(container, people.camille, "record:document:list") == []


def test_refused_accesses_leave_no_success_entry(container: Container, people: People) -> None:
    doc = file_doc(container, PETIT, people.camille, "synthèse")
    before = [e.id for e in audit_entries(container, people.camille)]
    for email in (STRANGER, BLOCKED):
        with pytest.raises(NotFound), acting(container, email, people.camille) as access:
            documents.list_documents(access, DocumentQuery())
        with pytest.raises(NotFound), acting(container, email, people.camille) as access:
            documents.open_content(access, storage(container), doc)
    assert [e.id for e in audit_entries(container, people.camille)] == before
    assert notices(container, CAMILLE, "first-access") == []


def test_first_access_by_a_professional_is_announced_once(
    container: Container, people: People, clock: FrozenClock
) -> None:
    doc = file_doc(container, PETIT, people.camille, "synthèse")
    assert notices(container, CAMILLE, "first-access") == []
    list_and_read(container, AUTHORISED, people.camille, doc)
    list_and_read(container, AUTHORISED, people.camille, doc)
    assert len(notices(container, CAMILLE, "first-access")) == 1
    clock.advance(days=3)
    # Reading first (no list) counts as an access too.
    with acting(container, BERNARD, people.camille) as access:
        _row, chunks = documents.open_content(access, storage(container), doc)
        read_all(chunks)
    list_and_read(container, BERNARD, people.camille, doc)
    _first, second = notices(container, CAMILLE, "first-access")
    assert second.created_at == clock.now()
    assert second.patient_id == people.camille
    # The holder's own accesses never produce one.
    list_and_read(container, CAMILLE, people.camille, doc)
    assert len(notices(container, CAMILLE, "first-access")) == 2
    # The notice never names the professional nor the document.
    assert "synth" not in second.params
    assert str(people.professional[BERNARD]) not in second.params


def test_first_access_notice_follows_the_holders_preference(
    container: Container, people: People
) -> None:
    doc = file_doc(container, PETIT, people.camille, "synthèse")
    with acting(container, CAMILLE, people.camille) as access:
        access_services.update_preferences(access, notify_first_access=False)
    list_and_read(container, AUTHORISED, people.camille, doc)
    assert notices(container, CAMILLE, "first-access") == []


def test_a_context_without_account_still_names_the_actor(
    container: Container, people: People
) -> None:
    """Every trace identifies who acted, even when the door forgot to put the account in the
    request context (and the first-access notice is then not repeated)."""
    doc = file_doc(container, PETIT, people.camille, "synthèse")
    for _ in range(3):
        with transaction(container.sessions) as session:
            access = access_in(
                session, container, AUTHORISED, people.camille, ctx=RequestContext(channel="web")
            )
            documents.list_documents(access, DocumentQuery())
            documents.get_document(access, doc)
    entries = audit_entries(container, people.camille, "record:document:list")
    assert {e.actor_account_id for e in entries} == {people.account[AUTHORISED]}
    assert len(notices(container, CAMILLE, "first-access")) == 1


def test_the_chain_stays_intact_after_a_full_life(
    container: Container, people: People, clock: FrozenClock
) -> None:
    doc = file_doc(container, PETIT, people.camille, "synthèse", invisible_to_patient=True)
    create_record(container, people.leo)
    file_doc(container, PETIT, people.leo, "carnet")
    for email in (CAMILLE, BERNARD, EXTENDED, AUTHORISED, PETIT):
        with acting(container, email, people.camille) as access:
            documents.list_documents(access, DocumentQuery())
    with acting(container, PETIT, people.camille) as access:
        documents.record_announcement(access, doc)
        documents.set_status(access, doc, documents.DocumentStatus.archived)
    with acting(container, CAMILLE, people.camille) as access:
        documents.set_masked(access, doc, True)
        access_services.revoke(access, people.professional[AUTHORISED])
        lifecycle.request_deletion(access)
    clock.advance(days=91)
    assert tasks.purge_records(container.sessions, container.blobs, clock) == 1
    with transaction(container.sessions) as session:
        report = verify_all(session)
    assert report.ok, report.breaks
    assert report.entries >= len(audit_entries(container, people.camille))
