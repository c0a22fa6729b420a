"""Cross-site request forgery: every form POST needs the session's token and a same-origin
(or absent) Origin header; a refused request changes nothing."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from helpers_dmp import account_row, actions, is_logged_in, login_totp, session_cookie, text_of

from dmp import demo
from dmp.container import Container
from dmp.shared.clock import FrozenClock
from support import get_csrf

CSRF_MESSAGE = "Pour votre sécurité, ce formulaire a expiré."
CREDENTIALS = {"email": demo.CAMILLE.email, "password": demo.DEMO_PASSWORD}


def assert_csrf_refusal(response: object) -> None:
    assert getattr(response, "status_code", None) == 403
    text = text_of(getattr(response, "text", ""))
    assert "Accès refusé" in text
    assert CSRF_MESSAGE in text


def assert_no_login_attempt(client: TestClient, container: Container) -> None:
    """The refused request never reached the login service."""
    assert client.get("/login/second-factor").headers["location"] == "/login"
    assert [a for a in actions(container) if a.startswith("auth:")] == []


def test_login_without_token_is_refused(client: TestClient, seeded: Container) -> None:
    client.get("/login")  # a session exists, but the form is posted without its token
    response = client.post("/login", data=CREDENTIALS)
    assert_csrf_refusal(response)
    assert_no_login_attempt(client, seeded)


def test_login_without_any_session_is_refused(client: TestClient, seeded: Container) -> None:
    response = client.post("/login", data={**CREDENTIALS, "csrf_token": "guessed"})
    assert_csrf_refusal(response)
    assert_no_login_attempt(client, seeded)


def test_wrong_or_empty_token_is_refused(client: TestClient, seeded: Container) -> None:
    token = get_csrf(client)
    for forged in ("", "x", token[:-1], token + "x", token.upper()):
        if forged == token:
            continue
        response = client.post("/login", data={**CREDENTIALS, "csrf_token": forged})
        assert_csrf_refusal(response)
    assert_no_login_attempt(client, seeded)


def test_token_of_another_session_is_refused(
    app: FastAPI, client: TestClient, seeded: Container
) -> None:
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as attacker:
        attackers_token = get_csrf(attacker)
    get_csrf(client)  # the victim has a session of their own
    response = client.post("/login", data={**CREDENTIALS, "csrf_token": attackers_token})
    assert_csrf_refusal(response)
    assert_no_login_attempt(client, seeded)


# Same host over https is *not* cross-origin here: behind a TLS-terminating proxy the browser
# says https while the app sees http (see test_same_host_over_https_is_accepted).
CROSS_ORIGINS = (
    "https://evil.example",
    "http://testserver.evil.example",
    "http://testserver:8080",
    "https://testserver:8443",
)


def test_cross_origin_post_is_refused_even_with_the_token(
    client: TestClient, seeded: Container
) -> None:
    token = get_csrf(client)
    for origin in CROSS_ORIGINS:
        response = client.post(
            "/login", data={**CREDENTIALS, "csrf_token": token}, headers={"Origin": origin}
        )
        assert_csrf_refusal(response)
    assert_no_login_attempt(client, seeded)


def test_same_origin_post_is_accepted(client: TestClient, seeded: Container) -> None:
    token = get_csrf(client)
    response = client.post(
        "/login",
        data={**CREDENTIALS, "csrf_token": token},
        headers={"Origin": "http://testserver"},
    )
    assert response.status_code == 303


def test_same_host_over_https_is_accepted(client: TestClient, seeded: Container) -> None:
    token = get_csrf(client)
    response = client.post(
        "/login",
        data={**CREDENTIALS, "csrf_token": token},
        headers={"Origin": "https://testserver"},
    )
    assert response.status_code == 303


def test_forged_actions_of_a_logged_in_person_change_nothing(
    app: FastAPI, client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock)
    account = account_row(seeded, demo.CAMILLE.email)
    chain = f"account:{account.id}"
    before = actions(seeded, chain=chain)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as attacker:
        foreign = get_csrf(attacker)
    own = get_csrf(client, "/account")
    attempts = [
        ("/account/recovery-codes", {}, {}),
        ("/account/recovery-codes", {"csrf_token": foreign}, {}),
        ("/account/recovery-codes", {"csrf_token": own}, {"Origin": "https://evil.example"}),
        (
            "/account/password",
            {
                "current_password": demo.DEMO_PASSWORD,
                "password": "Attacker-Chose-This-1",
                "password_confirm": "Attacker-Chose-This-1",
            },
            {},
        ),
        ("/account/second-factors/new", {"kind": "email", "csrf_token": foreign}, {}),
        ("/logout", {}, {}),
        ("/language", {"language": "en", "csrf_token": foreign}, {}),
    ]
    for path, data, headers in attempts:
        response = client.post(path, data=data, headers=headers)
        assert_csrf_refusal(response)
    assert actions(seeded, chain=chain) == before
    assert is_logged_in(client)
    assert '<html lang="fr">' in client.get("/").text
    assert account_row(seeded, demo.CAMILLE.email).password_hash == account.password_hash


def test_refusal_page_offers_a_fresh_token(client: TestClient, seeded: Container) -> None:
    """After a refusal the person can reload the form and go on."""
    client.get("/login")
    cookie = session_cookie(client)
    assert_csrf_refusal(client.post("/login", data=CREDENTIALS))
    assert session_cookie(client) == cookie  # the session is kept
    token = get_csrf(client)
    assert client.post("/login", data={**CREDENTIALS, "csrf_token": token}).status_code == 303
