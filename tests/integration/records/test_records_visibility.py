"""Who sees which document, through the real database (DOMAIN.md §1).

A record holds documents with every combination of the visibility flags (MASQUE_PS,
INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX), plus archived, replaced, deleted, announced
documents and documents from other authors. For every kind of actor, the SQL query behind
``list_documents`` must return exactly what the pure policy ``decide`` allows — and what the
explicit table below, written from the rules, says — while ``get_document`` and
``open_content`` answer "not found" for everything else, exactly as for a missing document.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest
from helpers_records import (
    ADMIN,
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
    acting,
    audit_entries,
    create_record,
    details,
    doc_input,
    document_rows,
    file_doc,
    in_chunks,
    notices,
    pdf,
    read_all,
    seed_people,
    share_camille,
    storage,
)
from sqlalchemy import select, update

from dmp.access import services as access_services
from dmp.access.policy import Action, DocumentStatus, Mode
from dmp.access.services import Access
from dmp.container import Container
from dmp.identity.orm import ProfessionalRow
from dmp.jobs import tasks
from dmp.records import documents, emergency
from dmp.records.documents import DocumentQuery
from dmp.records.orm import DocumentRow
from dmp.shared.clock import FrozenClock
from dmp.shared.db import transaction
from dmp.shared.errors import InvalidInput, NotFound

EVERYTHING = DocumentQuery(include_archived=True, include_deprecated=True, limit=100)
FLAGS = list(itertools.product((False, True), repeat=3))  # masked, invisible patient, reps


def flag_label(masked: bool, patient: bool, reps: bool) -> str:
    return "flags-" + "".join("1" if f else "0" for f in (masked, patient, reps))


def build_documents(container: Container, patient_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """Every flag combination by Dr Petit, plus the other cases, on ``patient_id``'s record."""
    ids: dict[str, uuid.UUID] = {}
    for masked, patient, reps in FLAGS:
        label = flag_label(masked, patient, reps)
        # Masked together with invisible-to-patient cannot be filed; the holder reaches it by
        # masking a document once it is visible. Filed invisible, then masked in the database,
        # the row checks that the query and the policy still agree on it.
        ids[label] = file_doc(
            container,
            PETIT,
            patient_id,
            label,
            masked=masked and not patient,
            invisible_to_patient=patient,
            invisible_to_representatives=reps,
        )
        if masked and patient:
            with transaction(container.sessions) as session:
                session.execute(
                    update(DocumentRow).where(DocumentRow.id == ids[label]).values(masked=True)
                )
    ids["announced"] = file_doc(
        container, PETIT, patient_id, "announced", invisible_to_patient=True
    )
    ids["archived"] = file_doc(container, PETIT, patient_id, "archived")
    ids["deleted"] = file_doc(container, PETIT, patient_id, "deleted")
    ids["old"] = file_doc(container, PETIT, patient_id, "old")
    ids["other-masked"] = file_doc(container, AUTHORISED, patient_id, "other-masked", masked=True)
    with acting(container, PETIT, patient_id) as access:
        documents.record_announcement(access, ids["announced"])
        documents.set_status(access, ids["archived"], DocumentStatus.archived)
        documents.set_status(access, ids["deleted"], DocumentStatus.deleted)
        ids["new"] = documents.replace_document(
            access, storage(container), ids["old"], doc_input("new"), in_chunks(pdf("new"))
        ).id
    return ids


ALL = {flag_label(*f) for f in FLAGS} | {"announced", "archived", "old", "new", "other-masked"}
INVISIBLE_TO_PATIENT = {flag_label(m, True, r) for m in (False, True) for r in (False, True)}
INVISIBLE_TO_REPS = {flag_label(m, p, True) for m in (False, True) for p in (False, True)}
MASKED_BY_PETIT = {flag_label(True, p, r) for p in (False, True) for r in (False, True)}
NOT_MASKED = ALL - MASKED_BY_PETIT - {"other-masked"}

# Written from DOMAIN.md §1, not from the code: (visible labels or None for no access, mode).
EXPECTED: dict[str, tuple[set[str] | None, Mode | None]] = {
    # The holder sees everything but what is still invisible to her (masking is hers).
    "holder": (ALL - INVISIBLE_TO_PATIENT, Mode.holder),
    # The médecin traitant, and whoever the holder gave the same rights, see everything.
    "treating doctor": (ALL, Mode.treating_doctor),
    "extended rights": (ALL, Mode.extended_rights),
    # An authorised professional: nothing masked, except what he wrote himself.
    "authorised": (NOT_MASKED | {"other-masked"}, Mode.authorised),
    "author": (ALL - {"other-masked"}, Mode.authorised),
    # Bris de glace and regulation: no masked document (the default setting).
    "emergency": (NOT_MASKED, Mode.emergency),
    "regulator": (NOT_MASKED, Mode.regulation),
    "unauthorised": (None, None),
    "blocked": (None, None),
    "operator": (None, None),
}
EMAILS = {
    "holder": CAMILLE,
    "treating doctor": BERNARD,
    "extended rights": EXTENDED,
    "authorised": AUTHORISED,
    "author": PETIT,
    "emergency": EMERGENCY,
    "regulator": REGULATOR,
    "unauthorised": STRANGER,
    "blocked": BLOCKED,
    "operator": ADMIN,
}


@pytest.fixture
def people(container: Container) -> People:
    found = seed_people(container)
    create_record(container, found.camille)
    share_camille(container, found)
    return found


def declare(container: Container, email: str, patient_id: uuid.UUID, *, regulation: bool) -> None:
    with acting(container, email, patient_id) as access:
        access_services.declare_emergency(
            access, reason="patient inconscient, appel au centre 15", regulation=regulation
        )


def labels_of(ids: dict[str, uuid.UUID], found: list[uuid.UUID]) -> set[str]:
    names = {v: k for k, v in ids.items()}
    return {names[i] for i in found}


def check_actor(
    container: Container,
    email: str,
    patient_id: uuid.UUID,
    ids: dict[str, uuid.UUID],
    expected: set[str] | None,
    mode: Mode | None,
    **options: object,
) -> None:
    """List, get and open every document as ``email``; compare with ``decide`` and the table."""
    missing = uuid.uuid4()
    with acting(container, email, patient_id, **options) as access:  # type: ignore[arg-type]
        with pytest.raises(NotFound) as for_missing:
            documents.get_document(access, missing)
        if expected is None:
            with pytest.raises(NotFound):
                documents.list_documents(access, EVERYTHING)
        else:
            page = documents.list_documents(access, EVERYTHING)
            assert page.mode is mode
            listed = [d.id for d in page.items]
            assert len(listed) == len(set(listed)) == page.total
            assert labels_of(ids, listed) == expected
            assert set(listed) == allowed_by_policy(access, patient_id)
            # By default, only current documents (approved) are listed.
            current = documents.list_documents(access, DocumentQuery(limit=100))
            assert labels_of(ids, [d.id for d in current.items]) == expected - {"archived", "old"}
        for label, document_id in ids.items():
            visible = expected is not None and label in expected
            if visible:
                row, got_mode = documents.get_document(access, document_id)
                assert row.id == document_id
                assert got_mode is mode
                continue
            with pytest.raises(NotFound) as hidden:
                documents.get_document(access, document_id)
            # Concealment: a hidden document answers exactly like a missing one.
            assert (hidden.value.code, hidden.value.message) == (
                for_missing.value.code,
                for_missing.value.message,
            )
            with pytest.raises(NotFound):
                documents.open_content(access, storage(container), document_id)
    # Content opens, byte for byte, for what is visible (each in its own unit of work).
    for label in sorted(expected or ()):
        with acting(container, email, patient_id, **options) as access:  # type: ignore[arg-type]
            row, chunks = documents.open_content(access, storage(container), ids[label])
            assert read_all(chunks) == pdf(label)


def allowed_by_policy(access: Access, patient_id: uuid.UUID) -> set[uuid.UUID]:
    """The pure policy's verdict on every document of the record, from the database rows."""
    now, days = access.clock.now(), access.settings.invisible_to_patient_days
    return {
        row.id
        for row in document_rows_in(access, patient_id)
        if access.decide(Action.document_read, documents.facts(row, now, days))
    }


def document_rows_in(access: Access, patient_id: uuid.UUID) -> list[DocumentRow]:
    query = select(DocumentRow).where(DocumentRow.patient_id == patient_id)
    return list(access.session.scalars(query))


@pytest.mark.parametrize("actor", list(EXPECTED))
def test_each_actor_sees_exactly_what_the_rules_allow(
    container: Container, people: People, actor: str
) -> None:
    ids = build_documents(container, people.camille)
    assert {DocumentStatus(r.status) for r in document_rows(container, people.camille)} == set(
        DocumentStatus
    )
    if actor == "emergency":
        declare(container, EMERGENCY, people.camille, regulation=False)
    if actor == "regulator":
        declare(container, REGULATOR, people.camille, regulation=True)
    expected, mode = EXPECTED[actor]
    check_actor(container, EMAILS[actor], people.camille, ids, expected, mode)


def test_the_legal_representative_never_sees_what_is_hidden_from_representatives(
    container: Container, people: People
) -> None:
    create_record(container, people.leo)
    with acting(container, CAMILLE, people.leo) as access:  # the parent's choice
        access_services.authorise(access, people.professional[AUTHORISED])
    ids = build_documents(container, people.leo)
    expected = ALL - INVISIBLE_TO_PATIENT - INVISIBLE_TO_REPS
    check_actor(container, CAMILLE, people.leo, ids, expected, Mode.representative)
    # Dr Petit, who created Léo's record and wrote everything, sees all of his own documents.
    check_actor(container, PETIT, people.leo, ids, ALL - {"other-masked"}, Mode.authorised)
    # Camille's own documents are not reachable through Léo's record, nor the reverse.
    mine = file_doc(container, CAMILLE, people.camille, "à moi")
    with pytest.raises(NotFound), acting(container, CAMILLE, people.leo) as access:
        documents.get_document(access, mine)
    with pytest.raises(NotFound), acting(container, CAMILLE, people.camille) as access:
        documents.get_document(access, ids["flags-000"])


def test_emergency_may_be_configured_to_see_masked_documents(
    container: Container, people: People
) -> None:
    ids = build_documents(container, people.camille)
    declare(container, EMERGENCY, people.camille, regulation=False)
    settings = container.settings.model_copy(update={"emergency_sees_masked": True})
    check_actor(container, EMERGENCY, people.camille, ids, ALL, Mode.emergency, settings=settings)


# --- Invisible to the patient: announcement, two-week notice, one month -------------------------


def holder_sees(container: Container, people: People, document_id: uuid.UUID) -> bool:
    with acting(container, CAMILLE, people.camille) as access:
        listed = {d.id for d in documents.list_documents(access, EVERYTHING).items}
        try:
            documents.get_document(access, document_id)
        except NotFound:
            assert document_id not in listed
            return False
        assert document_id in listed
        return True


def test_announcement_makes_the_document_visible_to_the_patient(
    container: Container, people: People
) -> None:
    hidden = file_doc(container, PETIT, people.camille, "résultat", invisible_to_patient=True)
    assert notices(container, CAMILLE, "new-document") == []  # not announced before it is seen
    assert not holder_sees(container, people, hidden)
    with pytest.raises(NotFound), acting(container, CAMILLE, people.camille) as access:
        documents.open_content(access, storage(container), hidden)
    # Only a professional who sees the document records the announcement.
    for email in (STRANGER, BLOCKED, CAMILLE, ADMIN):
        with pytest.raises(NotFound), acting(container, email, people.camille) as access:
            documents.record_announcement(access, hidden)
    with acting(container, BERNARD, people.camille) as access:
        row = documents.record_announcement(access, hidden)
        assert row.announced_by == people.professional[BERNARD]
    with acting(container, PETIT, people.camille) as access:
        again = documents.record_announcement(access, hidden)  # idempotent
        assert again.announced_by == people.professional[BERNARD]
    assert holder_sees(container, people, hidden)
    assert len(notices(container, CAMILLE, "new-document")) == 1
    [entry] = audit_entries(container, people.camille, "record:announcement:record")
    assert details(entry)["mode"] == "treating-doctor"
    # The announced document is left alone by both jobs.
    clock = container.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(days=31)
    assert tasks.announcement_notices(container.sessions, container.settings, clock) == 0
    assert tasks.automatic_visibility(container.sessions, container.settings, clock) == 0


def test_two_weeks_notice_then_automatic_visibility_after_a_month(
    container: Container, people: People, clock: FrozenClock
) -> None:
    hidden = file_doc(container, PETIT, people.camille, "biopsie", invisible_to_patient=True)
    visible = file_doc(container, PETIT, people.camille, "ordonnance")
    clock.advance(days=13, hours=23)
    assert tasks.announcement_notices(container.sessions, container.settings, clock) == 0
    clock.advance(hours=1)
    assert tasks.announcement_notices(container.sessions, container.settings, clock) == 1
    assert tasks.announcement_notices(container.sessions, container.settings, clock) == 0
    [pending] = notices(container, CAMILLE, "announcement-pending")
    assert pending.patient_id == people.camille
    assert not holder_sees(container, people, hidden)  # the notice does not reveal it
    assert holder_sees(container, people, visible)

    clock.advance(days=16)  # 30 days after filing
    # The policy already shows it, before the job has run...
    assert holder_sees(container, people, hidden)
    # ...and the job records it, tells the holder, once.
    before = len(notices(container, CAMILLE, "new-document"))
    assert tasks.automatic_visibility(container.sessions, container.settings, clock) == 1
    assert tasks.automatic_visibility(container.sessions, container.settings, clock) == 0
    assert len(notices(container, CAMILLE, "new-document")) == before + 1
    row = next(r for r in document_rows(container, people.camille) if r.id == hidden)
    assert row.invisible_to_patient is False
    assert row.announced_at is None
    [entry] = audit_entries(container, people.camille, "record:document:flags")
    assert details(entry) == {
        "mode": "system",
        "invisible_to_patient": "false",
        "reason": "one month elapsed",
    }
    assert holder_sees(container, people, hidden)


def test_the_two_week_notice_respects_the_holders_choice(
    container: Container, people: People, clock: FrozenClock
) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        access_services.update_preferences(access, notify_announcement=False)
    file_doc(container, PETIT, people.camille, "biopsie", invisible_to_patient=True)
    clock.advance(days=15)
    assert tasks.announcement_notices(container.sessions, container.settings, clock) == 1
    assert notices(container, CAMILLE, "announcement-pending") == []


# --- Emergency and regulation -------------------------------------------------------------------


def can_list(container: Container, email: str, patient_id: uuid.UUID) -> Mode | None:
    try:
        with acting(container, email, patient_id) as access:
            return documents.list_documents(access, DocumentQuery()).mode
    except NotFound:
        return None


def test_emergency_access_expires(container: Container, people: People, clock: FrozenClock) -> None:
    file_doc(container, PETIT, people.camille, "synthèse")
    assert can_list(container, EMERGENCY, people.camille) is None
    declare(container, EMERGENCY, people.camille, regulation=False)
    assert can_list(container, EMERGENCY, people.camille) is Mode.emergency
    clock.advance(hours=container.settings.emergency_access_hours, seconds=-1)
    assert can_list(container, EMERGENCY, people.camille) is Mode.emergency
    clock.advance(seconds=1)
    assert can_list(container, EMERGENCY, people.camille) is None
    # A new declaration opens a new window.
    declare(container, EMERGENCY, people.camille, regulation=False)
    assert can_list(container, EMERGENCY, people.camille) is Mode.emergency
    [first, second] = audit_entries(container, people.camille, "record:emergency:declare")
    assert details(first)["mode"] == "emergency"
    assert details(first)["reason"] == "patient inconscient, appel au centre 15"
    assert (
        details(second)["until"]
        == (clock.now() + dt.timedelta(hours=container.settings.emergency_access_hours)).isoformat()
    )


def test_ending_an_emergency_access(container: Container, people: People) -> None:
    declare(container, EMERGENCY, people.camille, regulation=False)
    with acting(container, EMERGENCY, people.camille) as access:
        assert access_services.end_emergency(access) is True
        assert people.professional[EMERGENCY] not in access.facts.emergency_access
    assert can_list(container, EMERGENCY, people.camille) is None
    [ended] = audit_entries(container, people.camille, "record:emergency:end")
    assert details(ended)["mode"] == "emergency"
    with acting(container, EMERGENCY, people.camille) as access:
        assert access_services.end_emergency(access) is False


def test_the_holders_opposition_prevents_emergency_access(
    container: Container, people: People
) -> None:
    declare(container, EMERGENCY, people.camille, regulation=False)
    with acting(container, CAMILLE, people.camille) as access:
        access_services.update_preferences(access, emergency_opposed=True)
    # A live access ends with the opposition, and no new one can be declared.
    assert can_list(container, EMERGENCY, people.camille) is None
    with pytest.raises(NotFound), acting(container, EMERGENCY, people.camille) as access:
        access_services.declare_emergency(access, reason="patient inconscient aux urgences")
    # The opposition to emergency access does not stop the regulation centre...
    declare(container, REGULATOR, people.camille, regulation=True)
    assert can_list(container, REGULATOR, people.camille) is Mode.regulation
    # ...its own opposition does.
    with acting(container, CAMILLE, people.camille) as access:
        access_services.update_preferences(access, regulation_opposed=True)
    assert can_list(container, REGULATOR, people.camille) is None
    with pytest.raises(NotFound), acting(container, REGULATOR, people.camille) as access:
        access_services.declare_emergency(access, reason="appel au centre 15", regulation=True)


def test_only_a_regulator_declares_a_regulation_access(
    container: Container, people: People
) -> None:
    with pytest.raises(NotFound), acting(container, EMERGENCY, people.camille) as access:
        access_services.declare_emergency(access, reason="appel au centre 15", regulation=True)
    # A regulator's access exists only in regulation mode, and only for a regulator.
    declare(container, REGULATOR, people.camille, regulation=True)
    with transaction(container.sessions) as session:
        professional = session.get(ProfessionalRow, people.professional[REGULATOR])
        assert professional is not None
        professional.regulator = False
    assert can_list(container, REGULATOR, people.camille) is None


def test_a_declaration_needs_a_reason_and_an_open_record(
    container: Container, people: People
) -> None:
    for reason in ("", "urgence", "   court   "):
        with (
            pytest.raises(InvalidInput) as caught,
            acting(container, EMERGENCY, people.camille) as access,
        ):
            access_services.declare_emergency(access, reason=reason)
        assert [e.field for e in caught.value.errors] == ["reason"]
    for email in (BLOCKED, ADMIN, CAMILLE):
        with pytest.raises(NotFound), acting(container, email, people.camille) as access:
            access_services.declare_emergency(access, reason="patient inconscient aux urgences")
    with pytest.raises(NotFound), acting(container, EMERGENCY, people.leo) as access:
        access_services.declare_emergency(access, reason="pas de dossier pour Léo")


# --- Blocking ---------------------------------------------------------------------------------


def test_blocking_removes_access_even_from_the_treating_doctor(
    container: Container, people: People
) -> None:
    masked = file_doc(container, PETIT, people.camille, "masqué", masked=True)
    assert can_list(container, BERNARD, people.camille) is Mode.treating_doctor
    with acting(container, CAMILLE, people.camille) as access:
        access_services.block(access, people.professional[BERNARD])
        assert people.professional[BERNARD] in access.facts.blocked
    assert can_list(container, BERNARD, people.camille) is None
    with pytest.raises(NotFound), acting(container, BERNARD, people.camille) as access:
        documents.get_document(access, masked)
    with pytest.raises(NotFound), acting(container, BERNARD, people.camille) as access:
        documents.file_document(access, storage(container), doc_input(), [pdf("bloqué")])
    with pytest.raises(NotFound), acting(container, BERNARD, people.camille) as access:
        access_services.declare_emergency(access, reason="patient inconscient aux urgences")
    with acting(container, CAMILLE, people.camille) as access:
        access_services.unblock(access, people.professional[BERNARD])
    assert can_list(container, BERNARD, people.camille) is Mode.treating_doctor
    with acting(container, BERNARD, people.camille) as access:
        row, _mode = documents.get_document(access, masked)
        assert row.masked


def test_blocking_a_professional_during_an_emergency_ends_it(
    container: Container, people: People
) -> None:
    declare(container, EMERGENCY, people.camille, regulation=False)
    with acting(container, CAMILLE, people.camille) as access:
        access_services.block(access, people.professional[EMERGENCY])
    assert can_list(container, EMERGENCY, people.camille) is None


def test_an_emergency_is_told_to_the_holder_and_the_treating_doctor(
    container: Container, people: People
) -> None:
    with acting(container, EMERGENCY, people.camille) as access:
        emergency.declare(access, reason="patient inconscient aux urgences", regulation=False)
    assert len(notices(container, CAMILLE, "emergency-access")) == 1
    assert len(notices(container, BERNARD, "emergency-access")) == 1
    # The holder may turn her notice off; the médecin traitant is always told.
    with acting(container, CAMILLE, people.camille) as access:
        access_services.update_preferences(access, notify_emergency=False)
    with acting(container, REGULATOR, people.camille) as access:
        emergency.declare(access, reason="appel au centre 15 pour malaise", regulation=True)
    assert len(notices(container, CAMILLE, "emergency-access")) == 1
    assert notices(container, CAMILLE, "regulation-access") == []
    assert len(notices(container, BERNARD, "emergency-access")) == 1
    assert len(notices(container, BERNARD, "regulation-access")) == 1
    # For a child without an account, the legal representative is told.
    create_record(container, people.leo)
    with acting(container, EMERGENCY, people.leo) as access:
        emergency.declare(access, reason="enfant inconscient aux urgences", regulation=False)
    [for_leo] = [
        n for n in notices(container, CAMILLE, "emergency-access") if n.patient_id == people.leo
    ]
    assert "Léo" in for_leo.params
