"""API authentication: token, second factor, refresh rotation and reuse detection, logout,
expiry, forged tokens."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers_dmp import (
    account_row,
    actions,
    assert_audit_intact,
    fresh_step,
    login_totp,
    me_status,
    otp_code,
    page_codes,
    remove_factors,
)
from joserfc import jwt
from joserfc.jwk import OctKey

from dmp import demo
from dmp.container import Container
from dmp.notifications.adapters import MemoryOutbox
from dmp.shared.clock import FrozenClock
from dmp.shared.i18n import translate
from support import api_tokens, bearer, post_form, totp

PROBLEM_JSON = "application/problem+json"


def token_request(client: TestClient, **body: Any) -> Any:
    payload = {"email": demo.CAMILLE.email, "password": demo.DEMO_PASSWORD, **body}
    return client.post("/api/v1/auth/token", json=payload)


def refresh(client: TestClient, token: str) -> Any:
    return client.post("/api/v1/auth/refresh", json={"refresh_token": token})


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def claims_for(container: Container, **overrides: Any) -> dict[str, Any]:
    account = account_row(container, demo.CAMILLE.email)
    now = int(container.clock.now().timestamp())
    claims: dict[str, Any] = {
        "iss": "dmp",
        "sub": str(account.id),
        "sid": str(uuid.uuid4()),
        "jti": "x",
        "iat": now,
        "exp": now + 600,
        "roles": ["operator"],
    }
    claims.update(overrides)
    return claims


def sign(claims: dict[str, Any], key: bytes) -> str:
    return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(key), algorithms=["HS256"])


# --- Token ---------------------------------------------------------------------------------


def test_password_alone_asks_for_the_second_factor(
    client: TestClient, seeded: Container, outbox: MemoryOutbox
) -> None:
    response = token_request(client)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.headers["www-authenticate"] == 'Bearer realm="dmp"'
    problem = response.json()
    assert problem["code"] == "second-factor-required"
    # "recovery" is offered only once the account has recovery codes (demo accounts have none).
    assert problem["methods"] == ["email", "totp"]
    assert problem["code_sent_by"] is None  # the account has an app: nothing is sent
    assert "access_token" not in problem
    assert outbox.messages() == []


def test_totp_gives_tokens_and_me_works(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    fresh_step(clock)
    response = token_request(client, otp=totp(demo.CAMILLE.totp_secret, clock))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert response.headers["cache-control"] == "no-store"

    me = client.get("/api/v1/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    data = me.json()
    assert data["email"] == demo.CAMILLE.email
    assert data["roles"] == ["patient"]
    assert data["second_factors"] == ["email", "totp"]
    assert data["patient"]["ins"] == demo.CAMILLE_NIR
    assert data["professional"] is None

    professional = api_tokens(client, clock, demo.BERNARD)
    pro = client.get("/api/v1/me", headers=bearer(professional["access_token"])).json()
    assert pro["professional"]["rpps"] == "10000123456"
    assert pro["professional"]["idnat_ps"] == "810000123456"
    assert pro["patient"] is None

    account = account_row(seeded, demo.CAMILLE.email)
    assert "auth:token:issue" in actions(seeded, chain=f"account:{account.id}")


def test_wrong_or_replayed_totp_is_refused(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    fresh_step(clock)
    code = totp(demo.CAMILLE.totp_secret, clock)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = token_request(client, otp=wrong)
    assert refused.status_code == 401
    assert refused.json()["code"] == "invalid-second-factor"
    assert token_request(client, otp=code).status_code == 200
    replay = token_request(client, otp=code)
    assert replay.status_code == 401
    assert replay.json()["code"] == "invalid-second-factor"


def test_email_only_account_gets_a_code_by_email(
    client: TestClient, seeded: Container, outbox: MemoryOutbox
) -> None:
    remove_factors(seeded, demo.CAMILLE.email, "totp")
    asked = token_request(client)
    assert asked.status_code == 401
    assert asked.json()["code"] == "second-factor-required"
    assert asked.json()["methods"] == ["email"]
    assert asked.json()["code_sent_by"] == "email"
    message = outbox.last(demo.CAMILLE.email)
    code = otp_code(message.body)

    wrong = token_request(client, otp=f"{(int(code) + 1) % 1_000_000:06d}")
    assert wrong.status_code == 401
    ok = token_request(client, otp=code)
    assert ok.status_code == 200, ok.text
    assert me_status(client, ok.json()["access_token"]) == 200
    # Single use.
    assert token_request(client, otp=code).status_code == 401


def test_codes_sent_per_hour_are_limited_and_the_answer_says_so(
    client: TestClient, seeded: Container, outbox: MemoryOutbox
) -> None:
    remove_factors(seeded, demo.CAMILLE.email, "totp")
    for _ in range(5):
        asked = token_request(client)
        assert asked.status_code == 401
        assert asked.json()["code_sent_by"] == "email"
    assert len(outbox.messages(demo.CAMILLE.email)) == 5
    refused = token_request(client)
    assert refused.status_code == 429
    assert refused.json()["code"] == "too-many-attempts"
    assert int(refused.headers["retry-after"]) > 0
    assert len(outbox.messages(demo.CAMILLE.email)) == 5  # no sixth message
    # The last code sent still logs in.
    ok = token_request(client, otp=otp_code(outbox.last(demo.CAMILLE.email).body))
    assert ok.status_code == 200


def test_wrong_password_never_reveals_the_factors(client: TestClient, seeded: Container) -> None:
    response = token_request(client, password="wrong-password")
    assert response.status_code == 401
    problem = response.json()
    assert problem["code"] == "invalid-credentials"
    assert "methods" not in problem
    # With a code and a wrong password: the same answer, the code is not even looked at.
    with_code = token_request(client, password="wrong-password", otp="123456")
    assert with_code.json()["code"] == "invalid-credentials"


def test_recovery_code_through_the_api(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock)
    codes = page_codes(post_form(client, "/account/recovery-codes", {}).text)
    ok = token_request(client, otp=codes[0], otp_method="recovery")
    assert ok.status_code == 200, ok.text
    again = token_request(client, otp=codes[0], otp_method="recovery")
    assert again.status_code == 401


def test_token_request_is_validated(client: TestClient, seeded: Container) -> None:
    extra = token_request(client, otp="123456", remember_me=True)
    assert extra.status_code == 422
    assert extra.headers["content-type"].startswith(PROBLEM_JSON)
    assert [e["field"] for e in extra.json()["errors"]] == ["remember_me"]
    method = token_request(client, otp="123456", otp_method="sms-please")
    assert method.status_code == 422
    missing = client.post("/api/v1/auth/token", json={"email": demo.CAMILLE.email})
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["password"]


# --- Refresh -------------------------------------------------------------------------------


def test_refresh_rotates_and_reuse_revokes_the_whole_family(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    first = api_tokens(client, clock)
    second_response = refresh(client, first["refresh_token"])
    assert second_response.status_code == 200, second_response.text
    second = second_response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert me_status(client, second["access_token"]) == 200

    third_response = refresh(client, second["refresh_token"])
    assert third_response.status_code == 200
    third = third_response.json()
    assert me_status(client, third["access_token"]) == 200

    # Someone replays an already used refresh token: stolen, so everything goes.
    replay = refresh(client, first["refresh_token"])
    assert replay.status_code == 401
    assert replay.headers["content-type"].startswith(PROBLEM_JSON)
    assert replay.json()["code"] == "invalid-refresh-token"
    assert refresh(client, third["refresh_token"]).status_code == 401
    for token in (first, second, third):
        assert me_status(client, token["access_token"]) == 401

    account = account_row(seeded, demo.CAMILLE.email)
    chain = actions(seeded, chain=f"account:{account.id}")
    assert chain.count("auth:token:refresh") == 2
    assert "auth:token:reuse-detected" in chain
    assert_audit_intact(seeded)

    # Other logins of the same person are not affected.
    other = api_tokens(client, clock)
    assert me_status(client, other["access_token"]) == 200


def test_garbage_refresh_tokens_are_refused(client: TestClient, seeded: Container) -> None:
    for token in ("", "x", "not-a-refresh-token-" * 5):
        response = refresh(client, token)
        assert response.status_code == 401
        assert response.json()["code"] == "invalid-refresh-token"
    too_long = refresh(client, "x" * 201)
    assert too_long.status_code == 422


def test_access_token_is_not_a_refresh_token_and_vice_versa(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    tokens = api_tokens(client, clock)
    assert me_status(client, tokens["refresh_token"]) == 401
    assert refresh(client, tokens["access_token"]).status_code in (401, 422)
    # The pair still works: nothing was revoked by these mistakes.
    assert me_status(client, tokens["access_token"]) == 200
    assert refresh(client, tokens["refresh_token"]).status_code == 200


# --- Logout, expiry ------------------------------------------------------------------------


def test_logout_revokes_access_and_refresh(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    tokens = api_tokens(client, clock)
    other = api_tokens(client, clock)
    out = client.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"]))
    assert out.status_code == 204
    assert out.content == b""
    assert me_status(client, tokens["access_token"]) == 401
    assert refresh(client, tokens["refresh_token"]).status_code == 401
    again = client.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"]))
    assert again.status_code == 401
    assert me_status(client, other["access_token"]) == 200  # another login stays open
    account = account_row(seeded, demo.CAMILLE.email)
    assert "auth:token:revoke" in actions(seeded, chain=f"account:{account.id}")


def test_logout_needs_a_token(client: TestClient, seeded: Container) -> None:
    response = client.post("/api/v1/auth/logout")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication-required"


def test_expired_access_token_is_refused_but_refresh_works(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    tokens = api_tokens(client, clock)
    clock.advance(seconds=899)
    assert me_status(client, tokens["access_token"]) == 200
    clock.advance(minutes=1)
    expired = client.get("/api/v1/me", headers=bearer(tokens["access_token"]))
    assert expired.status_code == 401
    assert expired.json()["code"] == "invalid-token"
    assert expired.headers["www-authenticate"].startswith("Bearer")
    renewed = refresh(client, tokens["refresh_token"])
    assert renewed.status_code == 200
    assert me_status(client, renewed.json()["access_token"]) == 200


def test_refresh_token_expires(client: TestClient, seeded: Container, clock: FrozenClock) -> None:
    tokens = api_tokens(client, clock)
    clock.advance(days=31)
    assert refresh(client, tokens["refresh_token"]).status_code == 401


# --- Forged and broken tokens --------------------------------------------------------------


def test_missing_and_malformed_authorization(client: TestClient, seeded: Container) -> None:
    missing = client.get("/api/v1/me")
    assert missing.status_code == 401
    assert missing.headers["content-type"].startswith(PROBLEM_JSON)
    assert missing.json()["code"] == "authentication-required"
    for header in ("Bearer", "Bearer ", "Basic Y2FtaWxsZTpwYXNz", "Token abc", "bearer x.y.z"):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.headers["content-type"].startswith(PROBLEM_JSON)


def test_tampered_and_forged_tokens_are_refused(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    tokens = api_tokens(client, clock)
    access = tokens["access_token"]
    header, payload, signature = access.split(".")

    # Flip the signature.
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    # Change the payload (claim another role) and keep the signature.
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["operator"]
    elevated = f"{header}.{b64(claims)}.{signature}"
    # "alg": "none".
    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."
    # Signed with a key of our own.
    foreign = sign(claims_for(seeded, sid=claims["sid"]), b"k" * 32)

    for forged in (
        f"{header}.{payload}.{flipped}",
        elevated,
        unsigned,
        foreign,
        "garbage",
        "a.b.c",
        access + "x",
    ):
        response = client.get("/api/v1/me", headers=bearer(forged))
        assert response.status_code == 401, forged
        assert response.json()["code"] == "invalid-token"
    assert me_status(client, access) == 200


def test_validly_signed_tokens_still_need_a_live_family(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    """Even with the signing key, a token must name a live token family of its subject."""
    key = seeded.security.keys.derive("jwt:access")
    tokens = api_tokens(client, clock)
    real = jwt.decode(tokens["access_token"], OctKey.import_key(key)).claims
    bernard = account_row(seeded, demo.BERNARD.email)
    cases = {
        "unknown family": claims_for(seeded),
        "family of someone else": claims_for(seeded, sub=str(bernard.id), sid=real["sid"]),
        "other issuer": claims_for(seeded, sid=real["sid"], iss="elsewhere"),
        "no expiry": {k: v for k, v in claims_for(seeded, sid=real["sid"]).items() if k != "exp"},
        "not a uuid": claims_for(seeded, sid="1 OR 1=1"),
    }
    for name, claims in cases.items():
        response = client.get("/api/v1/me", headers=bearer(sign(claims, key)))
        assert response.status_code == 401, name
    good = sign(claims_for(seeded, sid=real["sid"]), key)
    assert me_status(client, good) == 200  # the test's own forging is otherwise right


# --- Language ------------------------------------------------------------------------------


def test_problem_titles_follow_accept_language(client: TestClient, seeded: Container) -> None:
    english = translate("en", "Adresse e-mail ou mot de passe incorrect.")
    if english == "Adresse e-mail ou mot de passe incorrect.":
        pytest.skip("the English catalogue is not compiled yet")
    response = client.post(
        "/api/v1/auth/token",
        json={"email": demo.CAMILLE.email, "password": "wrong-password"},
        headers={"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"},
    )
    assert response.json()["title"] == english
    french = client.post(
        "/api/v1/auth/token",
        json={"email": demo.CAMILLE.email, "password": "wrong-password"},
        headers={"Accept-Language": "fr-FR"},
    )
    assert french.json()["title"] == "Adresse e-mail ou mot de passe incorrect."
