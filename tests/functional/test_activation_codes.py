"""Re-sending an activation code, and what registration demands before any code is sent."""

from __future__ import annotations

from fastapi.testclient import TestClient
from helpers_dmp import (
    ALICE,
    actions,
    activate_to_factor_choice,
    activation_code,
    error_summary,
    register_via_api,
    start_factor,
    text_of,
    totp_secret,
)
from sqlalchemy import select

from dmp import demo
from dmp.container import Container
from dmp.identity.orm import PatientRow
from dmp.notifications.adapters import MemoryOutbox
from dmp.shared.clock import FrozenClock
from support import api_tokens, bearer, post_form, totp


def patient_id(container: Container, nir: str) -> str:
    with container.sessions() as session:
        found = session.scalars(select(PatientRow.id).where(PatientRow.ins_matricule == nir)).one()
    return str(found)


def resend(client: TestClient, clock: FrozenClock, pid: str, by: demo.DemoAccount = demo.ADMIN):  # type: ignore[no-untyped-def]
    tokens = api_tokens(client, clock, by)
    return client.post(
        f"/api/v1/patients/{pid}/activation-code", headers=bearer(tokens["access_token"])
    )


def test_new_code_replaces_the_old_one(
    client: TestClient, seeded: Container, clock: FrozenClock, outbox: MemoryOutbox
) -> None:
    assert register_via_api(client, clock).status_code == 201
    first = activation_code(outbox.last(ALICE.email).body)
    pid = patient_id(seeded, ALICE.nir)

    response = resend(client, clock, pid, by=demo.BERNARD)
    assert response.status_code == 202, response.text
    assert response.json() == {"activation_code_sent_to": ALICE.email}
    second = activation_code(outbox.last(ALICE.email).body)
    assert second != first
    assert actions(seeded).count("account:activation-code:issue") == 2

    old = post_form(client, "/activation", ALICE.activation_form(first))
    assert old.status_code == 400
    activate_to_factor_choice(client, second)


def test_no_new_code_once_active_or_for_unknown_patients(
    client: TestClient, seeded: Container, clock: FrozenClock, outbox: MemoryOutbox
) -> None:
    assert register_via_api(client, clock).status_code == 201
    pid = patient_id(seeded, ALICE.nir)
    activate_to_factor_choice(client, activation_code(outbox.last(ALICE.email).body))
    page = start_factor(client, "totp")
    confirm = post_form(
        client,
        page.headers["location"],
        {"code": totp(totp_secret(client.get(page.headers["location"]).text), clock)},
    )
    assert confirm.status_code == 200, confirm.text  # recovery codes: activated

    assert resend(client, clock, pid).status_code == 404
    assert resend(client, clock, "8c1f7f0e-0000-4000-8000-000000000000").status_code == 404
    assert resend(client, clock, "not-a-uuid").status_code == 422


def test_patients_cannot_send_codes(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    assert register_via_api(client, clock).status_code == 201
    response = resend(client, clock, patient_id(seeded, ALICE.nir), by=demo.CAMILLE)
    assert response.status_code == 403


def test_professional_resends_from_the_web(
    client: TestClient, seeded: Container, clock: FrozenClock, outbox: MemoryOutbox
) -> None:
    from helpers_dmp import login_totp

    login_totp(client, clock, demo.BERNARD)
    registered = post_form(client, "/patients/new", ALICE.form())
    assert registered.status_code == 200, registered.text
    first = activation_code(outbox.last(ALICE.email).body)
    pid = patient_id(seeded, ALICE.nir)
    assert f'action="/patients/{pid}/activation-code"' in registered.text

    sent = post_form(client, f"/patients/{pid}/activation-code", {}, csrf_from="/patients/new")
    assert sent.status_code == 200, sent.text
    assert "Nouveau code d'activation envoyé" in text_of(sent.text)
    assert activation_code(outbox.last(ALICE.email).body) != first


def test_registration_needs_the_matricule(
    client: TestClient, seeded: Container, clock: FrozenClock, outbox: MemoryOutbox
) -> None:
    tokens = api_tokens(client, clock, demo.ADMIN)
    body = ALICE.api_body(ins_matricule=None, identity_source="typed")
    response = client.post("/api/v1/patients", json=body, headers=bearer(tokens["access_token"]))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["ins_matricule"]
    assert outbox.messages(ALICE.email) == []

    from helpers_dmp import login_totp

    login_totp(client, clock, demo.PETIT)
    page = post_form(client, "/patients/new", ALICE.form(ins_matricule=""))
    assert page.status_code == 422
    assert "matricule INS" in error_summary(page.text)


def test_a_patient_gets_403_before_any_validation(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    tokens = api_tokens(client, clock, demo.CAMILLE)
    response = client.post(
        "/api/v1/patients", json={"nonsense": True}, headers=bearer(tokens["access_token"])
    )
    assert response.status_code == 403


def test_codes_cannot_be_sent_over_and_over(
    client: TestClient, seeded: Container, clock: FrozenClock, outbox: MemoryOutbox
) -> None:
    assert register_via_api(client, clock).status_code == 201
    pid = patient_id(seeded, ALICE.nir)
    tokens = api_tokens(client, clock, demo.ADMIN)
    answers = [
        client.post(
            f"/api/v1/patients/{pid}/activation-code", headers=bearer(tokens["access_token"])
        ).status_code
        for _ in range(6)
    ]
    assert answers == [202] * 5 + [429]
    assert len(outbox.messages(ALICE.email)) == 6  # the registration's code and five more


def test_an_interrupted_activation_does_not_wear_the_code_out(
    client: TestClient, seeded: Container, clock: FrozenClock, outbox: MemoryOutbox
) -> None:
    assert register_via_api(client, clock).status_code == 201
    code = activation_code(outbox.last(ALICE.email).body)
    for _ in range(6):  # more than the five wrong tries a code survives
        started = post_form(client, "/activation", ALICE.activation_form(code))
        assert started.status_code == 303, started.text
        client.cookies.clear()  # the person closes the browser half-way
