"""Rules fixed after the first review of the record services."""

from __future__ import annotations

import pytest
from helpers_records import (
    BERNARD,
    CAMILLE,
    PETIT,
    STRANGER,
    People,
    acting,
    create_record,
    document_rows,
    file_doc,
    notices,
    seed_people,
)
from sqlalchemy import select

from dmp.access import services as access_services
from dmp.access.orm import EmergencyAccessRow
from dmp.container import Container
from dmp.jobs import tasks
from dmp.records import documents, lifecycle
from dmp.records.rotation import rewrap_all
from dmp.shared.clock import FrozenClock
from dmp.shared.db import transaction
from dmp.shared.errors import Conflict, NotFound


@pytest.fixture
def people(container: Container) -> People:
    seeded = seed_people(container)
    create_record(container, seeded.camille)
    create_record(container, seeded.leo)
    return seeded


def test_rotation_does_not_change_what_clients_hold_as_etag(
    container: Container, people: People
) -> None:
    file_doc(container, PETIT, people.camille, "doc")
    before = {r.id: r.version for r in document_rows(container)}
    assert rewrap_all(container.sessions, container.keks.with_new_key()) == 1
    assert {r.id: r.version for r in document_rows(container)} == before


def test_a_parent_hears_about_the_childs_record(container: Container, people: People) -> None:
    """Léo has no account: Camille, his legal representative, is told in his place."""
    assert notices(container, CAMILLE, "record-created")  # both records
    file_doc(container, PETIT, people.leo, "bilan")
    assert notices(container, CAMILLE, "new-document")
    before = len(notices(container, CAMILLE, "first-access"))
    with acting(container, BERNARD, people.leo) as access:
        access_services.record_consent(access, care_team=True)
    with acting(container, BERNARD, people.leo) as access:
        documents.list_documents(access, documents.DocumentQuery())
    assert len(notices(container, CAMILLE, "first-access")) == before + 1


def test_documents_invisible_to_representatives_are_not_announced_to_them(
    container: Container, people: People
) -> None:
    before = len(notices(container, CAMILLE, "new-document"))
    file_doc(container, PETIT, people.leo, "secret", invisible_to_representatives=True)
    assert len(notices(container, CAMILLE, "new-document")) == before


def test_a_closed_record_gets_no_update_notice(
    container: Container, people: People, clock: FrozenClock
) -> None:
    file_doc(container, PETIT, people.camille, "en attente", invisible_to_patient=True)
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.close(access, reason="je n'en veux plus")
    clock.advance(days=15)
    before = len(notices(container, CAMILLE, "announcement-pending"))
    tasks.announcement_notices(container.sessions, container.settings, clock)
    clock.advance(days=20)
    tasks.automatic_visibility(container.sessions, container.settings, clock)
    assert len(notices(container, CAMILLE, "announcement-pending")) == before
    assert not [
        n for n in notices(container, CAMILLE, "new-document") if n.created_at >= clock.now()
    ]


def test_purge_removes_emergency_reasons(
    container: Container, people: People, clock: FrozenClock
) -> None:
    with acting(container, STRANGER, people.camille) as access:
        access_services.declare_emergency(access, reason="Patiente inconsciente, urgences")
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.request_deletion(access)
    clock.advance(days=91)
    assert tasks.purge_records(container.sessions, container.blobs, clock) == 1
    with transaction(container.sessions) as session:
        left = session.scalars(
            select(EmergencyAccessRow).where(EmergencyAccessRow.patient_id == people.camille)
        ).all()
    assert left == []


def test_the_treating_doctor_cannot_also_get_extended_rights(
    container: Container, people: People
) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        access_services.designate_treating_doctor(access, people.professional[BERNARD])
    with pytest.raises(Conflict), acting(container, CAMILLE, people.camille) as access:
        access_services.grant_extended_rights(access, people.professional[BERNARD])


def test_masking_a_document_hidden_from_the_holder_reveals_nothing(
    container: Container, people: People
) -> None:
    hidden = file_doc(container, PETIT, people.camille, "annonce", invisible_to_patient=True)
    with pytest.raises(NotFound), acting(container, CAMILLE, people.camille) as access:
        documents.set_masked(access, hidden, True)


def test_an_announcement_respects_the_new_document_notice_choice(
    container: Container, people: People
) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        access_services.update_preferences(access, notify_new_document=False)
    hidden = file_doc(container, PETIT, people.camille, "résultat", invisible_to_patient=True)
    before = len(notices(container, CAMILLE, "new-document"))
    with acting(container, PETIT, people.camille) as access:
        documents.record_announcement(access, hidden)
    assert len(notices(container, CAMILLE, "new-document")) == before
