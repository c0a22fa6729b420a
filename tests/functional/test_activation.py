"""Activation of a patient's space: code and identity traits, password, second factor."""

from __future__ import annotations

import json

import pyotp
import pytest
from fastapi.testclient import TestClient
from helpers_dmp import (
    ALICE,
    NEW_PASSWORD,
    NewPatient,
    account_row,
    actions,
    activate_to_factor_choice,
    assert_audit_intact,
    audit_lines,
    error_summary,
    factors_of,
    fresh_step,
    is_logged_in,
    logout,
    make_nir,
    otp_code,
    page_codes,
    password_step,
    registered_code,
    second_step,
    session_cookie,
    start_factor,
    text_of,
    totp_secret,
)
from httpx2 import Response

from dmp.container import Container
from dmp.notifications.adapters import MemoryOutbox
from dmp.shared.clock import FrozenClock
from support import get_csrf, post_form

REFUSED = "Ces informations ne correspondent pas à un espace en attente d&#39;activation."


@pytest.fixture
def code(client: TestClient, seeded: Container, clock: FrozenClock, outbox: MemoryOutbox) -> str:
    return registered_code(client, clock, outbox)


def submit_activation(
    client: TestClient, patient: NewPatient, code: str, **overrides: str
) -> Response:
    return post_form(client, "/activation", patient.activation_form(code, **overrides))


# --- The whole journey ---------------------------------------------------------------------


def test_activation_with_an_authenticator_app(
    client: TestClient, seeded: Container, clock: FrozenClock, code: str
) -> None:
    page = client.get("/activation")
    assert page.status_code == 200
    assert "Étape 1 sur 3" in page.text
    before = session_cookie(client)

    # Codes are typed loosely: lower case, spaces, no dashes; the NIR with spaces.
    spaced_nir = " ".join([ALICE.nir[:1], ALICE.nir[1:3], ALICE.nir[3:5], ALICE.nir[5:]])
    first = submit_activation(
        client, ALICE, code.lower().replace("-", " "), ins_matricule=spaced_nir
    )
    assert first.status_code == 303, error_summary(first.text)
    assert first.headers["location"] == "/activation/password"
    assert "Étape 2 sur 3" in client.get("/activation/password").text

    second = post_form(
        client,
        "/activation/password",
        {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert second.status_code == 303, error_summary(second.text)
    assert second.headers["location"] == "/activation/second-factor"
    choice = client.get("/activation/second-factor")
    assert choice.status_code == 200
    assert "Étape 3 sur 3" in choice.text
    assert not is_logged_in(client)  # not before the second factor is confirmed

    started = start_factor(client, "totp")
    assert started.status_code == 303
    confirm_path = started.headers["location"]
    assert confirm_path.startswith("/account/second-factors/")
    assert confirm_path.endswith("/confirm")
    confirm_page = client.get(confirm_path)
    assert confirm_page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in confirm_page.text  # the QR code
    secret = totp_secret(confirm_page.text)
    assert len(secret) == 32

    done = post_form(client, confirm_path, {"code": pyotp.TOTP(secret).at(clock.now())})
    assert done.status_code == 200, error_summary(done.text)
    assert "Vos codes de secours" in done.text
    codes = page_codes(done.text)
    assert len(codes) == 10
    assert "Votre espace est activé. Bienvenue !" in done.text

    assert session_cookie(client) != before
    assert is_logged_in(client)
    assert "Bonjour Alice DURAND" in client.get("/").text
    account = account_row(seeded, ALICE.email)
    assert account.status == "active"
    assert account.activated_at is not None
    assert factors_of(seeded, ALICE.email).keys() == {"totp"}
    chain = actions(seeded, chain=f"account:{account.id}")
    assert "account:activation:complete" in chain
    assert "account:mfa:enrol" in chain
    assert "account:recovery-codes:generate" in chain
    assert_audit_intact(seeded)

    # And from now on, a normal login works with the chosen password and the new app.
    logout(client)
    assert password_step(client, email=ALICE.email, password=NEW_PASSWORD).status_code == 303
    fresh_step(clock)
    assert second_step(client, "totp", pyotp.TOTP(secret).at(clock.now())).status_code == 303
    assert is_logged_in(client)
    logout(client)
    # A recovery code from the activation works too.
    assert password_step(client, email=ALICE.email, password=NEW_PASSWORD).status_code == 303
    assert second_step(client, "recovery", codes[0]).status_code == 303

    # The activation code is spent.
    logout(client)
    again = submit_activation(client, ALICE, code)
    assert again.status_code == 400
    assert REFUSED in again.text


def test_activation_with_an_email_factor(
    client: TestClient, seeded: Container, clock: FrozenClock, code: str, outbox: MemoryOutbox
) -> None:
    activate_to_factor_choice(client, code)
    started = start_factor(client, "email")
    assert started.status_code == 303
    confirm_path = started.headers["location"]
    page = client.get(confirm_path)
    assert "Nous avons envoyé un code à 6 chiffres à a•••@example.test" in page.text
    message = outbox.last(ALICE.email)
    assert message.subject == "Votre code de vérification dmp"
    done = post_form(client, confirm_path, {"code": otp_code(message.body)})
    assert done.status_code == 200, error_summary(done.text)
    assert len(page_codes(done.text)) == 10
    assert is_logged_in(client)
    assert account_row(seeded, ALICE.email).status == "active"
    assert factors_of(seeded, ALICE.email).keys() == {"email"}
    account = account_row(seeded, ALICE.email)
    complete = [
        line
        for line in audit_lines(seeded, chain=f"account:{account.id}")
        if line.action == "account:activation:complete"
    ]
    assert len(complete) == 1

    # Logging in later: the code is e-mailed straight away (no app).
    logout(client)
    first = password_step(client, email=ALICE.email, password=NEW_PASSWORD)
    assert first.status_code == 303
    assert first.headers["location"].startswith("/login/second-factor?method=otp&factor=")
    login_code = otp_code(outbox.last(ALICE.email).body)
    done = post_form(
        client,
        "/login/second-factor",
        {"method": "otp", "code": login_code},
        csrf_from=first.headers["location"],
    )
    assert done.status_code == 303
    assert is_logged_in(client)


def test_wrong_confirmation_code_does_not_activate(
    client: TestClient, seeded: Container, clock: FrozenClock, code: str
) -> None:
    activate_to_factor_choice(client, code)
    confirm_path = start_factor(client, "totp").headers["location"]
    secret = totp_secret(client.get(confirm_path).text)
    good = pyotp.TOTP(secret).at(clock.now())
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    refused = post_form(client, confirm_path, {"code": wrong})
    assert refused.status_code == 400
    assert "Ce code n&#39;est pas valide" in error_summary(refused.text)
    assert secret == totp_secret(refused.text)  # the same key is shown again
    assert account_row(seeded, ALICE.email).status == "pending"
    assert not is_logged_in(client)
    assert post_form(client, confirm_path, {"code": good}).status_code == 200
    assert account_row(seeded, ALICE.email).status == "active"


# --- Step 1: code and identity traits ------------------------------------------------------


MISMATCHES = {
    "wrong code": {"code": "AAAA-BBBB-CCCC"},
    "wrong day": {"birth_day": "15"},
    "wrong year": {"birth_year": "1991"},
    "unknown NIR": {"ins_matricule": make_nir(order="124")},  # valid, but nobody's
}


def test_mismatches_get_one_and_the_same_refusal(
    client: TestClient, seeded: Container, code: str
) -> None:
    summaries = set()
    for case, overrides in MISMATCHES.items():
        data = {**ALICE.activation_form(code), **overrides}
        response = post_form(client, "/activation", data)
        assert response.status_code == 400, case
        summary = error_summary(response.text)
        assert REFUSED in summary, case
        summaries.add(summary)
        assert client.get("/activation/password").headers["location"] == "/activation"
    assert len(summaries) == 1  # nothing tells which part was wrong
    assert actions(seeded).count("account:activation:failure") == len(MISMATCHES)
    # Below the lock threshold, the right answers still go through.
    assert submit_activation(client, ALICE, code).status_code == 303


def test_wrong_nir_key_is_a_field_error_naming_the_key(
    client: TestClient, seeded: Container, code: str
) -> None:
    bad_key = ALICE.nir[:-2] + f"{(int(ALICE.nir[-2:]) % 97) + 1:02d}"
    response = submit_activation(client, ALICE, code, ins_matricule=bad_key)
    assert response.status_code == 422
    summary = text_of(error_summary(response.text))
    assert "La clé de contrôle (2 derniers chiffres) ne correspond pas" in summary
    assert '<a href="#field-ins_matricule">' in response.text
    assert 'aria-invalid="true"' in response.text
    assert f'value="{bad_key}"' in response.text


def test_missing_fields_are_listed(client: TestClient, seeded: Container) -> None:
    response = post_form(
        client,
        "/activation",
        {"code": "", "ins_matricule": "", "birth_day": "", "birth_month": "", "birth_year": ""},
    )
    assert response.status_code == 422
    summary = text_of(error_summary(response.text))
    assert "Saisissez le code d'activation reçu." in summary
    assert "Saisissez le matricule INS" in summary
    assert "Saisissez la date de naissance." in summary


def test_five_wrong_tries_lock_the_activation(
    client: TestClient, seeded: Container, clock: FrozenClock, code: str
) -> None:
    answers = [submit_activation(client, ALICE, f"AAAA-BBBB-CCC{i}").status_code for i in range(5)]
    assert answers == [400, 400, 400, 400, 429]
    locked = submit_activation(client, ALICE, code)
    assert locked.status_code == 429
    assert "Trop de tentatives" in error_summary(locked.text)
    assert client.get("/activation/password").headers["location"] == "/activation"
    account = account_row(seeded, ALICE.email)
    failures = [
        line
        for line in audit_lines(seeded, chain=f"account:{account.id}")
        if line.action == "account:activation:failure"
    ]
    assert len(failures) == 5
    assert {json.loads(line.details)["reason"] for line in failures} == {"mismatch"}
    assert account_row(seeded, ALICE.email).status == "pending"


def test_activation_code_expires(
    client: TestClient, seeded: Container, clock: FrozenClock, code: str
) -> None:
    clock.advance(days=42, seconds=1)
    response = submit_activation(client, ALICE, code)
    assert response.status_code == 400
    assert REFUSED in response.text


def test_steps_cannot_be_skipped(client: TestClient, seeded: Container, code: str) -> None:
    assert client.get("/activation/password").headers["location"] == "/activation"
    assert client.get("/activation/second-factor").headers["location"] == "/activation"
    skipped = post_form(
        client,
        "/activation/password",
        {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
        csrf_from="/activation",
    )
    assert skipped.headers["location"] == "/activation"
    assert account_row(seeded, ALICE.email).password_hash is None

    # After step 1, adding a factor before choosing a password is not possible either.
    assert submit_activation(client, ALICE, code).status_code == 303
    token = get_csrf(client, "/activation/password")
    early = client.post("/account/second-factors/new", data={"kind": "totp", "csrf_token": token})
    assert early.status_code == 303
    assert early.headers["location"].startswith("/login")
    assert factors_of(seeded, ALICE.email) == {}


# --- Step 2: password ----------------------------------------------------------------------


WEAK_PASSWORDS = [
    ("Court1!", "Court1!", "Le mot de passe doit comporter au moins 12 caractères."),
    ("Azertyuiop123!", "Azertyuiop123!", "fait partie des mots de passe les plus courants"),
    (NEW_PASSWORD, NEW_PASSWORD + "x", "Les deux mots de passe ne sont pas identiques."),
    ("Alice-Durand-1990!", "Alice-Durand-1990!", "ni votre adresse e-mail, ni votre nom"),
    ("abababababababab", "abababababababab", "trop peu de caractères différents"),
    ("toutenminuscule", "toutenminuscule", "au moins trois sortes de caractères"),
]


def test_password_policy_errors_are_shown(client: TestClient, seeded: Container, code: str) -> None:
    assert submit_activation(client, ALICE, code).status_code == 303
    for password, confirm, message in WEAK_PASSWORDS:
        response = post_form(
            client, "/activation/password", {"password": password, "password_confirm": confirm}
        )
        assert response.status_code == 422, password
        assert message in text_of(error_summary(response.text)), password
        assert password not in response.text  # never echoed back
        assert account_row(seeded, ALICE.email).password_hash is None
    # Still on step 2; a good password then goes through.
    fixed = post_form(
        client,
        "/activation/password",
        {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert fixed.status_code == 303
    assert fixed.headers["location"] == "/activation/second-factor"


def test_activation_of_an_already_active_account_is_refused(
    client: TestClient, seeded: Container, clock: FrozenClock, outbox: MemoryOutbox
) -> None:
    # Camille is active: a code cannot be obtained for her, and guesses are refused.
    from dmp import demo

    patient = NewPatient(
        birth_name="MARTIN",
        first_given_name="Camille",
        birth_given_names="Camille Anne",
        birth_date=ALICE.birth_date.replace(year=1985, month=3, day=27),
        nir=demo.CAMILLE_NIR,
    )
    response = submit_activation(client, patient, "AAAA-BBBB-CCCC")
    assert response.status_code == 400
    assert REFUSED in response.text
