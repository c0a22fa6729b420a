"""Linked profiles through the pages and the API: a parent attaches a child with the form and
switches to the child's record (whose name stays shown on every page); what a minor's doctor
keeps from the parents is absent from every door they use."""

from __future__ import annotations

import re
import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient
from helpers_web_records import (
    DemoRecords,
    Login,
    error_text,
    flash,
    links,
    main_of,
    record_owner,
    storage,
)
from sqlalchemy import select

from dmp import demo
from dmp.access.services import Access
from dmp.accounts.queries import account_by_email
from dmp.container import Container
from dmp.identity.orm import PatientRow
from dmp.notifications.adapters import MemoryOutbox
from dmp.notifications.orm import InboxRow
from dmp.records import documents
from dmp.records.documents import DocumentInput
from dmp.shared.clock import FrozenClock
from dmp.shared.context import RequestContext
from dmp.shared.db import transaction
from support import api_tokens, bearer

EMMA_NIR = "215037505612341"


def test_a_parent_attaches_a_child_and_switches_to_her_record(login: Login) -> None:
    camille = login(demo.CAMILLE)
    home = camille.page("/")
    assert 'href="/linked-profiles"' in home  # "Changer de profil", next to the account name
    form = "/linked-profiles/new"
    wrong = camille.submit(
        form,
        form,
        {"birth_name": "MARTIN", "first_given_name": "Emma", "sex": "F", "ins_matricule": "123"},
    )
    assert wrong.status_code == 422
    assert "Saisissez la date de naissance." in error_text(wrong.text)
    done = camille.submit(
        form,
        form,
        {
            "birth_name": "MARTIN",
            "first_given_name": "Emma",
            "sex": "F",
            "birth_date": "2015-03-12",
            "ins_matricule": EMMA_NIR,
            "relationship": "parent",
            "other_birth_name": "MARTIN",
            "other_first_given_name": "Thomas",
            "other_email": "thomas.martin@demo.test",
        },
    )
    page = camille.follow(done)
    assert "L'autre représentant légal a reçu une invitation" in flash(page)
    assert "Emma MARTIN" in page
    assert "thomas.martin@demo.test" in page
    found = re.search(r'href="/records/([0-9a-f-]{36})/documents">Emma MARTIN<', page)
    assert found, page
    child = found.group(1)
    for suffix in ("/documents", "/profile", "/vaccinations", "/history"):
        shown = camille.page(f"/records/{child}{suffix}")
        assert record_owner(shown).startswith("Dossier de Emma MARTIN")
        assert "vous agissez comme représentant légal" in record_owner(shown)


def test_the_minors_confidential_care_is_absent_from_every_door_the_parent_uses(
    login: Login, records: DemoRecords, seeded: Container, app: FastAPI, clock: FrozenClock
) -> None:
    camille = login(demo.CAMILLE)
    base = f"/records/{records.leo}"
    added_before = camille.page(f"{base}/history").count("a ajouté un document")
    told_before = _new_document_notices(seeded, records)
    with transaction(seeded.sessions) as session:
        petit = account_by_email(session, demo.BERNARD.email)
        assert petit is not None
        access = Access(
            session,
            seeded.settings,
            seeded.clock,
            RequestContext(channel="web", account_id=petit.id, roles=petit.role_names),
            petit,
            records.leo,
        )
        secret = documents.file_document(
            access,
            storage(seeded),
            DocumentInput(
                title="Consultation confidentielle",
                type_code="11488-4",
                mime_type="application/pdf",
                facility_type_code="SA07",
                invisible_to_representatives=True,
            ),
            iter([b"%PDF-1.7\n% secret\n%%EOF\n"]),
        ).id
    assert "Consultation confidentielle" not in camille.page(f"{base}/documents")
    camille.get(f"{base}/documents/{secret}", expected=404)
    # The history the parent reads does not show the filing either.
    assert camille.page(f"{base}/history").count("a ajouté un document") == added_before
    with TestClient(app, base_url="http://testserver") as client:
        token = bearer(api_tokens(client, clock, demo.CAMILLE)["access_token"])
        listed = client.get(f"/api/v1/patients/{records.leo}/documents", headers=token)
        assert listed.status_code == 200
        assert str(secret) not in listed.text
        opened = client.get(f"/api/v1/patients/{records.leo}/documents/{secret}", headers=token)
        assert opened.status_code == 404
        profiles = client.get("/api/v1/me/linked-profiles", headers=token).json()
        assert [p["display_name"] for p in profiles["managed"]] == ["Léo MARTIN"]
        again = client.post(
            "/api/v1/me/linked-profiles",
            headers=token,
            json={
                "birth_name": "MARTIN",
                "first_given_name": "Léo",
                "sex": "M",
                "birth_date": "2019-06-14",
                "ins_matricule": demo.LEO_NIR,
            },
        )
        assert again.status_code == 409
        assert again.json()["code"] == "already-linked"
        nobody = client.post(
            f"/api/v1/patients/{records.camille}/delegates",
            headers=token,
            json={"ins_matricule": EMMA_NIR, "birth_date": "2015-03-12", "scope": "read"},
        )
        assert nobody.status_code == 422
        assert (
            client.get(f"/api/v1/patients/{records.camille}/delegates", headers=token).json() == []
        )
    # Nor is the parent told: no notice of a new document on Léo's record.
    assert _new_document_notices(seeded, records) == told_before


def _new_document_notices(container: Container, records: DemoRecords) -> int:
    with transaction(container.sessions) as session:
        account = account_by_email(session, demo.CAMILLE.email)
        assert account is not None
        kinds = session.scalars(
            select(InboxRow.kind).where(
                InboxRow.account_id == account.id, InboxRow.patient_id == records.leo
            )
        ).all()
        return kinds.count("new-document")


def test_an_operator_registers_a_delegate_then_ends_it_after_confirming(
    app: FastAPI, clock: FrozenClock, login: Login, records: DemoRecords, seeded: Container
) -> None:
    from helpers_dmp import ALICE, register_via_api

    with TestClient(app, base_url="http://testserver") as client:
        registered = register_via_api(client, clock)  # Alice, an adult under guardianship
        assert registered.status_code == 201
    with transaction(seeded.sessions) as session:
        alice = session.scalars(
            select(PatientRow.id).where(PatientRow.ins_matricule == ALICE.nir)
        ).one()
    operator = login(demo.ADMIN)
    base = f"/records/{alice}/delegates"
    done = operator.submit(
        f"{base}/new",
        f"{base}/new",
        {
            "ins_matricule": demo.CAMILLE_NIR,
            "birth_date": "1985-03-27",
            "scope": "read",
            "basis": "Jugement TJ Paris 2026/42",
        },
    )
    assert done.status_code == 303, error_text(done.text)
    page = operator.follow(done)
    assert "Camille MARTIN" in main_of(page)
    confirm = next(href for href, _label in links(main_of(page)) if href.endswith("/revoke"))
    assert "Délégation de Camille MARTIN" in operator.page(confirm)
    # Nothing ends until the operator confirms.
    assert "Camille MARTIN" in main_of(operator.page(base))
    ended = operator.submit(confirm, confirm)
    assert ended.status_code == 303
    assert "Camille MARTIN" not in main_of(operator.follow(ended))
    operator.get(f"{base}/{uuid.uuid4()}/revoke", expected=404)


def test_a_parent_invites_the_other_parent_later(
    login: Login, records: DemoRecords, seeded: Container
) -> None:
    camille = login(demo.CAMILLE)
    overview = camille.page("/linked-profiles")
    form = f"/records/{records.leo}/invite-representative"
    assert form in overview
    wrong = camille.submit(form, form, {"other_birth_name": "MARTIN", "other_email": "pas-un-mail"})
    assert wrong.status_code == 422
    assert error_text(wrong.text)
    done = camille.submit(
        form,
        form,
        {
            "other_birth_name": "MARTIN",
            "other_first_given_name": "Paul",
            "other_email": "paul.martin@example.test",
        },
    )
    assert done.status_code == 303, error_text(done.text)
    page = camille.follow(done)
    assert flash(page) == "L'invitation est envoyée par e-mail ; elle est valable 30 jours."
    assert "paul.martin@example.test, pour le profil de Léo MARTIN" in page
    # Only a representative of the child may invite.
    login(demo.BERNARD).get(form, expected=404)


def test_the_api_invites_the_other_parent(
    app: FastAPI, clock: FrozenClock, records: DemoRecords
) -> None:
    url = f"/api/v1/patients/{records.leo}/representative-invitations"
    body = {"birth_name": "MARTIN", "first_given_name": "Paul", "email": "paul@example.test"}
    with TestClient(app, base_url="http://testserver") as client:
        camille = bearer(api_tokens(client, clock, demo.CAMILLE)["access_token"])
        made = client.post(url, json=body, headers=camille)
        assert made.status_code == 201, made.text
        assert made.json()["email"] == "paul@example.test"
        sent = client.get("/api/v1/me/linked-profiles", headers=camille).json()
        assert [i["email"] for i in sent["invitations_sent"]] == ["paul@example.test"]
        bernard = bearer(api_tokens(client, clock, demo.BERNARD)["access_token"])
        assert client.post(url, json=body, headers=bernard).status_code == 404


def test_a_professional_opens_a_childs_own_space_from_the_patient_page(
    login: Login, records: DemoRecords, outbox: MemoryOutbox
) -> None:
    bernard = login(demo.BERNARD)
    page = f"/pro/patients/{records.leo}"
    assert "Espace du patient" in bernard.page(page)
    action = f"{page}/space"
    wrong = bernard.submit(page, action, {"email": "pas-une-adresse"})
    assert wrong.status_code == 422
    assert error_text(wrong.text)
    done = bernard.submit(page, action, {"email": "leo.martin@example.test"})
    assert done.status_code == 303, error_text(done.text)
    after = bernard.follow(done)
    assert flash(after) == "Un code d'activation est envoyé à leo.martin@example.test."
    assert "Espace du patient" not in after  # he has one now (to activate)
    assert re.search(r"\b[0-9A-Z]{4,}", outbox.last("leo.martin@example.test").body)
