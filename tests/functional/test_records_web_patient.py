"""The record's web pages on the holder's side, through the real forms: Camille reads, filters
and adds documents, masks one, manages who can see her record, reads her access history and
her messages, closes and reopens her record; acting for her son Léo, she sees his record but
not what is kept from legal representatives."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from fastapi.testclient import TestClient
from helpers_dmp import text_of
from helpers_matrix import Api, file_ok
from helpers_web_records import (
    ANTECEDENTS,
    BILAN,
    CARDIO,
    RANDOM_ID,
    SUIVI,
    VACCINATION,
    Browser,
    DemoRecords,
    Login,
    block,
    checked,
    document_of,
    documents_of,
    error_text,
    flash,
    has_form,
    hrefs,
    inbox,
    link_to,
    listed_titles,
    main_of,
    modes_of,
    not_found_body,
    query_of,
    record_actions,
    record_nav,
    record_owner,
    resolve,
    section,
    table_rows,
)

from dmp import demo
from dmp.container import Container
from dmp.shared.clock import FrozenClock

BERNARD = demo.BERNARD.email
PETIT = demo.PETIT.email


@pytest.fixture
def camille(login: Login) -> Browser:
    return login(demo.CAMILLE)


@pytest.fixture
def api(client: TestClient, seeded: Container) -> Api:
    return Api(client, seeded)


# --- Documents: list, filters, pages -------------------------------------------------------


def test_the_list_shows_her_documents_newest_first(
    camille: Browser, records: DemoRecords, api: Api, clock: FrozenClock, seeded: Container
) -> None:
    page = camille.page(records.path())
    assert sorted(listed_titles(page)) == sorted([SUIVI, BILAN, CARDIO, ANTECEDENTS])
    assert "4 document(s), du plus récent au plus ancien" in text_of(page)
    assert record_owner(page) == ""  # her own record: the main menu is enough
    rows = dict(zip(listed_titles(page), table_rows(page), strict=True))
    assert "Dr Julien Petit" in rows[CARDIO]
    assert "Déclaré par le patient" in rows[ANTECEDENTS]
    assert "Déclaré par le patient" not in rows[BILAN]

    for title in ("Premier envoi", "Deuxième envoi", "Troisième envoi"):
        clock.advance(minutes=5)
        file_ok(api, BERNARD, records.camille, title)
    titles = listed_titles(camille.page(records.path()))
    assert titles[:3] == ["Troisième envoi", "Deuxième envoi", "Premier envoi"]
    assert len(titles) == 7

    listings = record_actions(seeded, records.camille, "record:document:list")
    assert modes_of(listings) == ["holder", "holder"]


def test_filters_narrow_the_list_and_stay_filled_in(camille: Browser, records: DemoRecords) -> None:
    def titles(**params: str) -> set[str]:
        return set(listed_titles(camille.page(records.path(), **params)))

    # Demo dates (service_start): suivi 20/10, bilan 30/10, cardiologie 19/11, antécédents 29/11.
    assert titles(category="10") == {SUIVI, BILAN, CARDIO}
    assert titles(category="11") == {ANTECEDENTS}
    assert titles(type="DOCPAT01") == {ANTECEDENTS}
    assert titles(type="11502-2") == {BILAN}
    assert titles(since="2026-10-25", until="2026-11-20") == {BILAN, CARDIO}
    assert titles(until="2026-10-20") == {SUIVI}
    assert titles(since="2026-11-20") == {ANTECEDENTS}
    assert titles(category="10", since="2026-11-01") == {CARDIO}
    assert titles(since="31/12/2026") == {SUIVI, BILAN, CARDIO, ANTECEDENTS}  # not a date: ignored

    page = camille.page(records.path(), category="10", since="2026-10-25", until="2026-11-20")
    assert '<option value="10" selected>' in page
    assert 'name="since" value="2026-10-25"' in page
    assert 'name="until" value="2026-11-20"' in page
    assert "2 document(s)" in text_of(page)

    empty = camille.page(records.path(), since="2027-01-01")
    assert listed_titles(empty) == []
    assert "Aucun document ne correspond à ces filtres." in text_of(empty)

    # The type filter should offer the types of the documents the list can show, not only
    # the patient's own types.
    assert '<option value="11502-2"' in camille.page(records.path())

    # By author: the professionals who wrote what she can see, and her own documents.
    page = camille.page(records.path())
    bernard = str(records.professional[demo.BERNARD.email])
    petit = str(records.professional[PETIT])
    author_select = re.search(r'<select[^>]*name="author".*?</select>', page, re.S)
    assert author_select is not None
    assert re.findall(r'<option value="([^"]*)"', author_select.group(0)) == [
        "",
        bernard,
        petit,
        "patient",
    ]
    assert titles(author=bernard) == {SUIVI, BILAN}
    assert titles(author=petit) == {CARDIO}
    assert titles(author="patient") == {ANTECEDENTS}
    assert titles(author="not-an-id") == {SUIVI, BILAN, CARDIO, ANTECEDENTS}  # ignored
    assert f'<option value="{petit}" selected>' in camille.page(records.path(), author=petit)


def test_pages_of_twenty_with_links_that_keep_the_filters(
    camille: Browser, records: DemoRecords, api: Api, clock: FrozenClock
) -> None:
    for number in range(1, 22):
        clock.advance(minutes=1)
        file_ok(api, BERNARD, records.camille, f"Courrier {number:02d}")
    path = records.path()

    first = camille.page(path, category="10")
    assert "24 document(s)" in text_of(first)
    assert listed_titles(first) == [f"Courrier {n:02d}" for n in range(21, 1, -1)]
    pagination = block(first, "nav", "pagination")
    assert "Page 1 sur 2" in text_of(pagination)
    assert "Page précédente" not in text_of(pagination)
    next_href = resolve(path, link_to(pagination, "Page suivante"))
    assert query_of(next_href) == {"category": ["10"], "page": ["2"]}

    second = camille.page(next_href)
    second_titles = listed_titles(second)
    assert second_titles[0] == "Courrier 01"
    assert set(second_titles[1:]) == {SUIVI, BILAN, CARDIO}
    pagination = block(second, "nav", "pagination")
    assert "Page 2 sur 2" in text_of(pagination)
    assert "Page suivante" not in text_of(pagination)
    back = resolve(path, link_to(pagination, "Page précédente"))
    assert query_of(back) == {"category": ["10"], "page": ["1"]}
    assert listed_titles(camille.page(back)) == listed_titles(first)

    everything = camille.page(path)
    assert "25 document(s)" in text_of(everything)
    unfiltered_next = resolve(
        path, link_to(block(everything, "nav", "pagination"), "Page suivante")
    )
    assert query_of(unfiltered_next) == {"page": ["2"]}
    assert len(listed_titles(camille.page(unfiltered_next))) == 5

    short = camille.page(path, category="11")
    assert block(short, "nav", "pagination") == ""  # one page: no pagination at all


def test_a_page_past_the_end_leads_back_to_the_last_page(
    camille: Browser, records: DemoRecords
) -> None:
    """An old bookmark or a shorter list: the last page, not "no documents yet"."""
    past = camille.get(records.path(), expected=303, page="3")
    assert past.headers["location"] == records.path() + "?page=1"
    assert len(listed_titles(camille.page(records.path(), page="1"))) == 4


# --- One document --------------------------------------------------------------------------


def test_a_text_document_shows_its_metadata_and_its_text(
    camille: Browser, records: DemoRecords, seeded: Container
) -> None:
    page = camille.page(records.doc(BILAN))
    text = text_of(main_of(page))
    for expected in (
        "Bilan biologique",
        "CR d'examens biologiques",
        "Compte rendu",
        "30 octobre 2026",
        "Dr Claire Bernard, Médecin (Médecine générale)",
        "Cabinet médical du Parc",
        "À jour",
        "text/plain",
        "Glycémie à jeun : 0,92 g/L",
    ):
        assert expected in text, expected
    assert records.doc(BILAN, "/content?download=1") in hrefs(page)
    assert "Ouvrir le PDF" not in text
    reads = record_actions(seeded, records.camille, "record:document:read")
    assert [r.target for r in reads] == [f"DocumentReference/{records.documents[BILAN]}"]
    assert modes_of(reads) == ["holder"]


def test_content_is_served_with_its_type_and_security_headers(
    camille: Browser, records: DemoRecords, seeded: Container
) -> None:
    page = camille.page(records.doc(SUIVI))
    assert "Ce document s'ouvre dans votre navigateur." in text_of(page)
    href = link_to(page, "Ouvrir le PDF")
    assert href == records.doc(SUIVI, "/content")

    pdf = camille.get(href)
    row = document_of(seeded, records.documents[SUIVI])
    assert pdf.content.startswith(b"%PDF-1.7")
    assert hashlib.sha256(pdf.content).hexdigest() == row.sha256
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-length"] == str(row.size)
    assert pdf.headers["x-content-type-options"] == "nosniff"
    csp = pdf.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src" not in csp
    short = row.id.hex[:8]
    assert pdf.headers["content-disposition"] == f'inline; filename="document-{short}.pdf"'

    download = camille.get(records.doc(SUIVI, "/content"), download="1")
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.content == pdf.content

    text = camille.get(records.doc(BILAN, "/content"))
    assert text.headers["content-type"] == "text/plain; charset=utf-8"
    assert text.content.decode().startswith("Hémogramme : normal.")
    assert text.headers["content-disposition"].startswith("inline;")
    assert text.headers["x-content-type-options"] == "nosniff"

    reads = record_actions(seeded, records.camille, "record:document:read")
    targets = [r.target for r in reads]
    assert targets.count(f"DocumentReference/{row.id}") == 3  # page + open + download
    assert set(modes_of(reads)) == {"holder"}


# --- Adding her own document ---------------------------------------------------------------


def test_she_adds_her_own_document_through_the_form(
    camille: Browser, records: DemoRecords, seeded: Container
) -> None:
    form_path = records.path("/documents/new")
    list_page = camille.page(records.path())
    assert link_to(list_page, "Ajouter un document") == form_path
    form = camille.page(form_path)
    assert 'enctype="multipart/form-data"' in form
    assert 'name="facility_type_code"' not in form  # the holder's side has no such choice
    assert 'name="invisible_to_patient"' not in form
    assert '<option value="DOCPAT02">' in form
    assert '<option value="11488-4">' not in form

    response = camille.submit(
        form_path,
        form_path,
        {
            "title": "Mes vaccins",
            "type_code": "DOCPAT02",
            "service_date": "2026-11-02",
            "comments": "Recopié du carnet de santé",
        },
        files={"file": ("vaccins.txt", "Tétanos : rappel en 2019\n".encode(), "text/plain")},
    )
    assert response.status_code == 303, response.text
    new = [row for row in documents_of(seeded, records.camille) if row.title == "Mes vaccins"]
    assert len(new) == 1
    row = new[0]
    assert response.headers["location"] == records.path(f"/documents/{row.id}")
    assert row.author_patient_id == records.camille
    assert row.author_professional_id is None
    assert (row.type_code, row.class_code, row.mime_type) == ("DOCPAT02", "42", "text/plain")
    assert row.facility_type_code == "EXP_PATIENT"
    assert row.service_start.date().isoformat() == "2026-11-02"

    page = camille.follow(response)
    assert flash(page) == "Le document a été ajouté."
    text = text_of(main_of(page))
    assert "Tétanos : rappel en 2019" in text
    assert "Déclaré par le patient" in text
    assert "2 novembre 2026" in text
    assert "Recopié du carnet de santé" in text
    created = record_actions(seeded, records.camille, "record:document:create")
    assert created[-1].target == f"DocumentReference/{row.id}"
    assert modes_of(created)[-1] == "holder"


@pytest.mark.parametrize(
    ("fields", "upload", "message"),
    [
        pytest.param(
            {"type_code": "11488-4"},
            ("note.txt", b"Une note\n", "text/plain"),
            "Les documents ajoutés par le patient utilisent un type « document patient ».",
            id="professional-type",
        ),
        pytest.param(
            {"type_code": "PAS-UN-TYPE"},
            ("note.txt", b"Une note\n", "text/plain"),
            "Choisissez un type de document de la liste.",
            id="unknown-type",
        ),
        pytest.param({}, ("vide.txt", b"", "text/plain"), "Le fichier est vide.", id="empty-file"),
        pytest.param(
            {},
            ("scan.pdf", b"Ceci n'est pas un PDF\n" * 4, "application/pdf"),
            "Le contenu du fichier ne correspond pas à son type déclaré.",
            id="type-mismatch",
        ),
        pytest.param(
            {},
            ("photo.png", b"%PDF-1.7\n" + b"x" * 64, "image/png"),
            "Le contenu du fichier ne correspond pas à son type déclaré.",
            id="pdf-named-png",
        ),
        pytest.param({}, None, "Choisissez le fichier à ajouter.", id="no-file"),
    ],
)
def test_a_bad_upload_shows_the_form_again_and_files_nothing(
    camille: Browser,
    records: DemoRecords,
    seeded: Container,
    fields: dict[str, str],
    upload: tuple[str, bytes, str] | None,
    message: str,
) -> None:
    before = documents_of(seeded, records.camille)
    form_path = records.path("/documents/new")
    data = {"title": "Mon essai", "type_code": "DOCPAT01", **fields}
    files = {"file": upload} if upload else {"file": ("", b"", "application/octet-stream")}
    response = camille.submit(form_path, form_path, data, files=files)
    assert response.status_code in (400, 422), (response.status_code, response.text[:300])
    assert message in error_text(response.text)
    assert 'name="title" type="text" value="Mon essai"' in response.text  # kept for a retry
    assert has_form(response.text, form_path)
    assert [r.id for r in documents_of(seeded, records.camille)] == [r.id for r in before]
    assert len(record_actions(seeded, records.camille, "record:document:create")) == 4


def test_form_errors_point_at_fields_the_form_has(
    camille: Browser, records: DemoRecords, seeded: Container
) -> None:
    form_path = records.path("/documents/new")
    before = [r.id for r in documents_of(seeded, records.camille)]
    future = camille.submit(
        form_path,
        form_path,
        {"title": "Plus tard", "type_code": "DOCPAT01", "service_date": "2027-01-01"},
        files={"file": ("note.txt", b"Une note\n", "text/plain")},
    )
    assert future.status_code == 422
    assert "Cette date ne peut pas être dans le futur." in error_text(future.text)
    program = camille.submit(
        form_path,
        form_path,
        {"title": "Programme", "type_code": "DOCPAT01"},
        files={"file": ("setup.exe", b"MZ\x90\x00" * 16, "application/x-msdownload")},
    )
    assert program.status_code == 422
    assert [r.id for r in documents_of(seeded, records.camille)] == before

    problems = []
    for response in (future, program):
        targets = re.findall(r'<a href="#(field-[^"]+)"', error_summary_html(response.text))
        problems += [t for t in targets if f'id="{t}"' not in response.text]
    assert problems == []  # every error links to an input of the form
    assert 'href="#field-service_date"' in error_summary_html(future.text)
    assert error_summary_html(future.text).count("<li") == 1  # one date, one error
    assert "pas accepté : envoyez un PDF" in error_summary_html(program.text)

    wordy = camille.submit(
        form_path,
        form_path,
        {"title": "Très long titre " * 20, "type_code": "DOCPAT01"},
        files={"file": ("note.txt", b"Une note\n", "text/plain")},
    )
    assert wordy.status_code == 422  # the form again, with its values, not a bare 400 page
    assert "255 caractères au plus" in error_text(wordy.text)
    assert "Très long titre" in wordy.text
    assert [r.id for r in documents_of(seeded, records.camille)] == before


# --- Masking -------------------------------------------------------------------------------


def error_summary_html(page: str) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    return match.group(0) if match else ""


def test_she_masks_then_unmasks_a_professionals_document(
    camille: Browser, login: Login, records: DemoRecords, seeded: Container
) -> None:
    petit = login(demo.PETIT)  # authorised, not the author, not médecin traitant
    document = records.doc(SUIVI)
    assert SUIVI in listed_titles(petit.page(records.path()))

    mask_path = link_to(camille.page(document), "Masquer ce document aux professionnels")
    assert mask_path == records.doc(SUIVI, "/mask")
    confirm = camille.page(mask_path)
    text = text_of(main_of(confirm))
    assert "Masquer le document aux professionnels" in text
    assert SUIVI in text
    assert "Les professionnels ne verront plus ce document" in text
    assert 'name="masked" value="1"' in confirm
    done = camille.submit(mask_path, mask_path, {"masked": "1"})
    assert done.headers["location"] == document
    page = camille.follow(done)
    assert flash(page) == "Le document est masqué aux professionnels."
    assert "Masqué aux professionnels" in text_of(main_of(page))
    assert document_of(seeded, records.documents[SUIVI]).masked is True

    assert SUIVI not in listed_titles(petit.page(records.path()))
    petit.get(document, expected=404)
    assert listed_titles(camille.page(records.path(), masked="1")) == [SUIVI]

    unmask_path = link_to(camille.page(document), "Ne plus masquer ce document")
    confirm = camille.page(unmask_path)
    assert "Ne plus masquer le document" in text_of(main_of(confirm))
    assert 'name="masked" value=""' in confirm
    page = camille.follow(camille.submit(unmask_path, unmask_path, {"masked": ""}))
    assert flash(page) == "Le document n'est plus masqué."
    assert document_of(seeded, records.documents[SUIVI]).masked is False
    petit.get(document)
    assert listed_titles(camille.page(records.path(), masked="1")) == []

    masks = record_actions(seeded, records.camille, "record:document:mask")
    assert [json.loads(m.details)["masked"] for m in masks] == ["true", "false"]
    assert modes_of(masks) == ["holder", "holder"]


# --- Sharing -------------------------------------------------------------------------------


def sharing_state(api: Api, records: DemoRecords) -> dict[str, object]:
    response = api.get(demo.CAMILLE.email, f"/api/v1/patients/{records.camille}/sharing")
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def names(people: object) -> list[str]:
    assert isinstance(people, list)
    return [person["name"] for person in people]


def test_she_blocks_a_professional_found_by_search_then_unblocks(
    camille: Browser, login: Login, records: DemoRecords, api: Api, seeded: Container
) -> None:
    petit = login(demo.PETIT)
    sharing = records.path("/sharing")
    page = camille.page(sharing)
    assert "Dr Julien Petit" in section(page, "Professionnels autorisés")
    assert "Vous n'avez bloqué aucun professionnel." in section(page, "Professionnels bloqués")

    search = resolve(sharing, link_to(page, "Bloquer un professionnel"))
    assert query_of(search) == {"purpose": ["block"]}
    nothing = camille.page(records.path("/sharing/search"), purpose="block", q="Zzyzx")
    assert "Aucun professionnel trouvé." in text_of(nothing)
    found = camille.page(records.path("/sharing/search"), purpose="block", q="Petit")
    petit_id = records.professional[PETIT]
    choose = records.path(f"/sharing/block/{petit_id}")
    assert choose in hrefs(found)
    assert "Dr Julien Petit" in text_of(main_of(found))
    by_rpps = camille.page(records.path("/sharing/search"), purpose="block", q="10000654321")
    assert choose in hrefs(by_rpps)

    confirm = camille.page(choose)
    assert "Ce professionnel ne pourra plus consulter votre dossier" in text_of(confirm)
    done = camille.submit(choose, choose)
    assert done.headers["location"] == sharing
    page = camille.follow(done)
    assert flash(page) == "Le professionnel est bloqué."
    assert "Dr Julien Petit" in section(page, "Professionnels bloqués")
    assert "Dr Julien Petit" not in section(page, "Professionnels autorisés")
    state = sharing_state(api, records)
    assert names(state["blocked"]) == ["Julien Petit"]
    assert "Julien Petit" not in names(state["authorised"])
    petit.get(records.path(), expected=404)

    unblock = link_to(page, "Débloquer")
    assert unblock == records.path(f"/sharing/unblock/{petit_id}")
    assert "retrouvera les accès" in text_of(camille.page(unblock))
    page = camille.follow(camille.submit(unblock, unblock))
    assert flash(page) == "Le professionnel est débloqué."
    assert "Vous n'avez bloqué aucun professionnel." in section(page, "Professionnels bloqués")
    assert names(sharing_state(api, records)["blocked"]) == []
    assert CARDIO in listed_titles(petit.page(records.path()))

    changes = [
        e.action
        for e in record_actions(seeded, records.camille)
        if e.action.startswith("record:block")
    ]
    assert changes == ["record:block:add", "record:block:remove"]


def test_a_blocked_treating_doctor_is_shown_as_blocked(
    camille: Browser, login: Login, records: DemoRecords
) -> None:
    bernard = login(demo.BERNARD)
    sharing = records.path("/sharing")
    choose = records.path(f"/sharing/block/{records.professional[demo.BERNARD.email]}")
    camille.submit(choose, choose)
    treating = section(camille.page(sharing), "Votre médecin traitant")
    assert "Dr Claire Bernard" in treating
    assert "Vous l'avez bloqué : il ne voit pas votre dossier" in treating
    assert "Il voit tous vos documents" not in treating
    bernard.get(records.path(), expected=404)


def test_she_designates_her_doctor_and_authorises_then_revokes(
    camille: Browser, login: Login, records: DemoRecords, api: Api, seeded: Container
) -> None:
    sharing = records.path("/sharing")
    page = camille.page(sharing)
    assert "Dr Claire Bernard" in section(page, "Votre médecin traitant")
    petit_id = records.professional[PETIT]
    lefevre_id = records.professional[demo.LEFEVRE.email]

    search = resolve(sharing, link_to(page, "Changer de médecin traitant"))
    assert query_of(search) == {"purpose": ["treating-doctor"]}
    found = camille.page(records.path("/sharing/search"), purpose="treating-doctor", q="Petit")
    designate = records.path(f"/sharing/treating-doctor/{petit_id}")
    assert designate in hrefs(found)
    assert "Désigner votre médecin traitant" in text_of(camille.page(designate))
    page = camille.follow(camille.submit(designate, designate))
    assert flash(page) == "Votre médecin traitant est enregistré."
    assert "Dr Julien Petit" in section(page, "Votre médecin traitant")
    state = sharing_state(api, records)
    assert isinstance(state["treating_doctor"], dict)
    assert state["treating_doctor"]["name"] == "Julien Petit"

    found = camille.page(records.path("/sharing/search"), purpose="authorise", q="Hugo")
    authorise = records.path(f"/sharing/authorise/{lefevre_id}")
    assert authorise in hrefs(found)
    assert "Dr Hugo Lefèvre" in text_of(main_of(found))
    page = camille.follow(camille.submit(authorise, authorise))
    assert flash(page) == "Le professionnel est autorisé."
    assert "Dr Hugo Lefèvre" in section(page, "Professionnels autorisés")
    assert "Hugo Lefèvre" in names(sharing_state(api, records)["authorised"])
    lefevre = login(demo.LEFEVRE)
    assert set(listed_titles(lefevre.page(records.path()))) == {SUIVI, BILAN, CARDIO, ANTECEDENTS}

    revoke = records.path(f"/sharing/revoke/{lefevre_id}")
    assert revoke in hrefs(page)
    page = camille.follow(camille.submit(revoke, revoke))
    assert flash(page) == "L'autorisation est retirée."
    assert "Dr Hugo Lefèvre" not in section(page, "Professionnels autorisés")
    assert "Hugo Lefèvre" not in names(sharing_state(api, records)["authorised"])
    lefevre.get(records.path(), expected=404)

    actions = [e.action for e in record_actions(seeded, records.camille)]
    assert actions.count("record:treating-doctor:designate") == 2  # demo seed, then Petit
    assert "record:authorisation:grant" in actions
    assert actions[-1] == "record:authorisation:revoke"


def test_the_search_finds_a_name_typed_with_or_without_its_accent(
    camille: Browser, records: DemoRecords
) -> None:
    search = records.path("/sharing/search")
    choose = records.path(f"/sharing/authorise/{records.professional[demo.LEFEVRE.email]}")
    assert choose in hrefs(camille.page(search, purpose="authorise", q="Hugo"))
    assert choose in hrefs(camille.page(search, purpose="authorise", q="LEF"))
    found = [
        choose in hrefs(camille.page(search, purpose="authorise", q=typed))
        for typed in ("Lefèvre", "Lefevre", "lefèvre")
    ]
    assert found == [True, True, True]


def test_she_changes_her_notification_and_emergency_choices(
    camille: Browser, login: Login, records: DemoRecords, api: Api, seeded: Container
) -> None:
    sharing = records.path("/sharing")
    page = camille.page(sharing)
    assert not checked(page, "emergency_opposed")
    assert checked(page, "notify_new_document")
    lefevre = login(demo.LEFEVRE)  # a doctor with no authorisation on her record
    patient_page = f"/pro/patients/{records.camille}"
    emergency = f"{patient_page}/emergency"
    assert emergency in hrefs(lefevre.page(patient_page))

    preferences = records.path("/sharing/preferences")
    done = camille.submit(
        sharing,
        preferences,
        {"emergency_opposed": "1", "notify_first_access": "1", "notify_emergency": "1"},
    )
    assert done.headers["location"] == sharing
    page = camille.follow(done)
    assert flash(page) == "Vos choix sont enregistrés."
    assert checked(page, "emergency_opposed")
    assert not checked(page, "regulation_opposed")
    assert checked(page, "notify_first_access")
    assert not checked(page, "notify_announcement")
    assert not checked(page, "notify_new_document")
    state = sharing_state(api, records)
    assert state["emergency_opposed"] is True
    assert state["notify_new_document"] is False
    assert state["notify_emergency"] is True

    # Opposed: no emergency access offered, and the form itself answers "not found".
    assert emergency not in hrefs(lefevre.page(patient_page))
    lefevre.get(emergency, expected=404)
    # No more "new document" notices.
    before = len(inbox(seeded, demo.CAMILLE.email))
    file_ok(api, BERNARD, records.camille, "Sans notification")
    assert len(inbox(seeded, demo.CAMILLE.email)) == before

    page = camille.follow(
        camille.submit(sharing, preferences, {"notify_new_document": "1", "notify_emergency": "1"})
    )
    assert not checked(page, "emergency_opposed")
    assert checked(page, "notify_new_document")
    assert emergency in hrefs(lefevre.page(patient_page))
    lefevre.get(emergency)
    updates = record_actions(seeded, records.camille, "record:preferences:update")
    assert modes_of(updates) == ["holder", "holder"]


# --- History and messages ------------------------------------------------------------------


def test_the_history_lists_accesses_with_their_grounds_and_filters(
    camille: Browser, login: Login, records: DemoRecords, seeded: Container
) -> None:
    petit = login(demo.PETIT)
    petit.page(records.doc(CARDIO))  # Petit opens a document: it shows in her history
    history = records.path("/history")
    page = camille.page(history)
    rows = table_rows(page)
    assert any(
        "Dr Julien Petit" in r and "a ouvert un document" in r and "professionnel autorisé" in r
        for r in rows
    )
    assert any("Dr Claire Bernard" in r and "médecin traitant" in r for r in rows)
    assert any("Camille Martin" in r and "titulaire" in r for r in rows)
    assert "de la plus récente à la plus ancienne" in text_of(page)
    assert "a ouvert un document" in rows[0]  # newest first

    authorised = table_rows(camille.page(history, mode="authorised"))
    assert authorised
    assert all(r.endswith("professionnel autorisé") for r in authorised)
    assert '<option value="authorised" selected>' in camille.page(history, mode="authorised")
    holder = table_rows(camille.page(history, mode="holder"))
    assert holder
    assert all("Camille Martin" in r for r in holder)
    professionals = table_rows(camille.page(history, professionals="1"))
    assert professionals
    assert not any("Camille Martin" in r for r in professionals)
    assert len(professionals) + len(holder) == len(rows)
    assert table_rows(camille.page(history, mode="n'importe-quoi")) == rows
    assert table_rows(camille.page(history, since="2026-11-29", until="2026-11-29")) == rows
    later = camille.page(history, since="2026-11-30")
    assert table_rows(later) == []
    assert "Aucune action ne correspond." in text_of(later)
    assert table_rows(camille.page(history, until="2026-11-28")) == []
    # The holder reading her own history is not itself a traced access.
    assert record_actions(seeded, records.camille, "record:history:read") == []


def test_messages_list_the_notices_and_are_marked_read(
    camille: Browser, records: DemoRecords, seeded: Container
) -> None:
    unread = [row for row in inbox(seeded, demo.CAMILLE.email) if row.read_at is None]
    assert len(unread) >= 4
    page = camille.page("/notices")
    text = text_of(main_of(page))
    assert "Votre dossier médical partagé est ouvert" in text
    assert "Un nouveau document est disponible" in text
    assert "Le dossier médical partagé de Léo MARTIN est ouvert" in text  # as his parent
    assert text.count("Nouveau") == len(unread)

    done = camille.submit("/notices", "/notices/read")
    assert done.headers["location"] == "/notices"
    page = camille.follow(done)
    assert flash(page) == "Tous les messages sont marqués comme lus."
    assert "Nouveau" not in text_of(main_of(page))
    assert all(row.read_at is not None for row in inbox(seeded, demo.CAMILLE.email))
    assert has_form(page, "/notices/read")  # the messages stay, read


# --- Closing, reopening, deletion ----------------------------------------------------------


def record_status(api: Api, records: DemoRecords) -> str:
    response = api.get(demo.CAMILLE.email, f"/api/v1/patients/{records.camille}/record")
    assert response.status_code == 200, response.text
    status: str = response.json()["record_status"]
    return status


def test_she_closes_reopens_then_asks_for_deletion(
    camille: Browser, login: Login, records: DemoRecords, api: Api, seeded: Container
) -> None:
    petit = login(demo.PETIT)
    settings = records.path("/record")
    assert link_to(camille.page(records.path("/sharing")), "Fermer mon dossier") == settings
    page = camille.page(settings)
    assert "Votre dossier est ouvert depuis le 29 novembre 2026." in text_of(page)
    close = records.path("/record/close")

    refused = camille.submit(settings, close, {"reason": "   "})
    assert refused.status_code == 422
    assert "Indiquez pourquoi vous fermez votre dossier." in error_text(refused.text)
    assert record_status(api, records) == "open"

    page = camille.follow(camille.submit(settings, close, {"reason": "Je déménage"}))
    assert flash(page).startswith("Votre dossier est fermé.")
    assert "Votre dossier est fermé depuis le 29 novembre 2026." in text_of(page)
    assert "Ses données seront supprimées le 29 novembre 2036" in text_of(page)
    assert record_status(api, records) == "closed"
    petit.get(records.path(), expected=404)
    camille.get(records.path("/sharing"), expected=404)  # nothing to share while closed
    assert "record-closed" in [row.kind for row in inbox(seeded, demo.CAMILLE.email)]

    page = camille.follow(camille.submit(settings, records.path("/record/reopen")))
    assert flash(page) == "Votre dossier est rouvert."
    assert record_status(api, records) == "open"
    petit.get(records.path())

    page = camille.follow(camille.submit(settings, records.path("/record/deletion")))
    assert flash(page).startswith("Votre demande est enregistrée")
    assert "Vous avez demandé la suppression de ses données" in text_of(page)
    assert not has_form(page, records.path("/record/deletion"))
    assert has_form(page, records.path("/record/reopen"))
    assert record_status(api, records) == "closed"
    actions = [
        e.action
        for e in record_actions(seeded, records.camille)
        if e.action.startswith("record:record:")
    ]
    assert actions[-3:] == [
        "record:record:close",
        "record:record:reopen",
        "record:record:deletion-request",
    ]


# --- Acting for Léo ------------------------------------------------------------------------


def test_acting_for_leo_shows_whose_record_and_its_pages(
    camille: Browser, records: DemoRecords, seeded: Container
) -> None:
    documents = records.path("/documents", records.leo)
    page = camille.page(documents)
    assert record_owner(page) == ("Dossier de Léo MARTIN — vous agissez comme représentant légal")
    nav = record_nav(page)
    assert [href for href, _label in nav] == [
        documents,
        records.path("/profile", records.leo),
        records.path("/vaccinations", records.leo),
        records.path("/blood-group", records.leo),
        records.path("/sharing", records.leo),
        records.path("/history", records.leo),
        records.path("/rights", records.leo),
    ]
    assert [label for _href, label in nav] == [
        "Documents",
        "Profil médical",
        "Vaccinations",
        "Groupe sanguin",
        "Accès et confidentialité",
        "Historique des accès",
        "Droits",
    ]
    assert listed_titles(page) == [VACCINATION]
    for href, _label in nav:
        other = camille.page(href)
        assert record_owner(other).startswith("Dossier de Léo MARTIN")
        assert record_nav(other) == nav
    assert "Dr Claire Bernard" in text_of(camille.page(records.path("/history", records.leo)))

    vaccination = f"{documents}/{records.leo_documents[VACCINATION]}"
    assert "calendrier vaccinal" in text_of(camille.page(vaccination))
    reads = record_actions(seeded, records.leo, "record:document:read")
    assert modes_of(reads) == ["representative"]

    # She adds a document for him: filed on his record, in her name, as his representative.
    form = records.path("/documents/new", records.leo)
    done = camille.submit(
        form,
        form,
        {"title": "Allergies de Léo", "type_code": "DOCPAT01"},
        files={"file": ("allergies.txt", b"Allergie aux arachides\n", "text/plain")},
    )
    assert done.status_code == 303, done.text
    page = camille.follow(done)
    assert record_owner(page).startswith("Dossier de Léo MARTIN")
    assert "Allergie aux arachides" in text_of(main_of(page))
    row = next(r for r in documents_of(seeded, records.leo) if r.title == "Allergies de Léo")
    assert row.author_patient_id == records.camille  # the representative, not Léo
    created = record_actions(seeded, records.leo, "record:document:create")
    assert modes_of(created)[-1] == "representative"
    assert "Allergies de Léo" not in [r.title for r in documents_of(seeded, records.camille)]
    history = table_rows(camille.page(records.path("/history", records.leo), mode="representative"))
    assert len(history) == 1
    assert "Camille Martin a ajouté un document représentant légal" in history[0]


def test_the_representative_never_sees_what_is_kept_from_representatives(
    camille: Browser, records: DemoRecords, api: Api, login: Login
) -> None:
    secret = file_ok(
        api,
        BERNARD,
        records.leo,
        "Consultation confidentielle",
        **{"invisible_to_representatives": True},
    )
    shared = file_ok(api, BERNARD, records.leo, "Consultation partagée")
    documents = records.path("/documents", records.leo)
    titles = listed_titles(camille.page(documents))
    assert "Consultation partagée" in titles
    assert "Consultation confidentielle" not in titles
    camille.get(f"{documents}/{shared}")

    random_page = not_found_body(camille.get(f"{documents}/{RANDOM_ID}", expected=404))
    for suffix in ("", "/content", "/content?download=1", "/mask"):
        hidden = camille.get(f"{documents}/{secret}{suffix}", expected=404)
        assert not_found_body(hidden) == random_page, suffix
    assert "Consultation confidentielle" not in camille.page(records.path("/history", records.leo))

    bernard = login(demo.BERNARD)
    page = bernard.page(f"{documents}/{secret}")
    assert "Ce document n'est pas visible par les représentants légaux du patient." in text_of(page)
    assert "Invisible pour les représentants légaux" in text_of(main_of(page))
