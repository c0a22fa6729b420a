"""The record's web pages on the professional's side, through the real forms: finding a patient
by INS and birth date, creating a record, recording consent, filing, replacing, archiving and
deleting a document, the consultation d'annonce, bris de glace, and what the médecin traitant
sees that a merely authorised doctor does not."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient
from helpers_dmp import ALICE, make_nir, register_via_api, text_of
from helpers_matrix import Api, file_ok
from helpers_web_records import (
    BILAN,
    CARDIO,
    PDF,
    SUIVI,
    VACCINATION,
    Browser,
    DemoRecords,
    Login,
    document_of,
    documents_of,
    emergency_banner,
    error_text,
    flash,
    has_form,
    hrefs,
    inbox,
    link_to,
    listed_ids,
    listed_titles,
    main_of,
    modes_of,
    patient_id_of,
    record_actions,
    record_nav,
    record_owner,
    section,
    table_rows,
)
from httpx2 import Response

from dmp import demo
from dmp.container import Container
from dmp.shared.clock import FrozenClock
from dmp.shared.i18n import format_datetime
from support import csrf_of

REASON = "Patiente inconsciente aux urgences, antécédents inconnus"


@pytest.fixture
def petit(login: Login) -> Browser:
    return login(demo.PETIT)


@pytest.fixture
def api(client: TestClient, seeded: Container) -> Api:
    return Api(client, seeded)


def find(browser: Browser, ins: str, day: str, month: str, year: str) -> Response:
    return browser.submit(
        "/pro/patients",
        "/pro/patients",
        {"ins_matricule": ins, "birth_day": day, "birth_month": month, "birth_year": year},
    )


def pdf_upload(name: str = "cr.pdf") -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, PDF, "application/pdf")}


# --- Finding a patient ---------------------------------------------------------------------


def test_a_patient_is_found_by_ins_and_birth_date_only(
    petit: Browser, records: DemoRecords, seeded: Container
) -> None:
    assert link_to(petit.page("/"), "Trouver un patient") == "/pro/patients"

    wrong_date = find(petit, demo.CAMILLE_NIR, "28", "3", "1985")
    unknown = find(petit, make_nir(sex="1", year="70", order="999"), "27", "3", "1985")
    for response in (wrong_date, unknown):
        assert response.status_code == 404
        assert (
            "Aucun patient ne correspond à ce matricule INS et à cette date de naissance."
            in error_text(response.text)
        )
    # Nothing tells a wrong date from an unknown INS: the same page (typed values aside, which
    # are attributes, not text).
    assert text_of(main_of(wrong_date.text)) == text_of(main_of(unknown.text))
    assert record_actions(seeded, records.camille, "record:status:read") == []

    bad_key = find(petit, demo.CAMILLE_NIR[:-2] + "00", "27", "3", "1985")
    assert bad_key.status_code == 422
    assert 'href="#field-ins_matricule"' in bad_key.text
    no_date = find(petit, demo.CAMILLE_NIR, "", "", "")
    assert "Saisissez la date de naissance." in error_text(no_date.text)

    found = find(petit, demo.CAMILLE_NIR, "27", "3", "1985")
    location = found.headers["location"]
    assert location == f"/pro/patients/{records.camille}"
    page = petit.page(location)
    text = text_of(main_of(page))
    for expected in (
        "Camille MARTIN",
        "27 mars 1985",
        "Identité qualifiée",
        "Ouvert",
        "professionnel autorisé",
    ):
        assert expected in text, expected
    assert link_to(page, "Ouvrir le dossier") == f"/records/{records.camille}/documents"
    assert not has_form(page, f"/pro/patients/{records.camille}/consent")
    reads = record_actions(seeded, records.camille, "record:status:read")
    assert [r.target for r in reads] == [f"Record/{records.camille}"]


def test_a_professional_creates_a_record_with_consent(
    client: TestClient, petit: Browser, clock: FrozenClock, seeded: Container
) -> None:
    assert register_via_api(client, clock, ALICE).status_code == 201
    found = find(
        petit,
        ALICE.nir,
        str(ALICE.birth_date.day),
        str(ALICE.birth_date.month),
        str(ALICE.birth_date.year),
    )
    patient_page = found.headers["location"]
    patient_id = patient_id_of(seeded, ALICE.nir)
    assert patient_page == f"/pro/patients/{patient_id}"
    page = petit.page(patient_page)
    assert "Pas encore créé" in text_of(main_of(page))
    create = f"{patient_page}/record"
    assert has_form(page, create)

    refused = petit.submit(patient_page, create, {})
    assert refused.status_code == 422
    assert "Indiquez comment le patient a donné son accord (oral ou écrit)." in error_text(
        refused.text
    )
    api = Api(client, seeded)
    status = api.get(demo.PETIT.email, f"/api/v1/patients/{patient_id}/record").json()
    assert status["record_status"] is None

    created = petit.submit(patient_page, create, {"consent_method": "written"})
    assert created.headers["location"] == f"/records/{patient_id}/documents"
    page = petit.follow(created)
    assert flash(page) == "Le dossier est créé. Le patient en est informé."
    assert "Aucun document pour l'instant." in text_of(main_of(page))
    status = api.get(demo.PETIT.email, f"/api/v1/patients/{patient_id}/record").json()
    assert (status["record_status"], status["my_access"]) == ("open", "authorised")


def test_a_professional_records_the_patients_consent(
    petit: Browser, records: DemoRecords, api: Api, seeded: Container
) -> None:
    found = find(petit, demo.LEO_NIR, "14", "6", "2019")
    patient_page = found.headers["location"]
    assert patient_page == f"/pro/patients/{records.leo}"
    page = petit.page(patient_page)
    text = text_of(main_of(page))
    assert "Vous n'êtes pas autorisé à consulter ce dossier" in text
    assert "Ouvrir le dossier" not in text
    assert f"{patient_page}/emergency" in hrefs(page)
    petit.get(f"/records/{records.leo}/documents", expected=404)

    consent = f"{patient_page}/consent"
    refused = petit.submit(patient_page, consent, {})
    assert refused.status_code == 422
    assert "Indiquez sur quoi repose votre accès." in error_text(refused.text)
    assert (
        api.get(demo.PETIT.email, f"/api/v1/patients/{records.leo}/record").json()["my_access"]
        is None
    )

    done = petit.submit(patient_page, consent, {"basis": "care-team"})
    assert done.headers["location"] == f"/records/{records.leo}/documents"
    page = petit.follow(done)
    assert flash(page) == "L'autorisation du patient est enregistrée."
    assert listed_titles(page) == [VACCINATION]
    status = api.get(demo.PETIT.email, f"/api/v1/patients/{records.leo}/record").json()
    assert status["my_access"] == "authorised"
    grants = record_actions(seeded, records.leo, "record:authorisation:grant")
    assert len(grants) == 1
    assert "care-team" in grants[0].details


# --- Filing and managing documents ---------------------------------------------------------


def test_a_professional_files_a_document_with_metadata_and_visibility(
    petit: Browser, login: Login, records: DemoRecords, seeded: Container
) -> None:
    form_path = f"/records/{records.camille}/documents/new"
    assert link_to(petit.page(f"/records/{records.camille}/documents"), "Ajouter un document") == (
        form_path
    )
    form = petit.page(form_path)
    for field in (
        'name="facility_type_code"',
        'name="confidentiality"',
        'name="masked"',
        'name="invisible_to_patient"',
        'name="invisible_to_representatives"',
        '<option value="11488-4">',
    ):
        assert field in form, field
    fields = {
        "title": "Échographie cardiaque",
        "type_code": "11488-4",
        "service_date": "2026-11-20",
        "facility_type_code": "SA05",
        "confidentiality": "R",
        "masked": "1",
        "invisible_to_representatives": "1",
        "comments": "Contrôle à un an",
    }
    both = petit.submit(form_path, form_path, {**fields, "invisible_to_patient": "1"}, pdf_upload())
    assert both.status_code == 422
    assert "à la fois masqué aux professionnels et invisible pour le patient" in error_text(
        both.text
    )
    future = petit.submit(
        form_path, form_path, {**fields, "service_date": "2027-01-01"}, pdf_upload()
    )
    assert "Cette date ne peut pas être dans le futur." in error_text(future.text)
    assert "Échographie cardiaque" not in [r.title for r in documents_of(seeded, records.camille)]

    done = petit.submit(form_path, form_path, fields, pdf_upload())
    assert done.status_code == 303, done.text
    row = next(
        r for r in documents_of(seeded, records.camille) if r.title == "Échographie cardiaque"
    )
    assert done.headers["location"] == f"/records/{records.camille}/documents/{row.id}"
    assert (row.type_code, row.facility_type_code, row.confidentiality) == ("11488-4", "SA05", "R")
    assert (row.masked, row.invisible_to_patient, row.invisible_to_representatives) == (
        True,
        False,
        True,
    )
    assert row.author_professional_id == records.professional[demo.PETIT.email]
    assert row.comments == "Contrôle à un an"
    assert row.service_start.date() == dt.date(2026, 11, 20)

    page = petit.follow(done)
    text = text_of(main_of(page))
    assert flash(page) == "Le document a été ajouté."
    for expected in (
        "Masqué aux professionnels",
        "Invisible pour les représentants légaux",
        "Ce document n'est pas visible par les représentants légaux du patient.",
        "20 novembre 2026",
        "Dr Julien Petit, Médecin (Cardiologie et maladies vasculaires)",
        "Contrôle à un an",
        "application/pdf",
    ):
        assert expected in text, expected
    assert "Remplacer par une nouvelle version" in text
    assert "Changer la visibilité" in text

    # Masked: the holder and the médecin traitant see it; the author too.
    camille = login(demo.CAMILLE)
    assert "Échographie cardiaque" in listed_titles(
        camille.page(f"/records/{records.camille}/documents")
    )
    bernard = login(demo.BERNARD)
    bernard.get(f"/records/{records.camille}/documents/{row.id}")
    created = record_actions(seeded, records.camille, "record:document:create")
    assert created[-1].target == f"DocumentReference/{row.id}"
    assert modes_of(created)[-1] == "authorised"


def test_replacing_a_document_keeps_both_versions(
    petit: Browser, login: Login, records: DemoRecords, seeded: Container
) -> None:
    old_id = records.documents[CARDIO]
    old_page = f"/records/{records.camille}/documents/{old_id}"
    replace = link_to(petit.page(old_page), "Remplacer par une nouvelle version")
    assert replace == f"{old_page}/replace"
    form = petit.page(replace)
    assert 'name="title" type="text" value="Consultation de cardiologie"' in form
    assert 'name="version" value="1"' in form
    fields = {
        "title": "Consultation de cardiologie (corrigée)",
        "type_code": "11488-4",
        "service_date": "2026-11-19",
        "facility_type_code": "SA05",
        "confidentiality": "N",
    }
    stale = petit.submit(replace, replace, {**fields, "version": "7"}, pdf_upload())
    assert stale.status_code == 412
    assert "Ce document a changé depuis que vous l'avez ouvert" in error_text(stale.text)

    done = petit.submit(replace, replace, {**fields, "version": "1"}, pdf_upload("v2.pdf"))
    assert done.status_code == 303, done.text
    new = next(r for r in documents_of(seeded, records.camille) if r.replaces_id == old_id)
    assert done.headers["location"] == f"/records/{records.camille}/documents/{new.id}"
    assert document_of(seeded, old_id).status == "deprecated"
    assert (new.series_number, new.status) == (2, "approved")

    page = petit.follow(done)
    assert flash(page).startswith("La nouvelle version du document a été ajoutée")
    versions = section(page, "Versions")
    assert "Consultation de cardiologie" in versions
    assert "Cette version" in versions
    assert old_page in hrefs(page)
    old = petit.page(old_page)
    assert "Version remplacée" in text_of(main_of(old))
    assert "Remplacer par une nouvelle version" not in text_of(old)
    assert f"/records/{records.camille}/documents/{new.id}" in hrefs(old)

    camille = login(demo.CAMILLE)  # the holder sees both versions too
    holder_view = camille.page(f"/records/{records.camille}/documents/{new.id}")
    assert old_page in hrefs(holder_view)
    assert "Cette version" in section(holder_view, "Versions")

    listed = listed_ids(petit.page(f"/records/{records.camille}/documents"))
    assert str(new.id) in listed
    assert str(old_id) not in listed
    with_old = listed_ids(petit.page(f"/records/{records.camille}/documents", deprecated="1"))
    assert {str(new.id), str(old_id)} <= set(with_old)
    replaced = record_actions(seeded, records.camille, "record:document:replace")
    assert [r.target for r in replaced] == [f"DocumentReference/{new.id}"]
    assert json.loads(replaced[0].details)["replaces"] == str(old_id)


def test_the_author_archives_then_deletes_a_document(
    petit: Browser, records: DemoRecords, seeded: Container
) -> None:
    document_id = records.documents[CARDIO]
    document = f"/records/{records.camille}/documents/{document_id}"
    status = f"{document}/status"
    documents = f"/records/{records.camille}/documents"

    archived = petit.submit(document, status, {"status": "archived", "version": "1"})
    assert archived.headers["location"] == document
    page = petit.follow(archived)
    assert flash(page) == "Le document est archivé."
    assert "Archivé" in text_of(main_of(page))
    assert "Désarchiver" in text_of(page)
    assert document_of(seeded, document_id).status == "archived"
    assert CARDIO not in listed_titles(petit.page(documents))
    assert CARDIO in listed_titles(petit.page(documents, archived="1"))

    page = petit.follow(petit.submit(document, status, {"status": "approved", "version": "2"}))
    assert flash(page) == "Le document n'est plus archivé."
    assert document_of(seeded, document_id).status == "approved"

    delete = link_to(page, "Supprimer ce document")
    assert delete == f"{document}/delete"
    confirm = petit.page(delete)
    assert "Sa trace reste dans l'historique des accès." in text_of(confirm)
    assert 'name="status" value="deleted"' in confirm
    done = petit.submit(delete, status, {"status": "deleted", "version": "3"})
    assert done.headers["location"] == documents
    page = petit.follow(done)
    assert flash(page) == "Le document a été supprimé."
    assert CARDIO not in listed_titles(page)
    assert CARDIO not in listed_titles(petit.page(documents, archived="1", deprecated="1"))
    petit.get(document, expected=404)
    assert document_of(seeded, document_id).status == "deleted"
    actions = [
        e.action
        for e in record_actions(seeded, records.camille)
        if e.target == f"DocumentReference/{document_id}"
    ]
    for expected in (
        "record:document:archive",
        "record:document:unarchive",
        "record:document:delete",
    ):
        assert expected in actions


def test_the_author_changes_the_visibility_of_a_document(
    petit: Browser, login: Login, records: DemoRecords, seeded: Container
) -> None:
    document_id = records.documents[CARDIO]
    document = f"/records/{records.camille}/documents/{document_id}"
    visibility = link_to(petit.page(document), "Changer la visibilité")
    assert visibility == f"{document}/visibility"
    form = petit.page(visibility)
    assert 'name="version" value="1"' in form

    both = petit.submit(
        visibility, visibility, {"masked": "1", "invisible_to_patient": "1", "version": "1"}
    )
    assert both.status_code == 422
    assert "à la fois masqué aux professionnels et invisible pour le patient" in error_text(
        both.text
    )
    assert document_of(seeded, document_id).masked is False

    done = petit.submit(visibility, visibility, {"masked": "1", "version": "1"})
    assert done.headers["location"] == document
    page = petit.follow(done)
    assert flash(page) == "La visibilité du document est enregistrée."
    assert "Masqué aux professionnels" in text_of(main_of(page))
    row = document_of(seeded, document_id)
    assert (row.masked, row.invisible_to_patient, row.invisible_to_representatives) == (
        True,
        False,
        False,
    )
    flags = record_actions(seeded, records.camille, "record:document:flags")
    assert json.loads(flags[-1].details)["masked"] == "true"
    # Masked by its author: the médecin traitant still sees it, the holder too.
    assert CARDIO in listed_titles(
        login(demo.BERNARD).page(f"/records/{records.camille}/documents")
    )
    assert CARDIO in listed_titles(
        login(demo.CAMILLE).page(f"/records/{records.camille}/documents")
    )


MANAGE_POSTS = [
    ("/status", {"status": "deleted"}),
    ("/status", {"status": "archived"}),
    ("/visibility", {"masked": "1"}),
    ("/replace", {"title": "Piraté", "type_code": "11488-4", "facility_type_code": "SA07"}),
]


def test_a_non_author_has_no_manage_buttons_and_manage_routes_answer_404(
    petit: Browser, login: Login, records: DemoRecords, seeded: Container
) -> None:
    document_id = records.documents[SUIVI]  # Dr Bernard's
    document = f"/records/{records.camille}/documents/{document_id}"
    page = petit.page(document)
    text = text_of(main_of(page))
    for absent in (
        "Remplacer par une nouvelle version",
        "Changer la visibilité",
        "Archiver",
        "Supprimer ce document",
        "Masquer ce document",
    ):
        assert absent not in text, absent
    for suffix in ("/replace", "/delete", "/visibility", "/mask"):
        petit.get(document + suffix, expected=404)

    before = document_of(seeded, document_id)
    token = csrf_of(petit.page(document))  # a valid token: only the route's rules refuse
    for suffix, data in MANAGE_POSTS:
        response = petit.client.post(
            document + suffix, data={**data, "csrf_token": token}, files=pdf_upload()
        )
        assert response.status_code == 404, (suffix, response.status_code)
    after = document_of(seeded, document_id)
    assert (after.status, after.masked, after.version) == (before.status, before.masked, 1)
    assert [r.title for r in documents_of(seeded, records.camille)].count("Piraté") == 0

    # The holder manages only her own documents: for a professional's, only masking.
    camille = login(demo.CAMILLE)
    text = text_of(main_of(camille.page(document)))
    assert "Masquer ce document aux professionnels" in text
    assert "Remplacer par une nouvelle version" not in text
    assert "Supprimer ce document" not in text
    camille.get(f"{document}/delete", expected=404)


def test_the_announcement_makes_the_document_visible_to_the_patient(
    petit: Browser, login: Login, records: DemoRecords, seeded: Container
) -> None:
    form_path = f"/records/{records.camille}/documents/new"
    done = petit.submit(
        form_path,
        form_path,
        {
            "title": "Résultat d'anatomopathologie",
            "type_code": "11488-4",
            "facility_type_code": "SA05",
            "confidentiality": "N",
            "invisible_to_patient": "1",
        },
        pdf_upload(),
    )
    document = done.headers["location"]
    document_id = document.rsplit("/", 1)[1]
    camille = login(demo.CAMILLE)
    documents = f"/records/{records.camille}/documents"
    assert "Résultat d'anatomopathologie" not in listed_titles(camille.page(documents))
    camille.get(document, expected=404)
    camille.get(f"{document}/content", expected=404)
    new_document_notices = len(
        [n for n in inbox(seeded, demo.CAMILLE.email) if n.kind == "new-document"]
    )

    page = petit.page(document)
    assert "Le patient ne voit pas encore ce document" in text_of(main_of(page))
    assert "Invisible pour le patient" in text_of(main_of(page))
    announcement = f"{document}/announcement"
    assert has_form(page, announcement)
    done = petit.submit(document, announcement)
    assert done.headers["location"] == document
    page = petit.follow(done)
    assert flash(page).startswith("La consultation d'annonce est enregistrée")
    assert not has_form(page, announcement)
    assert "Le patient ne voit pas encore ce document" not in text_of(main_of(page))
    row = document_of(seeded, document_id)
    assert row.announced_at is not None
    assert row.announced_by == records.professional[demo.PETIT.email]

    assert "Résultat d'anatomopathologie" in listed_titles(camille.page(documents))
    camille.get(document)
    notices = [n for n in inbox(seeded, demo.CAMILLE.email) if n.kind == "new-document"]
    assert len(notices) == new_document_notices + 1
    assert modes_of(record_actions(seeded, records.camille, "record:announcement:record")) == [
        "authorised"
    ]


# --- Bris de glace -------------------------------------------------------------------------


def test_emergency_access_needs_a_reason_and_shows_its_banner_until_ended(
    login: Login, records: DemoRecords, clock: FrozenClock, seeded: Container
) -> None:
    lefevre = login(demo.LEFEVRE)  # no authorisation on Camille's record
    patient_page = f"/pro/patients/{records.camille}"
    documents = f"/records/{records.camille}/documents"
    lefevre.get(documents, expected=404)
    emergency = link_to(lefevre.page(patient_page), "Accès d'urgence (bris de glace)")
    assert emergency == f"{patient_page}/emergency"
    form = lefevre.page(emergency)
    assert "Cet accès dure 4 heures." in text_of(form)

    unconfirmed = lefevre.submit(emergency, emergency, {"reason": REASON})
    assert unconfirmed.status_code == 422
    assert "Confirmez que le patient ne peut pas exprimer sa volonté" in error_text(
        unconfirmed.text
    )
    short = lefevre.submit(emergency, emergency, {"reason": "vite", "confirmed": "1"})
    assert short.status_code == 422
    assert "10 caractères au moins" in error_text(short.text)
    assert record_actions(seeded, records.camille, "record:emergency:declare") == []
    lefevre.get(documents, expected=404)

    started = clock.now()
    done = lefevre.submit(emergency, emergency, {"reason": REASON, "confirmed": "1"})
    assert done.headers["location"] == documents
    until = format_datetime(started + dt.timedelta(hours=4), "fr")
    pages = [
        documents,
        f"{documents}/{records.documents[BILAN]}",
        patient_page,
    ]
    for path in pages:
        banner = emergency_banner(lefevre.page(path))
        assert "Accès d'urgence (bris de glace) en cours" in banner, path
        assert f"Motif : {REASON}." in banner
        assert f"Fin de l'accès : {until}." in banner
        assert "Terminer l'accès d'urgence" in banner
    assert "urgence (bris de glace)" in text_of(main_of(lefevre.page(patient_page)))
    clock.advance(minutes=20)  # still running, same end
    assert f"Fin de l'accès : {until}." in emergency_banner(lefevre.page(documents))
    declared = record_actions(seeded, records.camille, "record:emergency:declare")
    assert modes_of(declared) == ["emergency"]
    assert json.loads(declared[0].details)["reason"] == REASON
    for email in (demo.CAMILLE.email, demo.BERNARD.email):  # holder and médecin traitant
        assert "emergency-access" in [n.kind for n in inbox(seeded, email)], email
    assert "emergency-access" not in [n.kind for n in inbox(seeded, demo.PETIT.email)]

    camille = login(demo.CAMILLE)
    history = table_rows(camille.page(f"/records/{records.camille}/history", mode="emergency"))
    assert any("Dr Hugo Lefèvre" in r and REASON in r for r in history)
    assert emergency_banner(camille.page(documents)) == ""  # the banner is the professional's

    end = f"{patient_page}/emergency/end"
    assert has_form(lefevre.page(documents), end)
    ended = lefevre.submit(documents, end)
    assert ended.headers["location"] == patient_page
    page = lefevre.follow(ended)
    assert flash(page) == "L'accès d'urgence est terminé."
    assert emergency_banner(page) == ""
    assert "Vous n'êtes pas autorisé à consulter ce dossier" in text_of(main_of(page))
    lefevre.get(documents, expected=404)
    lefevre.get(f"{documents}/{records.documents[BILAN]}", expected=404)
    assert modes_of(record_actions(seeded, records.camille, "record:emergency:end")) == [
        "emergency"
    ]


# --- Médecin traitant and authorised doctor ------------------------------------------------


def test_only_the_treating_doctor_gets_the_history(
    petit: Browser, login: Login, records: DemoRecords, seeded: Container
) -> None:
    bernard = login(demo.BERNARD)
    documents = f"/records/{records.camille}/documents"
    history = f"/records/{records.camille}/history"

    page = bernard.page(documents)
    assert record_owner(page) == "Dossier de Camille MARTIN"
    nav = {label: href for href, label in record_nav(page)}
    assert nav.get("Historique des accès") == history
    assert nav.get("Documents") == documents
    assert "Accès et confidentialité" not in nav
    rows = table_rows(bernard.page(history))
    assert any("Dr Claire Bernard" in r and "médecin traitant" in r for r in rows)
    reads = record_actions(seeded, records.camille, "record:history:read")
    assert modes_of(reads) == ["treating-doctor"]

    page = petit.page(documents)
    nav = {label: href for href, label in record_nav(page)}
    assert "Historique des accès" not in nav
    assert history not in hrefs(page)
    petit.get(history, expected=404)
    assert len(record_actions(seeded, records.camille, "record:history:read")) == 1


def test_the_masked_filter_is_offered_to_the_treating_doctor_and_holder_only(
    petit: Browser, login: Login, records: DemoRecords, api: Api
) -> None:
    masked_id = file_ok(api, demo.BERNARD.email, records.camille, "Note masquée", masked=True)
    documents = f"/records/{records.camille}/documents"
    bernard = login(demo.BERNARD)
    camille = login(demo.CAMILLE)
    label = "Seulement les documents masqués aux professionnels"
    for browser in (bernard, camille):
        page = browser.page(documents)
        assert label in text_of(page)
        assert listed_ids(browser.page(documents, masked="1")) == [masked_id]
    page = petit.page(documents)
    assert label not in text_of(page)
    assert 'name="masked"' not in page
    assert "Note masquée" not in listed_titles(page)
    assert listed_ids(petit.page(documents, masked="1")) == []
    petit.get(f"{documents}/{masked_id}", expected=404)
