"""The personne de confiance in the browser and over REST: Camille designates her brother,
who co-signs on the public invitation page with the code she passed on (or declines through
the link); she is told, revokes, re-invites; her doctor sees it read-only; a minor's record
has no designation; the REST API does the same."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from helpers_dmp import text_of
from helpers_web_records import (
    Browser,
    DemoRecords,
    Login,
    browser,
    error_text,
    flash,
    inbox,
    main_of,
    record_actions,
    record_nav,
)
from httpx2 import Response
from sqlalchemy import select

from dmp import demo
from dmp.container import Container
from dmp.notifications.adapters import MemoryOutbox
from dmp.notifications.orm import OutboxRow
from dmp.shared.clock import FrozenClock
from dmp.shared.db import transaction
from support import api_tokens, bearer, csrf_of

PAUL = {
    "first_names": "Paul",
    "surname": "Martin",
    "relationship": "relative",
    "relationship_detail": "mon frère",
    "phone": "06 12 34 56 78",
    "email": "paul.martin@example.fr",
    "adult_confirmed": "1",
}


@pytest.fixture
def designee(app: FastAPI, clock: FrozenClock) -> Iterator[Browser]:
    with browser(app, clock) as anonymous:
        yield anonymous


def shown(page: str, element: str) -> str:
    match = re.search(rf'id="{element}">(.*?)<', page)
    assert match, element
    return match.group(1)


def designate(camille: Browser, records: DemoRecords, data: dict[str, str]) -> tuple[str, str]:
    """Designate through the form; returns the code and link shown once."""
    path = f"/records/{records.camille}/trusted-person/new"
    done = camille.submit(path, path, data)
    assert done.status_code == 200, done.text[:500]
    assert done.headers["cache-control"] == "no-store"
    return shown(done.text, "invitation-code"), shown(done.text, "invitation-link")


def outbox_rows(container: Container) -> list[OutboxRow]:
    with transaction(container.sessions) as session:
        rows = list(session.scalars(select(OutboxRow)))
        session.expunge_all()
        return rows


def post_form(who: Browser, page: str, action: str, data: dict[str, str]) -> Response:
    assert f'action="{action}"' in page
    return who.client.post(action, data={**data, "csrf_token": csrf_of(page)})


def test_a_patient_designates_and_the_designee_cosigns_with_the_code(
    login: Login,
    records: DemoRecords,
    designee: Browser,
    seeded: Container,
    outbox: MemoryOutbox,
) -> None:
    camille = login(demo.CAMILLE)
    page = f"/records/{records.camille}/trusted-person"
    assert "Vous n'avez pas de personne de confiance." in text_of(camille.page(page))

    form = f"{page}/new"
    wrong = camille.submit(form, form, {"first_names": "Paul", "email": "pas-une-adresse"})
    assert wrong.status_code == 422
    errors = error_text(wrong.text)
    assert "Saisissez le nom de famille de cette personne." in errors
    assert "Saisissez une adresse e-mail valide" in errors
    assert "Confirmez que cette personne est majeure" in errors
    assert 'href="#field-relationship"' in wrong.text

    code, link = designate(camille, records, PAUL)
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert link.startswith("http://testserver/trusted-person/invitation?token=")
    current = text_of(camille.page(page))
    assert "En attente de la co-signature" in current
    assert "Paul MARTIN" in current
    assert "+33612345678" in current
    # The e-mailed invitation goes through the outbox; nothing medical in it.
    [mail] = [m for m in outbox_rows(seeded) if m.recipient == "paul.martin@example.fr"]
    assert code in mail.body
    assert "Camille MARTIN" in mail.subject

    # The designee, without an account.
    start = designee.page("/trusted-person/invitation")
    assert "Le rôle de la personne de confiance" in start
    refused = post_form(designee, start, "/trusted-person/invitation", {"code": "ZZZZ-ZZZZ"})
    assert refused.status_code == 422
    assert "Ce code d'invitation n'est pas valide." in error_text(refused.text)
    opened = post_form(designee, start, "/trusted-person/invitation", {"code": code.lower()})
    answer_page = opened.text
    assert "Camille MARTIN vous a désigné(e) comme sa personne de confiance." in text_of(
        answer_page
    )
    action = "/trusted-person/invitation/answer"
    mismatch = post_form(
        designee, answer_page, action, {"code": code, "full_name": "Pierre", "decision": "accept"}
    )
    assert mismatch.status_code == 422
    assert "ne correspond pas à la personne désignée" in error_text(mismatch.text)
    accepted = post_form(
        designee,
        answer_page,
        action,
        {"code": code, "full_name": "Paul Martin", "decision": "accept"},
    )
    assert "Vous êtes maintenant la personne de confiance de Camille MARTIN" in text_of(
        accepted.text
    )
    again = post_form(
        designee,
        answer_page,
        action,
        {"code": code, "full_name": "Paul Martin", "decision": "accept"},
    )
    assert "Cette invitation a déjà été utilisée." in error_text(again.text)

    current = text_of(camille.page(page))
    assert "Désignation co-signée, en vigueur" in current
    assert "par Paul Martin" in current
    assert [n.kind for n in inbox(seeded, demo.CAMILLE.email)].count("trusted-person-accepted") == 1
    history = text_of(camille.page(f"/records/{records.camille}/history"))
    assert "a co-signé sa désignation comme personne de confiance" in history

    # Revocation, with a confirmation page.
    revoke = f"{page}/revoke"
    confirm = camille.page(revoke)
    assert "Révoquer votre personne de confiance" in confirm
    [version] = re.findall(r'name="version" value="(\d+)"', confirm)
    done = camille.submit(revoke, revoke, {"version": version})
    after = camille.follow(done)
    assert flash(after) == "La désignation de votre personne de confiance est révoquée."
    assert "Révoquée" in text_of(after)
    changes = [
        e.action
        for e in record_actions(seeded, records.camille)
        if "trusted-person" in e.action and not e.action.endswith(":read")
    ]
    assert changes == [
        "record:trusted-person:designate",
        "record:trusted-person:cosign",
        "record:trusted-person:revoke",
    ]


def test_the_link_opens_the_invitation_and_a_new_one_replaces_it(
    login: Login, records: DemoRecords, designee: Browser
) -> None:
    camille = login(demo.CAMILLE)
    page = f"/records/{records.camille}/trusted-person"
    _code, link = designate(camille, records, {**PAUL, "email": ""})
    path = link.removeprefix("http://testserver")
    opened = designee.page(path)
    assert "Camille MARTIN vous a désigné(e)" in text_of(opened)

    resend = f"{page}/invitation"
    assert "Envoyer une nouvelle invitation" in camille.page(resend)
    fresh = camille.submit(resend, resend, {})
    assert fresh.status_code == 200
    new_link = shown(fresh.text, "invitation-link")
    assert new_link != link
    stale = designee.get(path, expected=409)
    assert "l'a annulée ou vous en a envoyé une nouvelle" in error_text(stale.text)

    declined_page = designee.page(new_link.removeprefix("http://testserver"))
    done = post_form(
        designee,
        declined_page,
        "/trusted-person/invitation/answer",
        {"token": new_link.split("token=")[1], "full_name": "", "decision": "decline"},
    )
    assert "Vous avez refusé d'être la personne de confiance" in text_of(done.text)
    assert "Refusée par la personne désignée" in text_of(camille.page(page))


def test_a_doctor_sees_it_read_only_a_minor_has_none_the_others_get_404(
    login: Login, records: DemoRecords
) -> None:
    camille = login(demo.CAMILLE)
    designate(camille, records, PAUL)
    bernard = login(demo.BERNARD)
    page = f"/records/{records.camille}/trusted-person"
    seen = bernard.page(page)
    main = text_of(main_of(seen))
    assert "Paul MARTIN" in main
    assert "Un membre de ma famille (mon frère)" in main
    assert "En attente de la co-signature" in main
    assert "/trusted-person/new" not in seen
    assert "Historique des désignations" not in seen
    assert (page, "Personne de confiance") in record_nav(seen)
    bernard.get(f"{page}/new", expected=404)
    bernard.get(f"{page}/revoke", expected=404)
    login(demo.LEFEVRE).get(page, expected=404)

    leo = f"/records/{records.leo}/trusted-person"
    minor = camille.page(leo)
    assert "Seule une personne majeure peut désigner une personne de confiance." in text_of(minor)
    assert (leo, "Personne de confiance") not in record_nav(minor)  # adults only
    camille.get(f"{leo}/new", expected=403)


def test_the_rest_api_designates_revokes_and_the_designee_answers(
    client: TestClient, clock: FrozenClock, records: DemoRecords, seeded: Container
) -> None:
    token = bearer(api_tokens(client, clock, demo.CAMILLE)["access_token"])
    path = f"/api/v1/patients/{records.camille}/trusted-person"
    assert client.get(path, headers=token).json() == {"current": None, "history": []}
    bad = client.post(
        path,
        json={"surname": "", "first_names": "Paul", "relationship": "x", "adult_confirmed": False},
        headers=token,
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {
        "surname",
        "relationship",
        "contact",
        "adult_confirmed",
    }
    created = client.post(
        path,
        json={
            "surname": "Martin",
            "first_names": "Paul",
            "relationship": "relative",
            "phone": "0612345678",
            "adult_confirmed": True,
        },
        headers=token,
    )
    assert created.status_code == 201
    first = created.json()
    assert first["designation"]["status"] == "pending"
    assert first["emailed"] is False
    resent = client.post(f"{path}/invitation", headers=token)
    assert resent.status_code == 201
    second = resent.json()

    public = "/api/v1/trusted-person/invitation"
    stale = client.post(
        public, json={"code": first["code"], "answer": "accept", "name": "Paul Martin"}
    )
    assert (stale.status_code, stale.json()["code"]) == (409, "cancelled")
    wrong = client.post(public, json={"code": "AAAA-AAAA", "answer": "accept", "name": "x"})
    assert (wrong.status_code, wrong.json()["code"]) == (422, "wrong-code")
    done = client.post(
        public, json={"code": second["code"], "answer": "accept", "name": "Paul MARTIN"}
    )
    assert done.json() == {"status": "active", "patient_name": "Camille MARTIN"}

    body = client.get(path, headers=token).json()
    assert body["current"]["status"] == "active"
    assert body["current"]["cosigned_name"] == "Paul MARTIN"
    assert len(body["history"]) == 1
    stale_version = client.post(f"{path}/revoke", headers={**token, "If-Match": '"1"'})
    assert stale_version.status_code == 412
    revoked = client.post(f"{path}/revoke", headers=token)
    assert revoked.json()["status"] == "revoked"
    assert client.post(f"{path}/revoke", headers=token).status_code == 409

    doctor = bearer(api_tokens(client, clock, demo.BERNARD)["access_token"])
    seen = client.get(path, headers=doctor).json()
    assert seen["current"]["status"] == "revoked"
    assert seen["history"] == []
    assert client.post(f"{path}/revoke", headers=doctor).status_code == 404
    minor = client.post(
        f"/api/v1/patients/{records.leo}/trusted-person",
        json={
            "surname": "Martin",
            "first_names": "Paul",
            "relationship": "relative",
            "phone": "0612345678",
            "adult_confirmed": True,
        },
        headers=token,
    )
    assert (minor.status_code, minor.json()["code"]) == (403, "adults-only")
    schema = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/trusted-person/invitation" in schema
    assert "/api/v1/patients/{patient_id}/trusted-person/revoke" in schema


def test_links_given_to_people_use_the_public_address_when_set(
    login: Login, records: DemoRecords, seeded: Container
) -> None:
    # Behind a proxy the request's own address may be internal: DMP_PUBLIC_URL wins.
    seeded.settings.public_url = "https://dmp.example.fr/"
    camille = login(demo.CAMILLE)
    _code, link = designate(camille, records, PAUL)
    assert link.startswith("https://dmp.example.fr/trusted-person/invitation?token=")
