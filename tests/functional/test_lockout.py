"""Guessing defences: lockout per identifier (password and second factor), rate limit per
address, and answers that do not tell whether an account exists."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers_dmp import (
    ALICE,
    NEW_PASSWORD,
    account_row,
    actions,
    activate_to_factor_choice,
    assert_audit_intact,
    audit_lines,
    custom_app,
    error_summary,
    fresh_step,
    is_logged_in,
    login_totp,
    password_step,
    registered_code,
    second_step,
)
from httpx2 import Response

from dmp import demo
from dmp.accounts.passwords import PasswordHasher
from dmp.container import Container
from dmp.shared.clock import FrozenClock
from support import get_csrf, totp

UNKNOWN = "personne.inconnue@demo.test"
TOO_MANY = "Trop de tentatives"


class VerifySpy:
    """Counts argon2 verifications (the expensive step an attacker could time)."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self.calls: list[bool] = []
        self._verify = hasher.verify

    def __call__(self, stored_hash: str | None, password: str) -> bool:
        result = self._verify(stored_hash, password)
        self.calls.append(stored_hash is not None)
        return result

    def take(self) -> int:
        count = len(self.calls)
        self.calls.clear()
        return count


@pytest.fixture
def spy(seeded: Container, monkeypatch: pytest.MonkeyPatch) -> VerifySpy:
    hasher = seeded.security.hasher
    counting = VerifySpy(hasher)
    monkeypatch.setattr(hasher, "verify", counting)
    return counting


def fail_password(client: TestClient, email: str, times: int) -> list[Response]:
    return [password_step(client, email=email, password=f"wrong-{i}") for i in range(times)]


def comparable(page: str, email: str) -> str:
    """A login page with the echoed e-mail address blanked out."""
    return page.replace(email, "EMAIL")


def comparable_problem(response: Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    body.pop("request_id", None)
    return body


# --- Password lockout ----------------------------------------------------------------------


def test_five_wrong_passwords_lock_even_the_right_one(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    refused = fail_password(client, demo.CAMILLE.email, 5)
    # The failure that locks already says so, as at the second-factor step.
    assert [r.status_code for r in refused] == [400] * 4 + [429]

    locked = password_step(client)
    assert locked.status_code == 429
    assert TOO_MANY in error_summary(locked.text)
    assert "Réessayez dans 15 minutes." in locked.text
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
    assert not is_logged_in(client)

    # Case and spaces do not give a fresh counter.
    variant = password_step(client, email="  Camille.MARTIN@demo.test ")
    assert variant.status_code == 429

    # The API shares the lock.
    api = client.post(
        "/api/v1/auth/token",
        json={"email": demo.CAMILLE.email, "password": demo.DEMO_PASSWORD},
    )
    assert api.status_code == 429
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["code"] == "too-many-attempts"
    assert 0 < int(api.headers["Retry-After"]) <= 15 * 60

    clock.advance(minutes=14)
    assert password_step(client).status_code == 429
    clock.advance(minutes=2)
    login_totp(client, clock)
    assert is_logged_in(client)

    account = account_row(seeded, demo.CAMILLE.email)
    lines = audit_lines(seeded, chain=f"account:{account.id}")
    failures = [line for line in lines if line.action == "auth:login:failure"]
    reasons = [json.loads(line.details)["reason"] for line in failures]
    assert reasons.count("password") == 5
    assert "locked" in reasons
    assert all(line.outcome == "failure" for line in failures)
    lockouts = [line for line in lines if line.action == "auth:account:lockout"]
    assert len(lockouts) == 1
    assert_audit_intact(seeded)


def test_lock_doubles_when_guessing_continues(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    fail_password(client, demo.CAMILLE.email, 5)
    clock.advance(minutes=16)
    fail_password(client, demo.CAMILLE.email, 5)
    assert password_step(client).status_code == 429
    clock.advance(minutes=16)
    still = password_step(client)
    assert still.status_code == 429  # 30 minutes this time
    clock.advance(minutes=15)
    assert password_step(client).status_code == 303


def test_lock_on_one_account_does_not_block_another(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    fail_password(client, demo.CAMILLE.email, 5)
    assert password_step(client).status_code == 429
    login_totp(client, clock, demo.BERNARD)
    assert is_logged_in(client)


# --- Second-factor lockout -----------------------------------------------------------------


def test_five_wrong_codes_lock_the_second_factor(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    assert password_step(client).status_code == 303
    fresh_step(clock)
    good = totp(demo.CAMILLE.totp_secret, clock)
    wrong = f"{(int(good) + 500_000) % 1_000_000:06d}"
    answers = [second_step(client, "totp", wrong) for _ in range(5)]
    assert [a.status_code for a in answers] == [400, 400, 400, 400, 429]
    assert TOO_MANY in error_summary(answers[-1].text)
    # The half-done login is dropped: back to the password.
    assert client.get("/login/second-factor").headers["location"] == "/login"

    # Even with the password again and the right code, refused while locked.
    assert password_step(client).status_code == 303
    locked = second_step(client, "totp", good)
    assert locked.status_code == 429
    assert TOO_MANY in locked.text
    assert not is_logged_in(client)
    # Recovery codes and e-mailed codes are locked too (same account).
    assert password_step(client).status_code == 303
    assert second_step(client, "recovery", "AAAA-BBBB-CCCC-DDDD").status_code == 429

    account = account_row(seeded, demo.CAMILLE.email)
    lines = audit_lines(seeded, chain=f"account:{account.id}")
    lockouts = [line for line in lines if line.action == "auth:account:lockout"]
    assert [json.loads(line.details)["reason"] for line in lockouts] == ["second-factor"]

    clock.advance(minutes=16)
    login_totp(client, clock)
    assert is_logged_in(client)
    assert_audit_intact(seeded)


def test_second_factor_lock_applies_to_the_api_too(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    body = {"email": demo.CAMILLE.email, "password": demo.DEMO_PASSWORD, "otp": "000000"}
    fresh_step(clock)
    if totp(demo.CAMILLE.totp_secret, clock) == "000000":  # pragma: no cover (1 in a million)
        fresh_step(clock)
    answers = [client.post("/api/v1/auth/token", json=body) for _ in range(5)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
    good = {**body, "otp": totp(demo.CAMILLE.totp_secret, clock)}
    assert client.post("/api/v1/auth/token", json=good).status_code == 429
    assert password_step(client).status_code == 303
    assert second_step(client, "totp", good["otp"]).status_code == 429


# --- Enumeration resistance ----------------------------------------------------------------


def test_unknown_email_and_wrong_password_look_the_same(
    client: TestClient, seeded: Container, spy: VerifySpy
) -> None:
    known = password_step(client, email=demo.CAMILLE.email, password="wrong-password-1")
    assert spy.take() == 1
    unknown = password_step(client, email=UNKNOWN, password="wrong-password-1")
    assert spy.take() == 1

    assert known.status_code == unknown.status_code == 400
    assert error_summary(known.text) == error_summary(unknown.text)
    assert "Adresse e-mail ou mot de passe incorrect." in error_summary(known.text)
    assert comparable(known.text, demo.CAMILLE.email) == comparable(unknown.text, UNKNOWN)

    api_known = client.post(
        "/api/v1/auth/token", json={"email": demo.CAMILLE.email, "password": "wrong-password-2"}
    )
    assert spy.take() == 1
    api_unknown = client.post(
        "/api/v1/auth/token", json={"email": UNKNOWN, "password": "wrong-password-2"}
    )
    assert spy.take() == 1
    assert api_known.status_code == api_unknown.status_code == 401
    assert api_known.content.replace(
        api_known.json()["request_id"].encode(), b"RID"
    ) == api_unknown.content.replace(api_unknown.json()["request_id"].encode(), b"RID")
    assert api_known.headers["www-authenticate"] == api_unknown.headers["www-authenticate"]


def test_locked_unknown_and_locked_known_look_the_same(
    client: TestClient, seeded: Container, spy: VerifySpy
) -> None:
    for email in (demo.CAMILLE.email, UNKNOWN):
        fail_password(client, email, 5)
    spy.take()

    known = password_step(client, email=demo.CAMILLE.email, password=demo.DEMO_PASSWORD)
    assert spy.take() == 1
    unknown = password_step(client, email=UNKNOWN, password=demo.DEMO_PASSWORD)
    assert spy.take() == 1
    assert known.status_code == unknown.status_code == 429
    assert error_summary(known.text) == error_summary(unknown.text)
    assert TOO_MANY in error_summary(known.text)
    assert comparable(known.text, demo.CAMILLE.email) == comparable(unknown.text, UNKNOWN)

    api: list[Response] = []
    for email in (demo.CAMILLE.email, UNKNOWN):
        api.append(
            client.post("/api/v1/auth/token", json={"email": email, "password": demo.DEMO_PASSWORD})
        )
        assert spy.take() == 1
    assert api[0].status_code == api[1].status_code == 429
    assert comparable_problem(api[0]) == comparable_problem(api[1])
    assert api[0].headers["retry-after"] == api[1].headers["retry-after"]


def test_account_awaiting_activation_looks_unknown(
    client: TestClient,
    seeded: Container,
    clock: FrozenClock,
    outbox: Any,
    app: Any,
    spy: VerifySpy,
) -> None:
    """A registered patient who has chosen a password but not finished activating cannot log
    in, and the refusal is the one an unknown address gets."""
    code = registered_code(client, clock, outbox)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as patient:
        activate_to_factor_choice(patient, code)
    spy.take()
    pending = password_step(client, email=ALICE.email, password=NEW_PASSWORD)
    assert spy.take() == 1
    unknown = password_step(client, email=UNKNOWN, password=NEW_PASSWORD)
    assert spy.take() == 1
    assert pending.status_code == unknown.status_code == 400
    assert comparable(pending.text, ALICE.email) == comparable(unknown.text, UNKNOWN)


def test_failures_are_audited_on_the_right_chain(client: TestClient, seeded: Container) -> None:
    password_step(client, email=UNKNOWN, password="guess-1")
    password_step(client, email=demo.CAMILLE.email, password="guess-2")

    security = audit_lines(seeded, chain="security")
    assert [(line.action, line.outcome) for line in security] == [("auth:login:failure", "failure")]
    assert security[0].actor_account_id is None
    assert json.loads(security[0].details) == {"reason": "password"}
    assert UNKNOWN not in security[0].details  # the guessed address is not stored in clear

    account = account_row(seeded, demo.CAMILLE.email)
    mine = [
        line
        for line in audit_lines(seeded, chain=f"account:{account.id}")
        if line.action == "auth:login:failure"
    ]
    assert len(mine) == 1
    assert mine[0].actor_account_id == account.id
    assert "auth:login:failure" not in actions(
        seeded, chain=f"account:{account_row(seeded, demo.BERNARD.email).id}"
    )
    assert_audit_intact(seeded)


# --- Rate limit per address ----------------------------------------------------------------


def test_rate_limit_per_address_covers_every_identifier(
    tmp_path: Path, database_url: str, clock: FrozenClock, seeded: Container
) -> None:
    with custom_app(tmp_path, database_url, clock, ip_rate_limit=3) as (client, _):
        attempts = [
            password_step(client, email=f"guess{i}@demo.test", password="x" * 12) for i in range(3)
        ]
        assert [attempt.status_code for attempt in attempts] == [400, 400, 400]
        # Now even a correct password for another account is refused from this address.
        limited = password_step(client, demo.BERNARD)
        assert limited.status_code == 429
        assert TOO_MANY in limited.text
        api = client.post(
            "/api/v1/auth/token", json={"email": demo.PETIT.email, "password": "whatever"}
        )
        assert api.status_code == 429
        assert "retry-after" in api.headers
        clock.advance(minutes=5, seconds=1)
        get_csrf(client)
        assert password_step(client, demo.BERNARD).status_code == 303
