"""Web login: password then a second factor (TOTP, e-mail code, recovery code), session
rotation, logout, and the ``next`` parameter."""

from __future__ import annotations

import json
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from helpers_dmp import (
    SESSION_COOKIE,
    account_row,
    actions,
    assert_audit_intact,
    audit_lines,
    error_summary,
    factors_of,
    fresh_step,
    is_logged_in,
    login_totp,
    logout,
    otp_code,
    page_codes,
    password_step,
    second_step,
    session_cookie,
    text_of,
)

from dmp import demo
from dmp.container import Container
from dmp.notifications.adapters import MemoryOutbox
from dmp.shared.clock import FrozenClock
from support import post_form, totp

INVALID_CODE = "Ce code n&#39;est pas valide ou a expiré"
SEND_CODE_FORM = re.compile(
    r'action="/login/send-code".*?name="factor" value="([0-9a-f\-]{36})"', re.S
)


def other_client(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="http://testserver", follow_redirects=False)


# --- Password then TOTP ----------------------------------------------------------------------


def test_password_then_totp_logs_in_and_is_audited(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    first = password_step(client)
    assert first.status_code == 303
    assert first.headers["location"] == "/login/second-factor?method=totp"
    # Half-way through, the person is not logged in yet.
    assert not is_logged_in(client)

    page = client.get(first.headers["location"])
    assert page.status_code == 200
    assert "Code de votre application d&#39;authentification" in page.text
    assert "Recevoir un code à c•••@demo.test" in page.text  # the e-mail address is masked
    assert "camille.martin@demo.test" not in page.text

    fresh_step(clock)
    second = second_step(client, "totp", totp(demo.CAMILLE.totp_secret, clock))
    assert second.status_code == 303
    assert second.headers["location"] == "/"
    home = client.get("/")
    assert "Bonjour Camille Martin" in home.text

    account = account_row(seeded, demo.CAMILLE.email)
    lines = audit_lines(seeded, chain=f"account:{account.id}")
    success = [line for line in lines if line.action == "auth:login:success"]
    assert len(success) == 1
    assert json.loads(success[0].details) == {"second_factor": "totp"}
    assert success[0].actor_account_id == account.id
    assert_audit_intact(seeded)


def test_wrong_totp_is_refused_and_audited(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    assert password_step(client).status_code == 303
    fresh_step(clock)
    good = totp(demo.CAMILLE.totp_secret, clock)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = second_step(client, "totp", wrong)
    assert response.status_code == 400
    assert INVALID_CODE in error_summary(response.text)
    assert not is_logged_in(client)
    for garbage in ("", "abcdef", "' OR 1=1 --"):
        refused = second_step(client, "totp", garbage)
        assert refused.status_code == 400, garbage
    account = account_row(seeded, demo.CAMILLE.email)
    assert "auth:second-factor:failure" in actions(seeded, chain=f"account:{account.id}")
    assert "auth:login:success" not in actions(seeded)
    # The right code still works afterwards (four failures are below the threshold).
    ok = second_step(client, "totp", good)
    assert ok.status_code == 303
    assert ok.headers["location"] == "/"


def test_totp_code_cannot_be_replayed(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    assert password_step(client).status_code == 303
    fresh_step(clock)
    code = totp(demo.CAMILLE.totp_secret, clock)
    assert second_step(client, "totp", code).status_code == 303
    logout(client)

    # Same code, same 30-second window: an intercepted code is worthless.
    assert password_step(client).status_code == 303
    replay = second_step(client, "totp", code)
    assert replay.status_code == 400
    assert INVALID_CODE in replay.text
    assert not is_logged_in(client)

    # Nor through the API.
    api = client.post(
        "/api/v1/auth/token",
        json={"email": demo.CAMILLE.email, "password": demo.DEMO_PASSWORD, "otp": code},
    )
    assert api.status_code == 401
    assert api.json()["code"] == "invalid-second-factor"

    # The next time step gives a new code, which works.
    fresh_step(clock)
    assert second_step(client, "totp", totp(demo.CAMILLE.totp_secret, clock)).status_code == 303
    assert is_logged_in(client)


def test_totp_of_another_account_is_refused(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    assert password_step(client).status_code == 303
    fresh_step(clock)
    response = second_step(client, "totp", totp(demo.BERNARD.totp_secret, clock))
    assert response.status_code == 400
    assert not is_logged_in(client)


# --- E-mail code ---------------------------------------------------------------------------


def test_login_with_an_emailed_code(
    client: TestClient, seeded: Container, clock: FrozenClock, outbox: MemoryOutbox
) -> None:
    first = password_step(client)
    assert first.status_code == 303
    page = client.get(first.headers["location"])
    match = SEND_CODE_FORM.search(page.text)
    assert match, "no « Recevoir un code » button"
    factor_id = match.group(1)
    assert [str(f) for f in factors_of(seeded, demo.CAMILLE.email)["email"]] == [factor_id]
    assert outbox.messages() == []  # nothing is sent until asked: the account has TOTP

    sent = post_form(
        client, "/login/send-code", {"factor": factor_id}, csrf_from=first.headers["location"]
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/login/second-factor?method=otp&factor={factor_id}"
    message = outbox.last(demo.CAMILLE.email)
    code = otp_code(message.body)
    otp_page = client.get(sent.headers["location"])
    assert "Un nouveau code vous a été envoyé." in otp_page.text
    assert "Nous avons envoyé un code à 6 chiffres à c•••@demo.test" in otp_page.text

    done = second_step(client, "otp", code, factor=factor_id)
    assert done.status_code == 303
    assert done.headers["location"] == "/"
    assert is_logged_in(client)
    account = account_row(seeded, demo.CAMILLE.email)
    success = [
        line
        for line in audit_lines(seeded, chain=f"account:{account.id}")
        if line.action == "auth:login:success"
    ]
    assert json.loads(success[-1].details) == {"second_factor": "email"}
    assert "auth:otp:send" in actions(seeded, chain=f"account:{account.id}")

    # A code works once.
    logout(client)
    assert password_step(client).status_code == 303
    again = second_step(client, "otp", code, factor=factor_id)
    assert again.status_code == 400
    assert not is_logged_in(client)


def test_a_new_emailed_code_replaces_the_previous_one(
    client: TestClient, seeded: Container, outbox: MemoryOutbox
) -> None:
    first = password_step(client)
    factor_id = str(factors_of(seeded, demo.CAMILLE.email)["email"][0])
    for _ in range(2):
        sent = post_form(
            client, "/login/send-code", {"factor": factor_id}, csrf_from=first.headers["location"]
        )
        assert sent.status_code == 303
    older, newer = (otp_code(m.body) for m in outbox.messages(demo.CAMILLE.email))
    if older != newer:
        refused = second_step(client, "otp", older, factor=factor_id)
        assert refused.status_code == 400
    assert second_step(client, "otp", newer, factor=factor_id).status_code == 303


def test_emailed_code_expires_after_ten_minutes(
    client: TestClient, seeded: Container, clock: FrozenClock, outbox: MemoryOutbox
) -> None:
    first = password_step(client)
    factor_id = str(factors_of(seeded, demo.CAMILLE.email)["email"][0])
    post_form(
        client, "/login/send-code", {"factor": factor_id}, csrf_from=first.headers["location"]
    )
    code = otp_code(outbox.last(demo.CAMILLE.email).body)
    clock.advance(minutes=10, seconds=1)
    response = second_step(client, "otp", code, factor=factor_id)
    assert response.status_code == 400
    assert not is_logged_in(client)


def test_half_done_login_is_forgotten_after_fifteen_minutes(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    assert password_step(client).status_code == 303
    clock.advance(minutes=16)
    assert client.get("/login/second-factor").headers["location"] == "/login"
    response = post_form(
        client,
        "/login/second-factor",
        {"method": "totp", "code": totp(demo.CAMILLE.totp_secret, clock)},
        csrf_from="/login",
    )
    assert response.headers["location"] == "/login"
    assert not is_logged_in(client)


def test_codes_cannot_be_sent_to_factors_of_other_accounts(
    client: TestClient, seeded: Container, outbox: MemoryOutbox
) -> None:
    first = password_step(client)
    bernard_factor = str(factors_of(seeded, demo.BERNARD.email)["email"][0])
    camille_totp = str(factors_of(seeded, demo.CAMILLE.email)["totp"][0])
    for factor in (bernard_factor, camille_totp, "not-a-uuid", ""):
        response = post_form(
            client, "/login/send-code", {"factor": factor}, csrf_from=first.headers["location"]
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/login/second-factor"
    assert outbox.messages() == []


def test_send_code_without_a_login_in_progress(client: TestClient, seeded: Container) -> None:
    factor = str(factors_of(seeded, demo.CAMILLE.email)["email"][0])
    response = post_form(client, "/login/send-code", {"factor": factor}, csrf_from="/login")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_code_sent_to_an_unconfirmed_destination_does_not_log_in(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    """Someone with a moment's access to an open session starts adding an SMS factor with
    their own number and does not confirm it: that code must not work as a login code."""
    login_totp(client, clock)
    started = post_form(
        client, "/account/second-factors/new", {"kind": "sms", "phone": "07 00 00 00 01"}
    )
    assert started.status_code == 303
    sms = seeded.sms
    assert isinstance(sms, MemoryOutbox)
    planted = otp_code(sms.last("+33700000001").body)
    logout(client)

    assert password_step(client).status_code == 303
    response = second_step(client, "otp", planted)
    assert response.status_code == 400
    assert not is_logged_in(client)


# --- Recovery codes ------------------------------------------------------------------------


def generate_recovery_codes(client: TestClient) -> list[str]:
    response = post_form(client, "/account/recovery-codes", {})
    assert response.status_code == 200, response.text
    codes = page_codes(response.text)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    return codes


def test_login_with_a_recovery_code_once(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock)
    codes = generate_recovery_codes(client)
    logout(client)

    assert password_step(client).status_code == 303
    page = client.get("/login/second-factor?method=recovery")
    assert page.status_code == 200
    assert "Code de secours" in page.text
    used = second_step(client, "recovery", codes[0])
    assert used.status_code == 303
    assert used.headers["location"] == "/"
    home = client.get("/")
    assert "Vous avez utilisé un code de secours ; il vous en reste 9." in text_of(home.text)
    account = account_row(seeded, demo.CAMILLE.email)
    assert "auth:recovery-code:use" in actions(seeded, chain=f"account:{account.id}")
    logout(client)

    # The same code a second time: refused.
    assert password_step(client).status_code == 303
    reused = second_step(client, "recovery", codes[0])
    assert reused.status_code == 400
    assert INVALID_CODE in reused.text
    assert not is_logged_in(client)

    # Codes are typed loosely: lower case, without dashes.
    loose = codes[1].lower().replace("-", "")
    assert second_step(client, "recovery", loose).status_code == 303
    assert is_logged_in(client)


def test_new_recovery_codes_revoke_the_old_ones(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock)
    old = generate_recovery_codes(client)
    new = generate_recovery_codes(client)
    assert not set(old) & set(new)
    logout(client)
    assert password_step(client).status_code == 303
    assert second_step(client, "recovery", old[0]).status_code == 400
    assert second_step(client, "recovery", new[0]).status_code == 303


def test_recovery_code_of_another_account_is_refused(
    app: FastAPI, client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    with other_client(app) as bernard:
        login_totp(bernard, clock, demo.BERNARD)
        codes = generate_recovery_codes(bernard)
    assert password_step(client).status_code == 303
    assert second_step(client, "recovery", codes[0]).status_code == 400
    assert not is_logged_in(client)


# --- Sessions ------------------------------------------------------------------------------


def test_session_cookie_rotates_at_login(
    app: FastAPI, client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    client.get("/login")
    before = session_cookie(client)
    assert before
    assert password_step(client).status_code == 303
    assert session_cookie(client) == before  # the pending login lives in the anonymous session
    fresh_step(clock)
    done = second_step(client, "totp", totp(demo.CAMILLE.totp_secret, clock))
    assert done.status_code == 303
    cookie = done.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert "path=/" in cookie.lower()
    after = session_cookie(client)
    assert after
    assert after != before
    assert is_logged_in(client)

    # Session fixation: whoever planted or saw the pre-login cookie gets nothing.
    with other_client(app) as attacker:
        attacker.cookies.set(SESSION_COOKIE, before)
        assert not is_logged_in(attacker)
        assert "Bonjour Camille" not in attacker.get("/").text
    assert is_logged_in(client)


def test_logout_ends_the_session(
    app: FastAPI, client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock)
    logged_in_cookie = session_cookie(client)
    assert logged_in_cookie
    logout(client)
    assert not is_logged_in(client)
    assert "Vous êtes déconnecté" in client.get("/").text
    with other_client(app) as stolen:
        stolen.cookies.set(SESSION_COOKIE, logged_in_cookie)
        assert not is_logged_in(stolen)
    account = account_row(seeded, demo.CAMILLE.email)
    assert "auth:session:logout" in actions(seeded, chain=f"account:{account.id}")


def test_second_factor_page_needs_a_password_first(client: TestClient, seeded: Container) -> None:
    assert client.get("/login/second-factor").headers["location"] == "/login"
    response = post_form(
        client, "/login/second-factor", {"method": "totp", "code": "123456"}, csrf_from="/login"
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert "Votre connexion a expiré" in client.get("/login").text


def test_wrong_password_shows_the_error_and_keeps_the_email(
    client: TestClient, seeded: Container
) -> None:
    response = password_step(client, password="not-the-password")
    assert response.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect." in error_summary(response.text)
    assert f'value="{demo.CAMILLE.email}"' in response.text
    assert "not-the-password" not in response.text  # a password is never echoed back
    assert not is_logged_in(client)


def test_logged_in_person_visiting_login_is_sent_on(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock)
    assert client.get("/login").headers["location"] == "/"
    assert client.get("/login?next=/account").headers["location"] == "/account"
    assert client.get("/activation").headers["location"] == "/"


# --- next ----------------------------------------------------------------------------------


def test_next_is_honoured_after_the_second_factor(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    bounced = client.get("/account/sessions")
    assert bounced.status_code == 303
    assert bounced.headers["location"] == "/login?next=/account/sessions"
    page = client.get(bounced.headers["location"])
    assert '<input type="hidden" name="next" value="/account/sessions">' in page.text
    first = password_step(client, next_path="/account/sessions")
    assert first.status_code == 303
    fresh_step(clock)
    done = second_step(client, "totp", totp(demo.CAMILLE.totp_secret, clock))
    assert done.headers["location"] == "/account/sessions"


EVIL_TARGETS = [
    "//evil.example",
    "https://evil.example",
    "http://evil.example/account",
    "/\\evil.example",
    "\\\\evil.example",
    "///evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "evil.example",
]


def test_open_redirects_are_refused(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    for target in EVIL_TARGETS:
        page = client.get("/login", params={"next": target})
        assert page.status_code == 200, target
        assert '<input type="hidden" name="next" value="/">' in page.text, target
        first = password_step(client, next_path=target)
        assert first.status_code == 303
        fresh_step(clock)
        done = second_step(client, "totp", totp(demo.CAMILLE.totp_secret, clock))
        assert done.status_code == 303
        assert done.headers["location"] == "/", target
        # Already logged in: /login?next=… must not bounce elsewhere either.
        again = client.get("/login", params={"next": target})
        assert again.headers["location"] == "/", target
        # Nor the language switch.
        switched = post_form(client, "/language", {"language": "fr", "next": target}, csrf_from="/")
        assert switched.headers["location"] == "/", target
        logout(client)
