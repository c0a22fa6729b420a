"""Directives anticipées in the record: signed versions filed as EXPPAT_3 documents, the latest
prevails, revocation, re-authentication, who may write and who may read, the yearly reminder."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers_records import (
    AUTHORISED,
    BERNARD,
    BLOCKED,
    CAMILLE,
    STRANGER,
    People,
    acting,
    audit_entries,
    create_record,
    details,
    document_rows,
    notices,
    read_all,
    seed_people,
    share_camille,
    storage,
)

from dmp import demo
from dmp.access import services as access_services
from dmp.access.services import Access
from dmp.container import Container
from dmp.directives.model import AdvanceDirectives, Author, TreatmentWish, Witness
from dmp.directives_record import services as advance
from dmp.directives_record.orm import DirectivesRow
from dmp.directives_record.reminders import send_reminders
from dmp.records import documents
from dmp.records.documents import DocumentQuery
from dmp.shared.clock import FrozenClock
from dmp.shared.db import transaction
from dmp.shared.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TooManyAttempts


@pytest.fixture
def people(container: Container) -> People:
    found = seed_people(container)
    create_record(container, found.camille)
    create_record(container, found.leo)
    share_camille(container, found)
    return found


def wishes(**changes: object) -> AdvanceDirectives:
    base = AdvanceDirectives(
        author=Author("Martin", "Camille Anne", dt.date(1985, 3, 27), "Paris"),
        situation="healthy",
        treatments=(TreatmentWish("cardiopulmonary-resuscitation", "refuse"),),
        sedation="yes",
        other_wishes="Finir ma vie à la maison.",
        place="Lyon",
    )
    return AdvanceDirectives(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def proof(container: Container, access: Access, password: str = demo.DEMO_PASSWORD) -> object:
    return advance.reauthenticate(access, container.security, password)


def sign(container: Container, people: People, **changes: object) -> DirectivesRow:
    with acting(container, CAMILLE, people.camille) as access:
        ok = proof(container, access)
        assert isinstance(ok, advance.Reauthenticated)
        return advance.sign(
            access, storage(container), ok, wishes(**changes), typed_name="Camille Martin"
        )


def exppat(container: Container, email: str, people: People) -> list[tuple[str, str]]:
    with acting(container, email, people.camille) as access:
        page = documents.list_documents(
            access, DocumentQuery(type_codes=["EXPPAT_3"], include_deprecated=True)
        )
        return [(row.status, row.title) for row in page.items]


def test_versions_are_signed_filed_and_the_latest_prevails(
    container: Container, people: People, clock: FrozenClock
) -> None:
    first = sign(container, people)
    clock.advance(days=30)
    second = sign(container, people, sedation="no", witnesses=())
    assert (first.number, second.number) == (1, 2)
    with acting(container, CAMILLE, people.camille) as access:
        seen = advance.read(access)
        assert seen.current is not None
        assert seen.current.number == 2
        assert [e.status for e in seen.entries] == ["superseded", "current"]
        # The answers are kept encrypted, readable back by the holder's side.
        answers = advance.open_answers(access, storage(container), seen.current)
        assert answers is not None
        assert answers[0].sedation == "no"
        document, chunks = advance.open_version(access, storage(container), 2)
        assert read_all(chunks).startswith(b"%PDF-")
        assert document.type_code == "EXPPAT_3"
        assert document.class_code == "90"
    with transaction(container.sessions) as session:
        stored = session.get(DirectivesRow, second.id)
        assert stored is not None
        assert stored.answers is not None
        assert "Finir" not in stored.answers
        assert "maison" not in stored.answers
    # One document, two versions: the second replaced the first.
    filed = [d for d in document_rows(container, people.camille) if d.type_code == "EXPPAT_3"]
    assert sorted((d.series_number, d.status) for d in filed) == [
        (1, "deprecated"),
        (2, "approved"),
    ]
    assert len({d.series_id for d in filed}) == 1
    [signed, *_] = audit_entries(container, people.camille, "record:directives:sign")
    assert details(signed)["mode"] == "holder"
    assert details(signed)["version"] == "1"


def test_an_authorised_professional_finds_them_a_blocked_one_does_not(
    container: Container, people: People
) -> None:
    sign(container, people)
    for email in (AUTHORISED, BERNARD):
        assert [status for status, _title in exppat(container, email, people)] == ["approved"]
        with acting(container, email, people.camille) as access:
            seen = advance.read(access)
            assert seen.current is not None
            assert advance.open_answers(access, storage(container), seen.current) is None
            with pytest.raises(PermissionDenied):
                advance.revoke(access, storage(container))
    for email in (BLOCKED, STRANGER):
        with acting(container, email, people.camille) as access, pytest.raises(NotFound):
            advance.read(access)
        with acting(container, email, people.camille) as access, pytest.raises(NotFound):
            advance.open_version(access, storage(container), 1)
    # Masked by the holder: the authorised professional no longer sees them, the médecin
    # traitant still does.
    with acting(container, CAMILLE, people.camille) as access:
        [document] = [
            d
            for d in documents.list_documents(access, DocumentQuery()).items
            if d.type_code == "EXPPAT_3"
        ]
        documents.set_masked(access, document.id, True)
    with acting(container, AUTHORISED, people.camille) as access:
        assert advance.read(access).current is None
    with acting(container, BERNARD, people.camille) as access:
        assert advance.read(access).current is not None


def test_revocation_is_a_dated_version_and_professionals_no_longer_see_directives(
    container: Container, people: People, clock: FrozenClock
) -> None:
    sign(container, people)
    sign(container, people, sedation="no")
    clock.advance(days=2)
    with acting(container, CAMILLE, people.camille) as access:
        revocation = advance.revoke(access, storage(container))
        assert revocation.number == 3
        assert revocation.is_revocation
        seen = advance.read(access)
        assert seen.current is None
        assert seen.revoked
        assert [e.status for e in seen.entries] == ["revoked", "revoked", "revocation"]
    with acting(container, CAMILLE, people.camille) as access, pytest.raises(Conflict):
        advance.revoke(access, storage(container))
    statuses = exppat(container, AUTHORISED, people)
    assert [status for status, _title in statuses] == ["approved", "deprecated", "deprecated"]
    assert statuses[0][1].startswith("Révocation des directives anticipées")
    [revoked] = audit_entries(container, people.camille, "record:directives:revoke")
    assert details(revoked)["revoked"] == "1,2"
    # Writing again after a revocation: a new version prevails.
    sign(container, people)
    with acting(container, AUTHORISED, people.camille) as access:
        current = advance.read(access).current
        assert current is not None
        assert current.number == 4


def test_a_wrong_password_files_nothing_and_is_throttled(
    container: Container, people: People
) -> None:
    for _attempt in range(4):
        with acting(container, CAMILLE, people.camille) as access:
            refusal = proof(container, access, "not-my-password")
            assert isinstance(refusal, InvalidInput)
            assert refusal.errors[0].code == "invalid-password"
    with acting(container, CAMILLE, people.camille) as access:
        refusal = proof(container, access, "still-wrong")
    assert isinstance(refusal, TooManyAttempts)
    with acting(container, CAMILLE, people.camille) as access:
        assert isinstance(proof(container, access), TooManyAttempts)  # even the right one
        assert advance.read(access).entries == []
    assert [d for d in document_rows(container, people.camille) if d.type_code == "EXPPAT_3"] == []


def test_bad_answers_and_a_wrong_typed_name_are_refused_all_at_once(
    container: Container, people: People
) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        ok = proof(container, access)
        assert isinstance(ok, advance.Reauthenticated)
        with pytest.raises(InvalidInput) as bad:
            advance.sign(
                access,
                storage(container),
                ok,
                wishes(
                    treatments=(),
                    sedation="no-opinion",
                    other_wishes="",
                    place="",
                    author_can_write=False,
                    witnesses=(Witness("Paul Durand", "ami"),),
                ),
                typed_name="Jean Dupont",
                drawing=b"GIF89a",
            )
    assert {e.field for e in bad.value.errors} == {"drawing"}
    with acting(container, CAMILLE, people.camille) as access:
        ok = proof(container, access)
        assert isinstance(ok, advance.Reauthenticated)
        with pytest.raises(InvalidInput) as bad:
            advance.sign(
                access,
                storage(container),
                ok,
                wishes(treatments=(), sedation="no-opinion", other_wishes="", place=""),
                typed_name="Jean Dupont",
            )
    assert {e.field for e in bad.value.errors} == {"wishes", "place", "typed_name"}


def test_only_the_adult_holder_writes_them(container: Container, people: People) -> None:
    # Camille represents her son Léo, a minor: she may not write directives for him.
    with acting(container, CAMILLE, people.leo) as access:
        ok = proof(container, access)
        assert isinstance(ok, advance.Reauthenticated)
        with pytest.raises(PermissionDenied):
            advance.sign(access, storage(container), ok, wishes(), typed_name="Camille Martin")
        assert not advance.may_write(access)
        assert advance.read(access).entries == []
    with acting(container, CAMILLE, people.camille) as access:
        assert advance.may_write(access)


def test_a_signed_scan_is_filed_as_a_version(container: Container, people: People) -> None:
    sign(container, people)
    with acting(container, CAMILLE, people.camille) as access:
        ok = proof(container, access)
        assert isinstance(ok, advance.Reauthenticated)
        with pytest.raises(InvalidInput):
            advance.file_scan(access, storage(container), ok, mime="text/plain", chunks=[b"hello"])
        with pytest.raises(InvalidInput):  # declared as a PDF, but it is not one
            advance.file_scan(
                access, storage(container), ok, mime="application/pdf", chunks=[b"hello"]
            )
    with acting(container, CAMILLE, people.camille) as access:
        ok = proof(container, access)
        assert isinstance(ok, advance.Reauthenticated)
        png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
        row = advance.file_scan(access, storage(container), ok, mime="image/png", chunks=[png])
        assert row.number == 2
        assert row.kind == "scan"
    with acting(container, AUTHORISED, people.camille) as access:
        document, chunks = advance.open_version(access, storage(container), 2)
        assert document.mime_type == "image/png"
        assert read_all(chunks) == png


def test_the_author_is_reminded_once_a_year_without_medical_words(
    container: Container, people: People, clock: FrozenClock
) -> None:
    sign(container, people)
    before = len(notices(container, CAMILLE, "directives-reminder"))
    clock.advance(days=364)
    assert send_reminders(container.sessions, container.settings, clock) == 0
    clock.advance(days=1)
    assert send_reminders(container.sessions, container.settings, clock) == 1
    assert send_reminders(container.sessions, container.settings, clock) == 0  # not twice
    clock.advance(days=1)
    assert send_reminders(container.sessions, container.settings, clock) == 0
    new = notices(container, CAMILLE, "directives-reminder")[before:]
    assert len(new) == 1
    assert new[0].patient_id == people.camille
    assert "sédation" not in new[0].params
    assert "maison" not in new[0].params
    [entry] = audit_entries(container, people.camille, "record:directives:reminder")
    assert details(entry) == {"mode": "system", "told": "1"}
    # A year later again; turned off, the reminder is recorded but nobody is told.
    with acting(container, CAMILLE, people.camille) as access:
        access_services.update_preferences(access, notify_directives=False)
    clock.advance(days=365)
    assert send_reminders(container.sessions, container.settings, clock) == 1
    assert len(notices(container, CAMILLE, "directives-reminder")) == before + 1
    # Revoked directives are not reminded.
    with acting(container, CAMILLE, people.camille) as access:
        advance.revoke(access, storage(container))
    clock.advance(days=400)
    assert send_reminders(container.sessions, container.settings, clock) == 0
