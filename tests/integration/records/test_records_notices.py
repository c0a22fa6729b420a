"""Who is told what, and in which words: representatives never hear of a document kept from
them, a regulation-centre access is not called a bris de glace, a representative reads the
child's name rather than "your record", and dates and languages are the reader's."""

from __future__ import annotations

import pytest
from helpers_records import (
    BERNARD,
    CAMILLE,
    EMERGENCY,
    PETIT,
    REGULATOR,
    People,
    acting,
    create_record,
    file_doc,
    notices,
    outbox_rows,
    seed_people,
    share_camille,
)

from dmp.access import services as access_services
from dmp.container import Container
from dmp.jobs import tasks
from dmp.notifications.services import notice_text
from dmp.records import emergency
from dmp.shared.clock import FrozenClock


@pytest.fixture
def people(container: Container) -> People:
    found = seed_people(container)
    create_record(container, found.camille)
    share_camille(container, found)
    create_record(container, found.leo)
    return found


# --- Documents kept from legal representatives --------------------------------------------


def test_the_visibility_jobs_never_tell_representatives_of_a_document_kept_from_them(
    container: Container, people: People, clock: FrozenClock
) -> None:
    """Léo has no account: Camille, his mother, is told of his record. A document filed
    invisible to him *and* to his representatives must not reach her, even as a notice."""
    file_doc(
        container,
        PETIT,
        people.leo,
        "consultation confidentielle",
        invisible_to_patient=True,
        invisible_to_representatives=True,
    )
    file_doc(container, PETIT, people.leo, "résultat", invisible_to_patient=True)

    def about_leo(kind: str) -> int:
        return len([n for n in notices(container, CAMILLE, kind) if n.patient_id == people.leo])

    new_documents_before = about_leo("new-document")
    clock.advance(days=14)
    assert tasks.announcement_notices(container.sessions, container.settings, clock) == 2
    assert about_leo("announcement-pending") == 1  # the second document only
    clock.advance(days=16)
    assert tasks.automatic_visibility(container.sessions, container.settings, clock) == 2
    assert about_leo("new-document") == new_documents_before + 1


# --- Regulation centre ----------------------------------------------------------------------


def test_a_regulation_access_has_its_own_notice(container: Container, people: People) -> None:
    with acting(container, REGULATOR, people.camille) as access:
        emergency.declare(access, reason="appel au centre 15 pour malaise", regulation=True)
    assert notices(container, CAMILLE, "emergency-access") == []
    assert notices(container, BERNARD, "emergency-access") == []
    [for_camille] = notices(container, CAMILLE, "regulation-access")
    [for_doctor] = notices(container, BERNARD, "regulation-access")
    for row in (for_camille, for_doctor):
        for language in ("fr", "en"):
            title, text = notice_text(row, language)
            assert "bris de glace" not in (title + text).lower()
            assert "break the glass" not in (title + text).lower()
    title, text = notice_text(for_camille, "fr")
    assert "régulat" in (title + text)
    assert "centre 15" in text
    title, text = notice_text(for_camille, "en")
    assert "call centre" in (title + text)
    assert "29 November 2026" in text
    mails = [m for m in outbox_rows(container, CAMILLE) if "régulat" in m.subject + m.body]
    assert len(mails) == 1
    assert "bris de glace" not in mails[0].body
    # A bris de glace keeps its own notice.
    with acting(container, EMERGENCY, people.camille) as access:
        emergency.declare(access, reason="patient inconscient aux urgences", regulation=False)
    assert len(notices(container, CAMILLE, "emergency-access")) == 1
    assert len(notices(container, BERNARD, "emergency-access")) == 1


def test_the_holder_may_turn_regulation_notices_off_but_not_for_the_treating_doctor(
    container: Container, people: People
) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        access_services.update_preferences(access, notify_emergency=False)
    with acting(container, REGULATOR, people.camille) as access:
        emergency.declare(access, reason="appel au centre 15 pour malaise", regulation=True)
    assert notices(container, CAMILLE, "regulation-access") == []
    assert len(notices(container, BERNARD, "regulation-access")) == 1


# --- Words, dates and languages -------------------------------------------------------------


def test_a_representative_reads_the_childs_name_not_your_record(
    container: Container, people: People
) -> None:
    [own] = [
        n for n in notices(container, CAMILLE, "record-created") if n.patient_id == people.camille
    ]
    [child] = [
        n for n in notices(container, CAMILLE, "record-created") if n.patient_id == people.leo
    ]
    title, text = notice_text(own, "fr")
    assert title == "Votre dossier médical partagé est ouvert"
    assert text.startswith("Votre dossier médical partagé a été ouvert le")
    for language, yours in (("fr", "votre dossier"), ("en", "your ")):
        title, text = notice_text(child, language)
        assert "Léo" in title
        assert "Léo" in text
        assert yours not in (title + text).lower()
    # The e-mail says the same.
    mails = [m for m in outbox_rows(container, CAMILLE) if "Léo" in m.subject]
    assert len(mails) == 1
    assert "votre dossier" not in mails[0].body.lower()
    assert "Léo" in mails[0].body


def test_a_document_notice_to_a_representative_names_the_child_and_nothing_medical(
    container: Container, people: People
) -> None:
    file_doc(container, PETIT, people.leo, "Compte rendu de psychiatrie")
    [row] = [n for n in notices(container, CAMILLE, "new-document") if n.patient_id == people.leo]
    assert "psychiatrie" not in row.params
    for language in ("fr", "en"):
        title, text = notice_text(row, language)
        assert "Léo" in text
        assert "psychiatr" not in (title + text).lower()


def test_dates_are_written_in_the_readers_language_when_read(
    container: Container, people: People
) -> None:
    [row] = [
        n for n in notices(container, CAMILLE, "record-created") if n.patient_id == people.camille
    ]
    assert "novembre" not in row.params  # stored raw, formatted when shown
    assert notice_text(row, "fr")[1].endswith("le 29 novembre 2026.")
    assert notice_text(row, "en")[1].endswith("on 29 November 2026.")


def test_e_mails_fall_back_to_the_configured_language(
    container: Container, people: People, clock: FrozenClock
) -> None:
    english = container.settings.model_copy(update={"default_language": "en"})
    with acting(container, EMERGENCY, people.camille, settings=english) as access:
        emergency.declare(access, reason="patient inconscient aux urgences", regulation=False)
    [mail] = [m for m in outbox_rows(container, CAMILLE) if "mergency" in m.subject]
    assert mail.subject == "Emergency access to a record"
    assert "29 November 2026" in mail.body
    # The worker's jobs too.
    file_doc(container, PETIT, people.camille, "biopsie", invisible_to_patient=True)
    clock.advance(days=14)
    assert tasks.announcement_notices(container.sessions, english, clock) == 1
    subjects = [m.subject for m in outbox_rows(container, CAMILLE)]
    assert subjects[-1] == "Your record has been updated"
