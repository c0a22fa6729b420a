"""Registering a patient, by the API and by the web form: who may, what is checked, what the
patient receives."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers_dmp import (
    ALICE,
    NewPatient,
    account_row,
    actions,
    activation_code,
    assert_audit_intact,
    error_summary,
    login_totp,
    make_nir,
    text_of,
)
from sqlalchemy import func, select

from dmp import demo
from dmp.container import Container
from dmp.identity.orm import PatientRow
from dmp.notifications.adapters import MemoryOutbox
from dmp.shared.clock import FrozenClock
from dmp.shared.db import transaction
from support import api_tokens, bearer, post_form

PROBLEM_JSON = "application/problem+json"


def patient_count(container: Container) -> int:
    with transaction(container.sessions) as session:
        return session.scalar(select(func.count()).select_from(PatientRow)) or 0


def post_patient(client: TestClient, token: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post("/api/v1/patients", json=body, headers={**bearer(token), **headers})


# --- API -----------------------------------------------------------------------------------


@pytest.mark.parametrize("by", [demo.ADMIN, demo.BERNARD], ids=["operator", "professional"])
def test_operator_or_professional_registers_a_patient(
    client: TestClient,
    seeded: Container,
    clock: FrozenClock,
    outbox: MemoryOutbox,
    by: demo.DemoAccount,
) -> None:
    token = api_tokens(client, clock, by)["access_token"]
    response = post_patient(client, token, ALICE.api_body(phone="06 11 22 33 44"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["account_status"] == "pending"
    assert body["activation_code_sent_to"] == ALICE.email
    assert body["patient"]["identity_status"] == "QUAL"
    assert body["patient"]["ins"] == ALICE.nir
    assert body["patient"]["display_name"] == "Alice DURAND"

    message = outbox.last(ALICE.email)
    assert message.subject == "Activez votre espace dmp"
    code = activation_code(message.body)
    assert code not in response.text  # the code goes to the patient, not to the registrar

    account = account_row(seeded, ALICE.email)
    assert account.status == "pending"
    assert account.password_hash is None
    assert account.phone == "+33611223344"
    assert actions(seeded, chain=f"patient:{body['patient']['id']}") == ["patient:identity:create"]
    assert actions(seeded, chain=f"account:{account.id}") == [
        "account:account:create",
        "account:activation-code:issue",
    ]
    assert_audit_intact(seeded)


def test_typed_identity_is_provisional_and_has_no_ins(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    token = api_tokens(client, clock, demo.ADMIN)["access_token"]
    body = ALICE.api_body(identity_source="typed", document_checked=False)
    response = post_patient(client, token, body)
    assert response.status_code == 201, response.text
    assert response.json()["patient"]["identity_status"] == "PROV"
    assert response.json()["patient"]["ins"] is None


def test_a_patient_cannot_register_patients(
    client: TestClient, seeded: Container, clock: FrozenClock, outbox: MemoryOutbox
) -> None:
    before = patient_count(seeded)
    token = api_tokens(client, clock, demo.CAMILLE)["access_token"]
    response = post_patient(client, token, ALICE.api_body())
    assert response.status_code == 403
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.json()["code"] == "forbidden"
    assert response.json()["status"] == 403
    assert patient_count(seeded) == before
    assert outbox.messages(ALICE.email) == []


def test_registration_needs_a_token(client: TestClient, seeded: Container) -> None:
    before = patient_count(seeded)
    for headers in (
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic YWRtaW46YWRtaW4="},
    ):
        # Even a malformed body gets 401 first: the schema is not revealed to strangers.
        response = client.post(
            "/api/v1/patients", json={**ALICE.api_body(), "extra": 1}, headers=headers
        )
        assert response.status_code == 401, headers
        assert response.headers["content-type"].startswith(PROBLEM_JSON)
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert patient_count(seeded) == before


def test_duplicate_matricule_is_a_conflict(
    client: TestClient, seeded: Container, clock: FrozenClock, outbox: MemoryOutbox
) -> None:
    token = api_tokens(client, clock, demo.ADMIN)["access_token"]
    before = patient_count(seeded)
    camille_again = NewPatient(
        email="autre.adresse@example.test",
        birth_name="MARTIN",
        first_given_name="Camille",
        birth_given_names="Camille Anne",
        birth_date=ALICE.birth_date.replace(year=1985, month=3, day=27),
        nir=demo.CAMILLE_NIR,
    )
    response = post_patient(client, token, camille_again.api_body())
    assert response.status_code == 409
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    problem = response.json()
    assert problem["code"] == "patient-exists"
    assert problem["title"] == "Un dossier existe déjà pour ce matricule INS."
    assert problem["instance"] == "/api/v1/patients"
    assert patient_count(seeded) == before
    assert outbox.messages("autre.adresse@example.test") == []


def test_duplicate_email_is_a_conflict_and_nothing_is_kept(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    token = api_tokens(client, clock, demo.ADMIN)["access_token"]
    before = patient_count(seeded)
    response = post_patient(client, token, ALICE.api_body(email=demo.CAMILLE.email.upper()))
    assert response.status_code == 409
    assert response.json()["code"] == "email-exists"
    # The patient row created before the account clash was rolled back with it.
    assert patient_count(seeded) == before
    assert post_patient(client, token, ALICE.api_body()).status_code == 201


INVALID_IDENTITIES = [
    (
        {"ins_matricule": ALICE.nir[:-2] + f"{(int(ALICE.nir[-2:]) % 97) + 1:02d}"},
        "ins_matricule",
        "nir-key",
    ),
    ({"ins_matricule": "29005"}, "ins_matricule", "nir-length"),
    ({"ins_matricule": make_nir(sex="1")}, "ins_matricule", "nir-sex-mismatch"),
    ({"ins_matricule": make_nir(year="91")}, "ins_matricule", "nir-year-mismatch"),
    ({"birth_date": "2099-01-01"}, "birth_date", "birth-date-future"),
    ({"email": "not-an-address"}, "email", "email-format"),
    ({"phone": "12"}, "phone", "phone-format"),
    ({"birth_name": "DURAND<script>"}, "birth_name", "name-format"),
    ({"birth_place_code": "ABCDE"}, "birth_place_code", "insee-code"),
]


def test_invalid_identity_is_a_422_with_field_errors(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    token = api_tokens(client, clock, demo.ADMIN)["access_token"]
    before = patient_count(seeded)
    for override, field, code in INVALID_IDENTITIES:
        response = post_patient(client, token, ALICE.api_body(**override))
        assert response.status_code == 422, (override, response.text)
        assert response.headers["content-type"].startswith(PROBLEM_JSON)
        problem = response.json()
        assert problem["code"] == "invalid-input"
        assert {"field": field, "code": code} in [
            {"field": e["field"], "code": e["code"]} for e in problem["errors"]
        ], override
        assert all(e["message"] for e in problem["errors"])
    assert patient_count(seeded) == before


def test_unknown_or_missing_json_fields_are_refused(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    token = api_tokens(client, clock, demo.ADMIN)["access_token"]
    unknown = post_patient(client, token, {**ALICE.api_body(), "is_admin": True})
    assert unknown.status_code == 422
    assert unknown.headers["content-type"].startswith(PROBLEM_JSON)
    errors = unknown.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("is_admin", "extra_forbidden")]

    body = ALICE.api_body()
    del body["birth_name"]
    missing = post_patient(client, token, body)
    assert missing.status_code == 422
    assert ("birth_name", "missing") in [(e["field"], e["code"]) for e in missing.json()["errors"]]

    not_json = client.post(
        "/api/v1/patients",
        content=b"birth_name=DURAND",
        headers={**bearer(token), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert not_json.status_code == 422
    assert patient_count(seeded) == 2  # the demo's Camille and Léo


# --- Web form ------------------------------------------------------------------------------


def test_professional_registers_a_patient_with_the_web_form(
    client: TestClient, seeded: Container, clock: FrozenClock, outbox: MemoryOutbox
) -> None:
    login_totp(client, clock, demo.BERNARD)
    page = client.get("/patients/new")
    assert page.status_code == 200
    assert "Inscrire un patient" in page.text
    response = post_form(client, "/patients/new", ALICE.form())
    assert response.status_code == 200, error_summary(response.text)
    text = text_of(response.text)
    assert "Patient inscrit" in text
    assert "Le dossier de Alice DURAND est ouvert." in text
    assert "a•••@example.test" in text
    assert "Statut de l'identité : Identité qualifiée." in text
    activation_code(outbox.last(ALICE.email).body)
    account = account_row(seeded, ALICE.email)
    assert account.status == "pending"
    bernard = account_row(seeded, demo.BERNARD.email)
    with transaction(seeded.sessions) as session:
        from dmp.accounts.orm import ActivationCodeRow

        issued = session.scalars(
            select(ActivationCodeRow).where(ActivationCodeRow.account_id == account.id)
        ).one()
        assert issued.created_by == bernard.id


def test_web_form_shows_every_error_and_keeps_the_values(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock, demo.ADMIN)
    bad_key = ALICE.nir[:-2] + ("01" if ALICE.nir[-2:] != "01" else "02")
    response = post_form(
        client,
        "/patients/new",
        ALICE.form(ins_matricule=bad_key, birth_day="31", birth_month="2", email="nope"),
    )
    assert response.status_code == 422
    summary = text_of(error_summary(response.text))
    assert "Saisissez une date réelle" in summary
    assert "La clé de contrôle (2 derniers chiffres)" in summary
    assert "Saisissez une adresse e-mail valide" in summary
    assert '<a href="#field-ins_matricule">' in response.text
    assert f'value="{bad_key}"' in response.text  # what was typed is kept
    assert 'value="DURAND"' in response.text
    assert patient_count(seeded) == 2


def test_web_form_duplicate_matricule(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock, demo.ADMIN)
    assert post_form(client, "/patients/new", ALICE.form()).status_code == 200
    again = post_form(client, "/patients/new", ALICE.form(email="alice.autre@example.test"))
    assert again.status_code == 409
    assert "Un dossier existe déjà pour ce matricule INS." in error_summary(again.text)


def test_web_form_is_for_professionals_and_operators_only(
    client: TestClient, seeded: Container, clock: FrozenClock, outbox: MemoryOutbox
) -> None:
    anonymous = client.get("/patients/new")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/patients/new"

    login_totp(client, clock, demo.CAMILLE)
    page = client.get("/patients/new")
    assert page.status_code == 403
    assert "Accès refusé" in page.text
    assert "Cette page est réservée à d&#39;autres profils d&#39;utilisateurs." in page.text
    # Posting directly (with a valid CSRF token) is refused too, and nothing is created.
    posted = post_form(client, "/patients/new", ALICE.form(), csrf_from="/")
    assert posted.status_code == 403
    assert patient_count(seeded) == 2
    assert outbox.messages(ALICE.email) == []
