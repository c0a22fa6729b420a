"""Directives anticipées in the browser and over REST: Camille writes hers with the guided form,
reviews them, signs with her password, a new version prevails, she revokes them; her doctor
finds the EXPPAT_3 document; a parent cannot write directives for a child."""

from __future__ import annotations

import base64
import json

from fastapi.testclient import TestClient
from helpers_dmp import text_of
from helpers_web_records import (
    Browser,
    DemoRecords,
    Login,
    documents_of,
    error_text,
    flash,
    record_actions,
    record_nav,
)

from dmp import demo
from dmp.container import Container
from dmp.shared.clock import FrozenClock
from support import api_tokens, bearer, csrf_of

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)

ANSWERS = {
    "author.surname": "Martin",
    "author.first_names": "Camille Anne",
    "author.birth_day": "27",
    "author.birth_month": "3",
    "author.birth_year": "1985",
    "author.birth_place": "Paris",
    "situation": "healthy",
    "treatments.cardiopulmonary-resuscitation": "refuse",
    "treatments.mechanical-ventilation": "limit",
    "sedation": "yes",
    "other_wishes": "Finir ma vie à la maison.",
}
SIGNING = {"place": "Lyon", "typed_name": "Camille Martin", "password": demo.DEMO_PASSWORD}


def post(browser: Browser, page_path: str, action: str, data: dict[str, str], **kw: object):  # type: ignore[no-untyped-def]
    token = csrf_of(browser.page(page_path))
    return browser.client.post(action, data={**data, "csrf_token": token}, **kw)  # type: ignore[arg-type]


def test_a_holder_writes_reviews_signs_replaces_and_revokes_her_directives(
    login: Login, records: DemoRecords, seeded: Container
) -> None:
    camille = login(demo.CAMILLE)
    base = f"/records/{records.camille}/directives"
    page = camille.page(base)
    assert "Aucune directive anticipée n'est enregistrée dans ce dossier." in text_of(page)
    form = camille.page(f"{base}/new")
    assert 'value="MARTIN"' in form  # the identity starts from the record

    # Step 1: an empty form says what is missing.
    empty = post(camille, f"{base}/new", f"{base}/review", {"author.surname": "Martin"})
    assert empty.status_code == 422
    assert "Vos directives sont vides" in error_text(empty.text)

    # Step 2: the review shows the document as it will be printed, and the signing form.
    review = post(camille, f"{base}/new", f"{base}/review", ANSWERS)
    assert review.status_code == 200, review.text[:500]
    assert "Réanimation cardio-respiratoire" in text_of(review.text)
    assert "Brouillon" in text_of(review.text)
    assert 'name="password"' in review.text

    # A wrong password files nothing.
    wrong = post(camille, f"{base}/new", f"{base}/sign", {**ANSWERS, **SIGNING, "password": "nope"})
    assert wrong.status_code == 422
    assert "Le mot de passe est incorrect" in error_text(wrong.text)
    assert not [d for d in documents_of(seeded, records.camille) if d.type_code == "EXPPAT_3"]

    # A wrong typed name is refused too.
    bad_name = post(
        camille, f"{base}/new", f"{base}/sign", {**ANSWERS, **SIGNING, "typed_name": "X Y"}
    )
    assert bad_name.status_code == 422
    assert "saisissez votre prénom et votre nom" in error_text(bad_name.text)

    signed = post(
        camille,
        f"{base}/new",
        f"{base}/sign",
        {**ANSWERS, **SIGNING},
        files={"drawing": ("signature.png", PNG, "image/png")},
    )
    page = camille.follow(signed)
    assert flash(page) == "Vos directives anticipées sont signées et enregistrées (version 1)."
    assert "En vigueur" in page
    pdf = camille.get(f"{base}/versions/1")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")

    # The next version starts from the answers in force.
    again = camille.page(f"{base}/new")
    assert "Finir ma vie à la maison." in text_of(again)
    second = post(camille, f"{base}/new", f"{base}/sign", {**ANSWERS, **SIGNING, "sedation": "no"})
    page = camille.follow(second)
    assert "version 2" in flash(page)
    assert "Version remplacée" in page

    # Revocation, after a confirmation page.
    confirm = camille.page(f"{base}/revoke")
    assert "Révoquer mes directives" in confirm
    revoked = camille.submit(f"{base}/revoke", f"{base}/revoke", {})
    page = camille.follow(revoked)
    assert flash(page) == "Vos directives anticipées sont révoquées."
    assert "aucune n'est en vigueur" in text_of(page)
    entries = record_actions(seeded, records.camille)
    signs = [json.loads(e.details) for e in entries if e.action == "record:directives:sign"]
    assert [(s["version"], s["signature"]) for s in signs] == [("1", "drawn"), ("2", "typed")]
    actions = [e.action for e in entries]
    assert "record:directives:revoke" in actions


def test_a_scan_is_filed_and_her_doctor_reads_it_read_only(
    login: Login, records: DemoRecords, seeded: Container
) -> None:
    camille = login(demo.CAMILLE)
    base = f"/records/{records.camille}/directives"
    text = camille.submit(
        f"{base}/scan",
        f"{base}/scan",
        {"password": demo.DEMO_PASSWORD},
        files={"file": ("notes.txt", b"hello", "text/plain")},
    )
    assert text.status_code == 422
    assert "Envoyez un PDF ou une image JPEG ou PNG" in error_text(text.text)
    done = camille.submit(
        f"{base}/scan",
        f"{base}/scan",
        {"password": demo.DEMO_PASSWORD},
        files={"file": ("directives.png", PNG, "image/png")},
    )
    assert "version 1" in flash(camille.follow(done))

    bernard = login(demo.BERNARD)
    page = bernard.page(base)
    assert "En vigueur" in page
    assert ("Directives anticipées", base) in [(label, href) for href, label in record_nav(page)]
    assert "Rédiger" not in page
    assert "Révoquer" not in page
    assert bernard.get(f"{base}/versions/1").content == PNG
    bernard.get(f"{base}/new", expected=403)
    documents = bernard.page(f"/records/{records.camille}/documents")
    assert "Directives anticipées (document signé)" in documents


def test_a_parent_cannot_write_directives_for_a_child(login: Login, records: DemoRecords) -> None:
    camille = login(demo.CAMILLE)
    base = f"/records/{records.leo}/directives"
    page = camille.page(base)
    assert "Seule la personne concernée, si elle est majeure" in page
    camille.get(f"{base}/new", expected=403)
    refused = camille.post_raw(f"{base}/revoke", {"csrf_token": csrf_of(page)})
    assert refused.status_code == 403


def test_the_api_signs_reads_and_revokes(
    client: TestClient, clock: FrozenClock, records: DemoRecords
) -> None:
    token = bearer(api_tokens(client, clock, demo.CAMILLE)["access_token"])
    base = f"/api/v1/patients/{records.camille}/directives"
    body = {
        "author": {
            "surname": "Martin",
            "first_names": "Camille Anne",
            "birth_date": "1985-03-27",
            "birth_place": "Paris",
        },
        "situation": "serious-illness",
        "treatments": [{"treatment": "dialysis", "choice": "stop"}],
        "sedation": "yes",
        "place": "Lyon",
        "typed_name": "Camille Anne Martin",
        "drawing_png": base64.b64encode(PNG).decode(),
        "password": "wrong",
    }
    refused = client.post(base, json=body, headers=token)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "password"
    assert client.get(base, headers=token).json()["versions"] == []

    created = client.post(base, json={**body, "password": demo.DEMO_PASSWORD}, headers=token)
    assert created.status_code == 201, created.text
    assert created.json()["number"] == 1
    assert created.json()["status"] == "current"
    state = client.get(base, headers=token).json()
    assert state["current"]["number"] == 1
    assert state["may_write"] is True
    pdf = client.get(f"{base}/versions/1.pdf", headers=token)
    assert pdf.content.startswith(b"%PDF-")

    scan = client.post(
        f"{base}/scan",
        data={"password": demo.DEMO_PASSWORD},
        files={"file": ("d.png", PNG, "image/png")},
        headers=token,
    )
    assert scan.status_code == 201
    assert scan.json()["number"] == 2

    revoked = client.post(f"{base}/revoke", headers=token)
    assert revoked.status_code == 201
    assert revoked.json()["kind"] == "revocation"
    state = client.get(base, headers=token).json()
    assert state["current"] is None
    assert state["revoked"] is True
    assert [v["status"] for v in state["versions"]] == ["revoked", "revoked", "revocation"]
    assert client.post(f"{base}/revoke", headers=token).status_code == 409

    # A parent may read the child's record but not write directives for him.
    leo = f"/api/v1/patients/{records.leo}/directives"
    assert client.get(leo, headers=token).json()["may_write"] is False
    assert client.post(f"{leo}/revoke", headers=token).status_code == 403
    spec = client.get("/openapi.json").json()
    assert "/api/v1/patients/{patient_id}/directives/versions/{number}.pdf" in spec["paths"]
