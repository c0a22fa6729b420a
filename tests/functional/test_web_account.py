"""The account page: sessions, password change, second factors, and session timeouts."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from helpers_dmp import (
    NEW_PASSWORD,
    account_row,
    actions,
    assert_audit_intact,
    error_summary,
    factors_of,
    fresh_step,
    is_logged_in,
    login_totp,
    logout,
    me_status,
    otp_code,
    password_step,
    session_cookie,
    start_factor,
    text_of,
)

from dmp import demo
from dmp.container import Container
from dmp.notifications.adapters import MemoryOutbox
from dmp.shared.clock import FrozenClock
from dmp.shared.crypto import token_digest
from support import api_tokens, post_form, totp

SESSION_FORM = re.compile(
    r'name="kind" value="(web|api)">\s*<input type="hidden" name="session_id" value="([^"]+)"'
)


@pytest.fixture
def second(app: FastAPI) -> Iterator[TestClient]:
    """Another browser on the same server."""
    with TestClient(
        app,
        base_url="http://testserver",
        follow_redirects=False,
        headers={"User-Agent": "Other browser/1.0"},
    ) as other:
        yield other


def web_id(client: TestClient) -> str:
    cookie = session_cookie(client)
    assert cookie
    return token_digest(cookie)[:32]


def listed_sessions(client: TestClient) -> list[tuple[str, str]]:
    page = client.get("/account/sessions")
    assert page.status_code == 200
    return SESSION_FORM.findall(page.text)


def revoke(client: TestClient, kind: str, session_id: str) -> object:
    return post_form(
        client,
        "/account/sessions/revoke",
        {"kind": kind, "session_id": session_id},
        csrf_from="/account/sessions",
    )


# --- Sessions ------------------------------------------------------------------------------


def test_sessions_list_shows_web_and_api_sessions(
    client: TestClient, second: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock)
    login_totp(second, clock)
    tokens = api_tokens(client, clock)
    page = client.get("/account/sessions")
    text = text_of(page.text)
    assert text.count("Cette session") == 1
    assert text.count("Navigateur") == 2
    assert text.count("Application (API)") == 1
    assert "Other browser/1.0" in text
    assert "Adresse IP : testclient" in text
    listed = listed_sessions(client)
    assert sorted(kind for kind, _ in listed) == ["api", "web"]  # all but the current one
    assert ("web", web_id(second)) in listed
    family = next(session_id for kind, session_id in listed if kind == "api")
    # The API session is the token family of the access token.
    assert me_status(client, tokens["access_token"]) == 200
    assert family


def test_revoking_another_web_session_logs_it_out(
    client: TestClient, second: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock)
    login_totp(second, clock)
    response = revoke(client, "web", web_id(second))
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert "La session a été fermée." in client.get("/account/sessions").text
    assert not is_logged_in(second)
    assert is_logged_in(client)
    account = account_row(seeded, demo.CAMILLE.email)
    assert "auth:session:revoke" in actions(seeded, chain=f"account:{account.id}")
    # Closing it twice: not found.
    assert revoke(client, "web", web_id(second)).status_code == 404  # type: ignore[attr-defined]


def test_revoking_an_api_session_stops_its_tokens(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock)
    tokens = api_tokens(client, clock)
    (family,) = [session_id for kind, session_id in listed_sessions(client) if kind == "api"]
    assert revoke(client, "api", family).status_code == 303  # type: ignore[attr-defined]
    assert me_status(client, tokens["access_token"]) == 401
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401
    assert listed_sessions(client) == []


def test_sessions_of_other_accounts_cannot_be_closed(
    client: TestClient, second: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(second, clock, demo.BERNARD)
    bernard_tokens = api_tokens(second, clock, demo.BERNARD)
    (bernard_family,) = [s for kind, s in listed_sessions(second) if kind == "api"]
    login_totp(client, clock)  # Camille, trying to close Bernard's sessions
    for kind, session_id in (
        ("web", web_id(second)),
        ("api", bernard_family),
        ("web", ""),
        ("web", "%" * 32),  # a LIKE wildcard must not match everything
        ("web", "_" * 32),
        ("api", "not-a-uuid"),
        ("other", web_id(second)),
    ):
        response = revoke(client, kind, session_id)
        assert response.status_code == 404, (kind, session_id)  # type: ignore[attr-defined]
    assert is_logged_in(second)
    assert me_status(second, bernard_tokens["access_token"]) == 200
    assert is_logged_in(client)


# --- Password change -----------------------------------------------------------------------


def change_password(
    client: TestClient, current: str, new: str, confirm: str | None = None
) -> object:
    return post_form(
        client,
        "/account/password",
        {
            "current_password": current,
            "password": new,
            "password_confirm": new if confirm is None else confirm,
        },
    )


def test_password_change_keeps_this_session_and_closes_the_others(
    client: TestClient, second: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock)
    login_totp(second, clock)
    tokens = api_tokens(client, clock)
    cookie = session_cookie(client)

    response = change_password(client, demo.DEMO_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == "/account"  # type: ignore[attr-defined]
    assert "Votre mot de passe est changé." in client.get("/account").text
    assert session_cookie(client) == cookie
    assert is_logged_in(client)
    assert not is_logged_in(second)
    assert me_status(client, tokens["access_token"]) == 401
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401

    account = account_row(seeded, demo.CAMILLE.email)
    assert "account:password:change" in actions(seeded, chain=f"account:{account.id}")
    assert_audit_intact(seeded)

    logout(client)
    assert password_step(client).status_code == 400  # the old password is gone
    login_totp(client, clock, password=NEW_PASSWORD)
    assert is_logged_in(client)


def test_password_change_drops_logins_half_way(
    client: TestClient, second: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    """Someone who passed the password step with the old password is stopped too."""
    assert password_step(second).status_code == 303  # the thief, at the second step
    login_totp(client, clock)
    assert change_password(client, demo.DEMO_PASSWORD, NEW_PASSWORD).status_code == 303  # type: ignore[attr-defined]
    assert second.get("/login/second-factor").headers["location"] == "/login"
    fresh_step(clock)
    response = post_form(
        second,
        "/login/second-factor",
        {"method": "totp", "code": totp(demo.CAMILLE.totp_secret, clock)},
        csrf_from="/login",
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert not is_logged_in(second)


PASSWORD_CHANGE_REFUSALS = [
    ("wrong-password", NEW_PASSWORD, None, 400, "Le mot de passe actuel est incorrect."),
    (demo.DEMO_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!", 422, "ne sont pas identiques"),
    (demo.DEMO_PASSWORD, "court", None, 422, "au moins 12 caractères"),
    (demo.DEMO_PASSWORD, "Azertyuiop123!", None, 422, "les plus courants"),
    (demo.DEMO_PASSWORD, "Camille-Martin-2026", None, 422, "ni votre nom"),
    (demo.DEMO_PASSWORD, demo.DEMO_PASSWORD, None, 422, "différent de l'actuel"),
]


def test_password_change_refusals(
    client: TestClient, second: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock)
    login_totp(second, clock)
    before = account_row(seeded, demo.CAMILLE.email).password_hash
    for current, new, confirm, status, message in PASSWORD_CHANGE_REFUSALS:
        response = change_password(client, current, new, confirm)
        assert response.status_code == status, new  # type: ignore[attr-defined]
        assert message in text_of(error_summary(response.text)), new  # type: ignore[attr-defined]
        assert account_row(seeded, demo.CAMILLE.email).password_hash == before
    assert is_logged_in(second)  # nothing was revoked
    assert is_logged_in(client)


def test_guessing_the_current_password_is_limited(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock)
    answers = [
        change_password(client, f"guess-{i}", NEW_PASSWORD).status_code  # type: ignore[attr-defined]
        for i in range(5)
    ]
    assert answers == [400] * 4 + [429]  # the locking failure says so at once
    locked = change_password(client, demo.DEMO_PASSWORD, NEW_PASSWORD)
    assert locked.status_code == 429  # type: ignore[attr-defined]
    assert "Trop de tentatives" in locked.text  # type: ignore[attr-defined]


# --- Second factors ------------------------------------------------------------------------


def test_remove_a_factor_but_never_the_last_one(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock)
    factors = factors_of(seeded, demo.CAMILLE.email)
    email_id, totp_id = factors["email"][0], factors["totp"][0]
    overview = client.get("/account")
    assert f"/account/second-factors/{email_id}/remove" in overview.text
    assert f"/account/second-factors/{totp_id}/remove" in overview.text

    page = client.get(f"/account/second-factors/{email_id}/remove")
    assert page.status_code == 200
    assert "Vous ne recevrez plus de codes à c•••@demo.test." in page.text
    removed = post_form(client, f"/account/second-factors/{email_id}/remove", {})
    assert removed.status_code == 303
    assert removed.headers["location"] == "/account"
    assert factors_of(seeded, demo.CAMILLE.email).keys() == {"totp"}
    account = account_row(seeded, demo.CAMILLE.email)
    assert "account:mfa:remove" in actions(seeded, chain=f"account:{account.id}")

    last = post_form(client, f"/account/second-factors/{totp_id}/remove", {})
    assert last.status_code == 409
    assert "Vous ne pouvez pas retirer votre seul second facteur" in error_summary(last.text)
    assert factors_of(seeded, demo.CAMILLE.email).keys() == {"totp"}
    gone = client.get(f"/account/second-factors/{email_id}/remove")
    assert gone.status_code == 404


def test_factors_of_other_accounts_cannot_be_removed(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock)
    bernard_email = factors_of(seeded, demo.BERNARD.email)["email"][0]
    assert client.get(f"/account/second-factors/{bernard_email}/remove").status_code == 404
    response = post_form(
        client, f"/account/second-factors/{bernard_email}/remove", {}, csrf_from="/account"
    )
    assert response.status_code == 404
    assert factors_of(seeded, demo.BERNARD.email)["email"] == [bernard_email]
    assert client.get("/account/second-factors/not-a-uuid/remove").status_code == 404


def test_add_an_email_factor_while_logged_in(
    client: TestClient, seeded: Container, clock: FrozenClock, outbox: MemoryOutbox
) -> None:
    login_totp(client, clock)
    email_id = factors_of(seeded, demo.CAMILLE.email)["email"][0]
    assert post_form(client, f"/account/second-factors/{email_id}/remove", {}).status_code == 303

    choose = client.get("/account/second-factors/new")
    assert choose.status_code == 200
    started = start_factor(client, "email")
    assert started.status_code == 303
    confirm_path = started.headers["location"]
    code = otp_code(outbox.last(demo.CAMILLE.email).body)
    wrong = post_form(client, confirm_path, {"code": f"{(int(code) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 400
    assert factors_of(seeded, demo.CAMILLE.email).keys() == {"totp"}
    done = post_form(client, confirm_path, {"code": code})
    # The demo account had no recovery codes yet, so its first ones are shown now.
    assert done.status_code in (200, 303)
    assert factors_of(seeded, demo.CAMILLE.email).keys() == {"totp", "email"}
    assert "Code par e-mail à c•••@demo.test" in client.get("/account").text
    account = account_row(seeded, demo.CAMILLE.email)
    assert "account:mfa:enrol" in actions(seeded, chain=f"account:{account.id}")
    # Confirmed once: the confirmation page is gone.
    assert client.get(confirm_path).status_code == 404


def test_add_an_sms_factor_checks_the_number(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock)
    bad = start_factor(client, "sms", phone="12")
    assert bad.status_code == 422
    assert "Saisissez un numéro de téléphone valide" in error_summary(bad.text)
    nothing = start_factor(client, "")
    assert nothing.status_code == 422
    assert "Choisissez comment recevoir vos codes." in error_summary(nothing.text)
    good = start_factor(client, "sms", phone="06 98 76 54 32")
    assert good.status_code == 303
    sms = seeded.sms
    assert isinstance(sms, MemoryOutbox)
    code = otp_code(sms.last("+33698765432").body)
    assert post_form(client, good.headers["location"], {"code": code}).status_code in (200, 303)
    assert "sms" in factors_of(seeded, demo.CAMILLE.email)


def test_confirmation_of_another_accounts_enrolment_is_not_found(
    client: TestClient, second: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(second, clock, demo.BERNARD)
    bernards = start_factor(second, "totp").headers["location"]
    login_totp(client, clock)
    assert client.get(bernards).status_code == 404
    assert post_form(client, bernards, {"code": "123456"}, csrf_from="/account").status_code == 404


def test_adding_a_factor_needs_a_login(client: TestClient, seeded: Container) -> None:
    response = client.get("/account/second-factors/new")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


# --- Timeouts ------------------------------------------------------------------------------


def test_idle_timeout(client: TestClient, seeded: Container, clock: FrozenClock) -> None:
    login_totp(client, clock)
    clock.advance(minutes=29)
    assert is_logged_in(client)  # activity resets the idle clock
    clock.advance(minutes=29)
    assert is_logged_in(client)
    clock.advance(minutes=31)
    response = client.get("/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account"
    assert "Bonjour Camille" not in client.get("/").text


def test_absolute_timeout(client: TestClient, seeded: Container, clock: FrozenClock) -> None:
    login_totp(client, clock)
    for _ in range(28):  # 11 h 40 of steady activity
        clock.advance(minutes=25)
        assert is_logged_in(client)
    clock.advance(minutes=25)  # 12 h 05 after the login
    assert not is_logged_in(client)
