"""Choosing where codes go, and never claiming a code was sent when it was not."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from helpers_dmp import (
    custom_app,
    factors_of,
    login_totp,
    otp_code,
    password_step,
    remove_factors,
    start_factor,
    text_of,
)

from dmp import demo
from dmp.accounts import management, registration, tokens
from dmp.accounts.model import FactorKind
from dmp.accounts.queries import account_by_email
from dmp.container import Container
from dmp.notifications.adapters import MemoryOutbox
from dmp.shared.clock import FrozenClock
from dmp.shared.context import RequestContext
from dmp.shared.db import transaction
from support import bearer, post_form


def test_api_client_chooses_the_e_mail_code(
    client: TestClient, seeded: Container, outbox: MemoryOutbox
) -> None:
    credentials = {"email": demo.CAMILLE.email, "password": demo.DEMO_PASSWORD}
    asked = client.post("/api/v1/auth/token", json={**credentials, "otp_method": "email"})
    assert asked.status_code == 401
    assert asked.json()["code_sent_by"] == "email"
    code = otp_code(outbox.last(demo.CAMILLE.email).body)
    done = client.post(
        "/api/v1/auth/token", json={**credentials, "otp_method": "email", "otp": code}
    )
    assert done.status_code == 200, done.text
    assert client.get("/api/v1/me", headers=bearer(done.json()["access_token"])).status_code == 200


def test_no_claim_of_a_code_that_was_not_sent(
    client: TestClient, seeded: Container, outbox: MemoryOutbox
) -> None:
    assert password_step(client).status_code == 303
    page = client.get("/login/second-factor?method=otp")
    assert "Nous avons envoyé" not in text_of(page.text)
    assert 'id="field-code"' not in page.text
    assert outbox.messages(demo.CAMILLE.email) == []

    [factor_id] = factors_of(seeded, demo.CAMILLE.email)["email"]
    sent = post_form(
        client, "/login/send-code", {"factor": str(factor_id)}, csrf_from="/login/second-factor"
    )
    page = client.get(sent.headers["location"])
    assert "Nous avons envoyé un code à 6 chiffres à c•••@demo.test" in text_of(page.text)
    assert 'id="field-code"' in page.text


def test_login_code_request_leaves_a_factor_confirmation_alone(
    app: object, client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock)
    started = start_factor(client, "sms", phone="06 11 22 33 44")
    assert started.status_code == 303, started.text
    assert isinstance(seeded.sms, MemoryOutbox)
    sms_code = otp_code(seeded.sms.last("+33611223344").body)

    with TestClient(app, base_url="http://testserver", follow_redirects=False) as other:  # type: ignore[arg-type]
        assert password_step(other).status_code == 303
        [email_factor] = factors_of(seeded, demo.CAMILLE.email)["email"]
        post_form(
            other,
            "/login/send-code",
            {"factor": str(email_factor)},
            csrf_from="/login/second-factor",
        )

    confirmed = post_form(client, started.headers["location"], {"code": sms_code})
    # 200: the demo account had no recovery codes yet, so its first ones are shown.
    assert confirmed.status_code == 200, confirmed.text
    assert "Vos codes de secours" in confirmed.text
    assert "sms" in factors_of(seeded, demo.CAMILLE.email)


def test_sms_can_be_switched_off(
    tmp_path: Path, database_url: str, seeded: Container, clock: FrozenClock
) -> None:
    with custom_app(tmp_path, database_url, clock, sms_backend="disabled") as (client, _):
        login_totp(client, clock)
        page = client.get("/account/second-factors/new")
        assert 'value="sms"' not in page.text
        refused = start_factor(client, "sms", phone="0611223344")
        assert refused.status_code == 422
        assert "SMS" in text_of(refused.text)


def test_an_active_account_without_second_factor_cannot_log_in(
    client: TestClient, seeded: Container
) -> None:
    remove_factors(seeded, demo.CAMILLE.email, "totp")
    remove_factors(seeded, demo.CAMILLE.email, "email")
    refused = password_step(client)
    assert refused.status_code == 403
    assert "aucun second facteur" in text_of(refused.text)
    assert client.get("/account/second-factors/new").status_code == 303  # to /login


def test_operator_issued_token_cannot_be_renewed_and_does_not_linger(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    with transaction(seeded.sessions) as session:
        account = account_by_email(session, demo.CAMILLE.email)
        assert account is not None
        pair = tokens.issue(
            session,
            seeded.security,
            account=account,
            ctx=RequestContext(channel="cli"),
            client="cli",
        )
    assert pair.refresh_token is None
    assert client.get("/api/v1/me", headers=bearer(pair.access_token)).status_code == 200

    login_totp(client, clock)
    assert "Application (API)" in text_of(client.get("/account/sessions").text)
    clock.advance(minutes=16)
    assert "Application (API)" not in text_of(client.get("/account/sessions").text)
    assert client.get("/api/v1/me", headers=bearer(pair.access_token)).status_code == 401


def test_api_refuses_an_account_without_any_second_factor(
    client: TestClient, seeded: Container
) -> None:
    remove_factors(seeded, demo.CAMILLE.email, "totp")
    remove_factors(seeded, demo.CAMILLE.email, "email")
    response = client.post(
        "/api/v1/auth/token", json={"email": demo.CAMILLE.email, "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "no-second-factor"


def only_sms_left(container: Container, *, recovery_codes: bool) -> None:
    """Camille keeps a single, SMS factor (and optionally recovery codes)."""
    remove_factors(container, demo.CAMILLE.email, "totp")
    remove_factors(container, demo.CAMILLE.email, "email")
    with transaction(container.sessions) as session:
        account = account_by_email(session, demo.CAMILLE.email)
        assert account is not None
        registration.add_confirmed_code_factor(
            session, container.security, account, FactorKind.sms, "+33611223344"
        )
        if recovery_codes:
            management.regenerate_recovery_codes(
                session, container.security, account=account, ctx=RequestContext()
            )


def test_with_sms_off_an_sms_only_account_uses_its_recovery_codes(
    tmp_path: Path, database_url: str, seeded: Container, clock: FrozenClock
) -> None:
    only_sms_left(seeded, recovery_codes=True)
    with custom_app(tmp_path, database_url, clock, sms_backend="disabled") as (client, app):
        first = password_step(client)
        assert first.status_code == 303
        assert first.headers["location"] == "/login/second-factor?method=recovery"
        page = client.get(first.headers["location"])
        assert "•• •• •• •• 44" not in text_of(page.text)
        api = client.post(
            "/api/v1/auth/token",
            json={"email": demo.CAMILLE.email, "password": demo.DEMO_PASSWORD},
        )
        assert api.json()["methods"] == ["recovery"]
        assert isinstance(app.sms, MemoryOutbox)
        assert app.sms.messages() == []


def test_with_sms_off_and_no_recovery_code_the_account_is_refused(
    tmp_path: Path, database_url: str, seeded: Container, clock: FrozenClock
) -> None:
    only_sms_left(seeded, recovery_codes=False)
    with custom_app(tmp_path, database_url, clock, sms_backend="disabled") as (client, _):
        refused = password_step(client)
        assert refused.status_code == 403
        assert "aucun second facteur" in text_of(refused.text)
