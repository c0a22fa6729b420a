"""The worker's jobs on a real database: key rotation, outbox delivery with retries, one round
of every job (purges, notices and the orphan sweep are exercised with their features)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from helpers_records import (
    CAMILLE,
    PETIT,
    People,
    acting,
    blob_of,
    create_record,
    document_rows,
    file_doc,
    outbox_rows,
    pdf,
    read_all,
    seed_people,
    storage,
)

from dmp.container import Container
from dmp.jobs import runner, tasks
from dmp.notifications.adapters import Dispatcher, MemoryOutbox
from dmp.notifications.orm import OutboxRow
from dmp.notifications.ports import DeliveryError, Message
from dmp.notifications.services import MAX_ATTEMPTS, deliver_due, notify
from dmp.records import documents, lifecycle
from dmp.records.rotation import keys_in_use, rewrap_all
from dmp.shared.clock import FrozenClock
from dmp.shared.db import transaction
from dmp.storage.keys import KeyRingError


@pytest.fixture
def people(container: Container) -> People:
    found = seed_people(container)
    create_record(container, found.camille)
    create_record(container, found.leo)
    return found


# --- Key rotation ---------------------------------------------------------------------------


def test_rotation_rewraps_every_data_key_and_leaves_content_untouched(
    container: Container, people: People
) -> None:
    ids = [file_doc(container, PETIT, people.camille, f"doc {i}") for i in range(4)]
    ids.append(file_doc(container, PETIT, people.leo, "doc de Léo"))
    ids.append(file_doc(container, CAMILLE, people.camille, "ma note"))
    before = {r.id: r for r in document_rows(container)}
    blobs_before = {r.id: blob_of(container, r.blob_key) for r in before.values()}
    old_ring = container.keks
    assert keys_in_use(container.sessions) == {old_ring.active: 6}

    new_ring = old_ring.with_new_key()
    assert new_ring.active != old_ring.active
    assert rewrap_all(container.sessions, new_ring, batch=4) == 6  # two batches
    assert rewrap_all(container.sessions, new_ring, batch=4) == 0  # nothing left to do
    assert keys_in_use(container.sessions) == {new_ring.active: 6}

    after = {r.id: r for r in document_rows(container)}
    for document_id, row in after.items():
        assert row.kek_id == new_ring.active
        assert row.wrapped_key != before[document_id].wrapped_key
        assert (row.blob_key, row.sha256, row.size) == (
            before[document_id].blob_key,
            before[document_id].sha256,
            before[document_id].size,
        )
        assert blob_of(container, row.blob_key) == blobs_before[document_id]

    # The content opens identically with the new ring...
    for document_id in ids[:4]:
        with acting(container, PETIT, people.camille) as access:
            row, chunks = documents.open_content(
                access, storage(container, keks=new_ring), document_id
            )
            assert read_all(chunks) == pdf(row.title)
    # ...and no longer with a ring that lacks the new key.
    with pytest.raises(KeyRingError), acting(container, PETIT, people.camille) as access:
        documents.open_content(access, storage(container, keks=old_ring), ids[0])
    # New documents are wrapped under the new key straight away.
    with acting(container, PETIT, people.camille) as access:
        fresh = documents.file_document(
            access,
            storage(container, keks=new_ring),
            documents.DocumentInput(
                title="après rotation",
                type_code="11488-4",
                mime_type="application/pdf",
                facility_type_code="SA07",
            ),
            [pdf("après rotation")],
        )
    assert fresh.kek_id == new_ring.active


def test_rotation_skips_purged_documents(
    container: Container, people: People, clock: FrozenClock
) -> None:
    file_doc(container, PETIT, people.camille, "à purger")
    file_doc(container, PETIT, people.leo, "gardé")
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.request_deletion(access)
    clock.advance(days=90)
    assert tasks.purge_records(container.sessions, container.blobs, clock) == 1
    new_ring = container.keks.with_new_key()
    assert rewrap_all(container.sessions, new_ring) == 1
    assert keys_in_use(container.sessions) == {new_ring.active: 1}


# --- Outbox delivery ------------------------------------------------------------------------


class FailingSender:
    """A provider that refuses everything (or the first ``failures`` messages)."""

    def __init__(self, failures: int = 10**6) -> None:
        self.failures = failures
        self.calls = 0
        self.sent: list[Message] = []

    def send(self, message: Message) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise DeliveryError("550 mailbox unavailable")
        self.sent.append(message)


def queue(container: Container, people: People, kind: str = "new-document") -> uuid.UUID:
    with transaction(container.sessions) as session:
        notify(
            session,
            account_id=people.account[CAMILLE],
            email=CAMILLE,
            language="fr",
            kind=kind,
            now=container.clock.now(),
            patient_id=people.camille,
        )
    return outbox_rows(container, CAMILLE)[-1].id


def outbox_row(container: Container, row_id: uuid.UUID) -> OutboxRow:
    with transaction(container.sessions) as session:
        row = session.get(OutboxRow, row_id)
        assert row is not None
        return row


def deliver(container: Container, dispatcher: Dispatcher) -> int:
    with transaction(container.sessions) as session:
        return deliver_due(session, dispatcher, container.clock.now())


def test_deliver_due_sends_and_marks_sent(
    container: Container, people: People, outbox: MemoryOutbox
) -> None:
    outbox.clear()
    pending = [r.id for r in outbox_rows(container)]  # the creation notices
    assert pending
    # Camille is told about her record, and about Léo's as his legal representative.
    assert len(pending) == 2
    assert tasks.deliver_outbox(container.sessions, container.dispatcher, container.clock) == 2
    assert tasks.deliver_outbox(container.sessions, container.dispatcher, container.clock) == 0
    subjects = {m.subject for m in outbox.messages(CAMILLE)}
    assert subjects == {
        "Votre dossier médical partagé est ouvert",
        "Le dossier médical partagé de Léo MARTIN est ouvert",
    }
    row = outbox_row(container, pending[0])
    assert row.sent_at == container.clock.now()
    assert row.attempts == 1
    assert row.last_error is None


def test_a_failing_sender_is_retried_later_with_backoff(
    container: Container, people: People, clock: FrozenClock
) -> None:
    deliver(container, container.dispatcher)  # what the set-up queued
    row_id = queue(container, people)
    failing = FailingSender(failures=2)
    dispatcher = Dispatcher(email=failing, sms=MemoryOutbox())

    assert deliver(container, dispatcher) == 0
    row = outbox_row(container, row_id)
    assert (row.attempts, row.sent_at, row.failed_at) == (1, None, None)
    assert row.last_error == "delivery failed"
    assert row.next_attempt_at == clock.now() + dt.timedelta(minutes=2)

    # Not due yet: nothing is tried.
    clock.advance(minutes=1)
    assert deliver(container, dispatcher) == 0
    assert failing.calls == 1
    clock.advance(minutes=1)
    assert deliver(container, dispatcher) == 0
    row = outbox_row(container, row_id)
    assert row.attempts == 2
    assert row.next_attempt_at == clock.now() + dt.timedelta(minutes=4)

    clock.advance(minutes=4)
    assert deliver(container, dispatcher) == 1
    row = outbox_row(container, row_id)
    assert (row.attempts, row.sent_at) == (3, clock.now())
    assert [m.to for m in failing.sent] == [CAMILLE]
    assert deliver(container, dispatcher) == 0  # sent once only


def test_a_message_is_abandoned_after_the_last_attempt(
    container: Container, people: People, clock: FrozenClock
) -> None:
    deliver(container, container.dispatcher)
    row_id = queue(container, people)
    failing = FailingSender()
    dispatcher = Dispatcher(email=failing, sms=MemoryOutbox())
    for _ in range(MAX_ATTEMPTS):
        assert deliver(container, dispatcher) == 0
        clock.advance(days=1)
    row = outbox_row(container, row_id)
    assert row.attempts == MAX_ATTEMPTS
    assert row.failed_at is not None
    assert row.sent_at is None
    assert deliver(container, dispatcher) == 0
    assert failing.calls == MAX_ATTEMPTS


# --- One round of the worker --------------------------------------------------------------------


def test_a_round_runs_every_job_and_survives_a_failing_one(
    container: Container, people: People, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    file_doc(container, PETIT, people.camille, "biopsie", invisible_to_patient=True)
    clock.advance(days=15)
    counts = runner.run_round(container)
    assert set(counts) == {
        "outbox",
        "announcement_notices",
        "automatic_visibility",
        "purges",
        "orphan_blobs",
        "web_sessions",
        "vaccination_reminders",
        "directives_reminders",
        "majority",
        "exports",
        "expired_exports",
    }
    assert counts["announcement_notices"] == 1
    assert counts["automatic_visibility"] == 0
    assert counts["outbox"] >= 1

    def broken(*_args: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(tasks, "announcement_notices", broken)
    clock.advance(days=15)
    counts = runner.run_round(container)
    assert counts["announcement_notices"] == -1
    assert counts["automatic_visibility"] == 1  # the others still ran
    # Safe to run twice.
    again = runner.run_round(container)
    assert again["automatic_visibility"] == 0
    assert again["outbox"] == 1  # the notice queued by the visibility job, after the outbox ran
    assert runner.run_round(container)["outbox"] == 0
