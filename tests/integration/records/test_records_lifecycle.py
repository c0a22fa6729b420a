"""A record's life on a real database: creation with consent, activation, closure, reopening,
deletion request, and the purge that crypto-shreds the documents (DOMAIN.md §1.1, §1.5)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator

import pytest
from helpers_records import (
    ADMIN,
    AUTHORISED,
    CAMILLE,
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
    outbox_rows,
    pdf,
    seed_people,
    share_camille,
    storage,
)
from sqlalchemy import select

from dmp.access import facts as access_facts
from dmp.access.orm import AuthorisationRow, BlockRow, CareRoleRow
from dmp.access.policy import RecordStatus
from dmp.audit.orm import AuditEventRow
from dmp.audit.services import verify_all
from dmp.container import Container
from dmp.jobs import tasks
from dmp.profile import services as profile_services
from dmp.profile.orm import ProfileEntryRow
from dmp.records import documents, lifecycle
from dmp.records.documents import DocumentQuery
from dmp.records.orm import RecordRow
from dmp.shared.clock import FrozenClock
from dmp.shared.context import RequestContext
from dmp.shared.db import transaction
from dmp.shared.errors import Conflict, InvalidInput, NotFound
from dmp.storage import envelope
from dmp.storage.keys import WrappedKey


@pytest.fixture
def people(container: Container) -> People:
    return seed_people(container)


def record_row(container: Container, patient_id: uuid.UUID) -> RecordRow | None:
    with transaction(container.sessions) as session:
        return session.get(RecordRow, patient_id)


# --- Creation -----------------------------------------------------------------------------------


def test_a_professional_creates_the_record_with_consent(
    container: Container, people: People
) -> None:
    with acting(container, PETIT, people.camille) as access:
        record = lifecycle.create(access, consent_method="written")
        assert access.facts.status is RecordStatus.open
        assert people.professional[PETIT] in access.facts.authorised

    row = record_row(container, people.camille)
    assert row is not None
    assert row is not record
    assert row.status == "open"
    assert row.created_how == "professional"
    assert row.consent_method == "written"
    assert row.consent_professional_id == people.professional[PETIT]
    assert row.consent_at == container.clock.now()
    assert row.created_by == people.account[PETIT]

    with transaction(container.sessions) as session:
        grants = session.scalars(
            select(AuthorisationRow).where(AuthorisationRow.patient_id == people.camille)
        ).all()
    assert [(g.professional_id, g.basis, g.revoked_at) for g in grants] == [
        (people.professional[PETIT], "creation", None)
    ]

    [entry] = audit_entries(container, people.camille, "record:record:create")
    assert details(entry) == {"mode": "authorised", "consent_method": "written"}
    assert entry.actor_account_id == people.account[PETIT]
    assert entry.target == f"Record/{people.camille}"

    [notice] = notices(container, CAMILLE, "record-created")
    assert notice.patient_id == people.camille
    [mail] = outbox_rows(container, CAMILLE)
    assert mail.sent_at is None
    assert mail.attempts == 0
    assert mail.next_attempt_at == container.clock.now()
    assert "29" in mail.body  # the date, never medical content


@pytest.mark.parametrize("method", [None, "", "telepathy", "ORAL"])
def test_a_professional_must_say_how_consent_was_given(
    container: Container, people: People, method: str | None
) -> None:
    with pytest.raises(InvalidInput) as caught, acting(container, PETIT, people.camille) as access:
        lifecycle.create(access, consent_method=method)
    assert [e.field for e in caught.value.errors] == ["consent_method"]
    assert caught.value.code == "consent-required"
    assert record_row(container, people.camille) is None
    assert audit_entries(container, people.camille, "record:record:create") == []
    assert notices(container, CAMILLE) == []


def test_the_holder_creates_without_a_consent_method(container: Container, people: People) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.create(access)
    row = record_row(container, people.camille)
    assert row is not None
    assert (row.created_how, row.consent_method, row.consent_professional_id) == (
        "holder",
        None,
        None,
    )
    [entry] = audit_entries(container, people.camille, "record:record:create")
    assert details(entry)["mode"] == "holder"


def test_creation_is_refused_twice(container: Container, people: People) -> None:
    create_record(container, people.camille)
    for email in (PETIT, STRANGER, CAMILLE):
        with pytest.raises(Conflict) as caught, acting(container, email, people.camille) as access:
            lifecycle.create(access, consent_method="oral")
        assert caught.value.status == 409
        assert caught.value.code == "record-exists"
    assert len(audit_entries(container, people.camille, "record:record:create")) == 1


def test_operators_never_create_and_never_learn_whether_a_record_exists(
    container: Container, people: People
) -> None:
    with pytest.raises(NotFound) as missing, acting(container, ADMIN, people.camille) as access:
        lifecycle.create(access, consent_method="oral")
    assert missing.value.status == 404
    assert record_row(container, people.camille) is None

    create_record(container, people.camille)
    with pytest.raises(NotFound) as existing, acting(container, ADMIN, people.camille) as access:
        lifecycle.create(access, consent_method="oral")
    # Same answer whether the record exists or not.
    assert (existing.value.code, existing.value.message) == (
        missing.value.code,
        missing.value.message,
    )


def test_open_at_activation(container: Container, people: People) -> None:
    ctx = RequestContext(channel="web", account_id=people.account[CAMILLE])
    with transaction(container.sessions) as session:
        created = lifecycle.open_at_activation(session, container.clock, ctx, people.camille)
        assert created is not None
    with transaction(container.sessions) as session:
        assert lifecycle.open_at_activation(session, container.clock, ctx, people.camille) is None
    row = record_row(container, people.camille)
    assert row is not None
    assert (row.status, row.created_how) == ("open", "activation")
    [entry] = audit_entries(container, people.camille, "record:record:create")
    assert details(entry) == {"mode": "holder", "how": "activation"}
    with transaction(container.sessions) as session:
        facts = access_facts.record_facts(session, people.camille, container.clock.now())
    assert facts.status is RecordStatus.open
    assert facts.authorised == frozenset()


# --- Closure, reopening, deletion -----------------------------------------------------------------


def test_the_holder_closes_with_a_reason_and_the_record_is_kept_ten_years(
    container: Container, people: People
) -> None:
    create_record(container, people.camille)
    for blank in ("", "   \n "):
        with (
            pytest.raises(InvalidInput) as caught,
            acting(container, CAMILLE, people.camille) as access,
        ):
            lifecycle.close(access, reason=blank)
        assert [e.field for e in caught.value.errors] == ["reason"]
    with pytest.raises(NotFound), acting(container, PETIT, people.camille) as access:
        lifecycle.close(access, reason="un professionnel ne ferme pas")

    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.close(access, reason="  Je   déménage  ")
    row = record_row(container, people.camille)
    assert row is not None
    assert row.status == "closed"
    assert row.close_reason == "Je déménage"
    assert row.closed_at == container.clock.now()
    assert row.purge_after == dt.datetime(2036, 11, 29, 9, 0, tzinfo=dt.UTC)
    assert [n.kind for n in notices(container, CAMILLE)] == ["record-created", "record-closed"]
    [entry] = audit_entries(container, people.camille, "record:record:close")
    assert details(entry)["mode"] == "holder"

    with pytest.raises(Conflict), acting(container, CAMILLE, people.camille) as access:
        lifecycle.close(access, reason="encore")
    # Closed: no one reads it, not even the professional who created it.
    for email in (PETIT, CAMILLE):
        with pytest.raises(NotFound), acting(container, email, people.camille) as access:
            documents.list_documents(access, DocumentQuery())
    with pytest.raises(NotFound), acting(container, PETIT, people.camille) as access:
        documents.file_document(access, storage(container), doc_input(), [pdf("x")])


def test_closing_on_29_february_keeps_until_28_february(
    container: Container, people: People, clock: FrozenClock
) -> None:
    create_record(container, people.camille)
    clock.advance(days=(dt.date(2028, 2, 29) - dt.date(2026, 11, 29)).days)
    with acting(container, CAMILLE, people.camille) as access:
        row = lifecycle.close(access, reason="fermeture")
    assert row.purge_after is not None
    assert row.purge_after.date() == dt.date(2038, 2, 28)


def test_reopen_restores_access_and_cancels_the_purge(container: Container, people: People) -> None:
    create_record(container, people.camille)
    file_doc(container, PETIT, people.camille, "avant fermeture")
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.close(access, reason="pause")
    with pytest.raises(NotFound), acting(container, PETIT, people.camille) as access:
        lifecycle.reopen(access)
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.reopen(access)
        assert access.facts.status is RecordStatus.open
    with pytest.raises(Conflict), acting(container, CAMILLE, people.camille) as access:
        lifecycle.reopen(access)
    row = record_row(container, people.camille)
    assert row is not None
    assert (row.status, row.closed_at, row.purge_after, row.close_reason) == (
        "open",
        None,
        None,
        None,
    )
    with acting(container, PETIT, people.camille) as access:
        page = documents.list_documents(access, DocumentQuery())
    assert [d.title for d in page.items] == ["avant fermeture"]


def test_a_legal_representative_closes_the_childs_record(
    container: Container, people: People
) -> None:
    create_record(container, people.leo)
    with acting(container, CAMILLE, people.leo) as access:
        lifecycle.close(access, reason="choix des parents")
    row = record_row(container, people.leo)
    assert row is not None
    assert row.status == "closed"
    [entry] = audit_entries(container, people.leo, "record:record:close")
    assert details(entry)["mode"] == "representative"


def test_deletion_request_purges_within_ninety_days(
    container: Container, people: People, clock: FrozenClock
) -> None:
    create_record(container, people.camille)
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.request_deletion(access)
    row = record_row(container, people.camille)
    assert row is not None
    assert row.status == "closed"
    assert row.deletion_requested_at == clock.now()
    assert row.purge_after == clock.now() + dt.timedelta(days=90)
    with transaction(container.sessions) as session:
        assert lifecycle.due_for_purge(session, clock.now() + dt.timedelta(days=89)) == []
        assert lifecycle.due_for_purge(session, clock.now() + dt.timedelta(days=90)) == [
            people.camille
        ]


def test_deletion_request_on_a_closed_record_brings_the_purge_forward(
    container: Container, people: People, clock: FrozenClock
) -> None:
    create_record(container, people.camille)
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.close(access, reason="fermeture")
    clock.advance(days=10)
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.request_deletion(access)
    row = record_row(container, people.camille)
    assert row is not None
    assert row.close_reason == "fermeture"  # the closure stays as it was
    assert row.purge_after == clock.now() + dt.timedelta(days=90)


def test_ten_years_after_closure_the_record_is_purged(
    container: Container, people: People, clock: FrozenClock
) -> None:
    create_record(container, people.camille)
    file_doc(container, PETIT, people.camille, "ancien")
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.close(access, reason="fermeture")
    clock.advance(days=(dt.date(2036, 11, 29) - dt.date(2026, 11, 29)).days - 1)
    assert tasks.purge_records(container.sessions, container.blobs, clock) == 0
    clock.advance(days=1)
    assert tasks.purge_records(container.sessions, container.blobs, clock) == 1
    assert document_rows(container, people.camille) == []
    assert tasks.purge_records(container.sessions, container.blobs, clock) == 0  # idempotent


# --- The purge ----------------------------------------------------------------------------------


@pytest.fixture
def filled(container: Container, people: People) -> Iterator[dict[str, uuid.UUID]]:
    """Camille's record with sharing choices, three documents (one replaced) and a note of Léo's
    record, which the purge of Camille's must not touch."""
    create_record(container, people.camille)
    create_record(container, people.leo)
    share_camille(container, people)
    first = file_doc(container, PETIT, people.camille, "premier")
    second = file_doc(container, PETIT, people.camille, "second", invisible_to_patient=True)
    with acting(container, PETIT, people.camille) as access:
        third = documents.replace_document(
            access, storage(container), first, doc_input("premier v2"), in_chunks(pdf("v2"))
        ).id
    own = file_doc(container, CAMILLE, people.camille, "ma note")
    leo = file_doc(container, PETIT, people.leo, "carnet de Léo")
    return {"first": first, "second": second, "third": third, "own": own, "leo": leo}


def test_purge_shreds_keys_then_removes_rows_and_blobs(
    container: Container, people: People, clock: FrozenClock, filled: dict[str, uuid.UUID]
) -> None:
    rows = document_rows(container, people.camille)
    assert len(rows) == 4
    copies = {row.id: blob_of(container, row.blob_key) for row in rows}
    wrapped = {row.id: WrappedKey(str(row.kek_id), str(row.wrapped_key)) for row in rows}
    # The copies are real ciphertext: with the wrapped key still in the database they open.
    target = rows[0]
    data_key = container.keks.unwrap(
        wrapped[target.id], aad=documents.aad(target.patient_id, target.id)
    )
    plain = b"".join(
        envelope.decrypt(
            data_key, [copies[target.id]], aad=documents.aad(target.patient_id, target.id)
        )
    )
    assert plain.startswith((b"%PDF-", b"Note de"))

    # Structured content goes too: a profile entry with two versions (one deprecated).
    with acting(container, CAMILLE, people.camille) as access:
        entry = profile_services.add(access, "allergy", {"substance": "Pollen", "kind": "allergy"})
    with acting(container, CAMILLE, people.camille) as access:
        profile_services.update(access, entry.id, {"substance": "Pollens", "kind": "allergy"})
    with acting(container, CAMILLE, people.leo) as access:
        profile_services.add(access, "allergy", {"substance": "Arachide", "kind": "allergy"})

    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.request_deletion(access)
    clock.advance(days=89)
    assert tasks.purge_records(container.sessions, container.blobs, clock) == 0
    assert len(document_rows(container, people.camille)) == 4
    clock.advance(days=1)
    assert tasks.purge_records(container.sessions, container.blobs, clock) == 1

    # Rows and blobs are gone; Léo's record is untouched.
    assert document_rows(container, people.camille) == []
    stored = set(container.blobs.keys())
    assert not any(row.blob_key in stored for row in rows)
    [leo_row] = document_rows(container, people.leo)
    assert leo_row.blob_key in stored
    assert leo_row.wrapped_key is not None

    # Crypto-shredding: nothing left in the database can unwrap a data key for these blobs.
    with transaction(container.sessions) as session:
        every_detail = " ".join(session.scalars(select(AuditEventRow.details)))
    for row in rows:
        assert wrapped[row.id].blob not in every_detail
    # A copy of a blob taken before the purge cannot be decrypted without its data key: any
    # other key fails authentication, and there is no wrapped key left to unwrap.
    for row in rows:
        with pytest.raises(envelope.DecryptionError):
            b"".join(
                envelope.decrypt(
                    os.urandom(32), [copies[row.id]], aad=documents.aad(row.patient_id, row.id)
                )
            )

    record = record_row(container, people.camille)
    assert record is not None
    assert record.purged_at == clock.now()
    with transaction(container.sessions) as session:
        facts = access_facts.record_facts(session, people.camille, clock.now())
        for model in (AuthorisationRow, BlockRow, CareRoleRow):
            assert (
                session.scalars(
                    select(model).where(
                        model.patient_id == people.camille, model.revoked_at.is_(None)
                    )
                ).all()
                == []
            )
    assert facts.status is None

    [purge] = audit_entries(container, people.camille, "record:record:purge")
    assert details(purge) == {"mode": "system", "documents": "4", "items": "2"}
    with transaction(container.sessions) as session:
        left = session.scalars(select(ProfileEntryRow.patient_id)).all()
    assert left == [people.leo]
    assert purge.actor_account_id is None
    assert [n.kind for n in notices(container, CAMILLE)][-1] == "record-purged"
    assert outbox_rows(container, CAMILLE)[-1].subject != ""
    with transaction(container.sessions) as session:
        report = verify_all(session)
    assert report.ok, report.breaks

    # Nobody reads a purged record; a new one can start afresh, empty.
    for email in (CAMILLE, PETIT, AUTHORISED):
        with pytest.raises(NotFound), acting(container, email, people.camille) as access:
            documents.list_documents(access, DocumentQuery())
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.create(access)
    with acting(container, CAMILLE, people.camille) as access:
        assert documents.list_documents(access, DocumentQuery()).items == []
    with pytest.raises(NotFound), acting(container, PETIT, people.camille) as access:
        documents.list_documents(access, DocumentQuery())  # the old authorisation is gone


class FailingDeletes:
    """A blob store whose deletions fail (a storage outage during the purge)."""

    def __init__(self, inner: object) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def delete(self, key: str) -> None:
        raise OSError("storage unavailable")


def test_keys_are_erased_even_if_the_blobs_cannot_be_deleted(
    container: Container, people: People, clock: FrozenClock, filled: dict[str, uuid.UUID]
) -> None:
    keys = {row.blob_key for row in document_rows(container, people.camille)}
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.request_deletion(access)
    clock.advance(days=90)
    with pytest.raises(OSError, match="storage unavailable"):
        tasks.purge_records(container.sessions, FailingDeletes(container.blobs), clock)  # type: ignore[arg-type]
    # The keys went with the rows, committed before the blobs were touched.
    assert document_rows(container, people.camille) == []
    assert keys <= set(container.blobs.keys())
    # The leftovers are orphans: the sweep removes them once they are old enough.
    clock.advance(days=1)
    assert tasks.sweep_orphan_blobs(container.sessions, container.blobs, clock) == len(keys)
    assert not keys & set(container.blobs.keys())
    assert tasks.purge_records(container.sessions, container.blobs, clock) == 0


def test_a_record_reopened_after_the_purge_list_was_read_is_not_purged(
    container: Container,
    people: People,
    clock: FrozenClock,
    filled: dict[str, uuid.UUID],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.request_deletion(access)
    clock.advance(days=90)
    with transaction(container.sessions) as session:
        stale = lifecycle.due_for_purge(session, clock.now())
    assert stale == [people.camille]
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.reopen(access)
    # The worker read its list just before the holder reopened.
    monkeypatch.setattr(tasks, "due_for_purge", lambda _session, _now: stale)
    assert tasks.purge_records(container.sessions, container.blobs, clock) == 0
    assert len(document_rows(container, people.camille)) == 4
    record = record_row(container, people.camille)
    assert record is not None
    assert record.purged_at is None
    assert record.status == "open"
