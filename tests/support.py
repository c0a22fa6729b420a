"""Helpers for the functional and browser tests: seeding, reading forms, logging in."""

from __future__ import annotations

import re
from typing import Any

import pyotp
from fastapi.testclient import TestClient
from httpx2 import Response

from dmp import demo
from dmp.container import Container
from dmp.shared.clock import FrozenClock
from dmp.shared.db import transaction

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def seed_demo(container: Container) -> None:
    with transaction(container.sessions) as session:
        demo.seed(session, container.security)


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def totp(secret: str, clock: FrozenClock) -> str:
    return pyotp.TOTP(secret).at(clock.now())


def get_csrf(client: TestClient, path: str = "/login") -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return csrf_of(response.text)


def post_form(
    client: TestClient, path: str, data: dict[str, Any], *, csrf_from: str | None = None
) -> Response:
    token = get_csrf(client, csrf_from or path)
    return client.post(path, data={**data, "csrf_token": token})


def web_login(
    client: TestClient,
    clock: FrozenClock,
    account: demo.DemoAccount = demo.CAMILLE,
    password: str = demo.DEMO_PASSWORD,
) -> Response:
    """Password then TOTP, as a person would; returns the final redirect."""
    first = post_form(client, "/login", {"email": account.email, "password": password})
    assert first.status_code == 303, first.text
    assert first.headers["location"].startswith("/login/second-factor")
    clock.advance(seconds=31)  # a fresh TOTP step, so earlier logins never look like replays
    second = post_form(
        client,
        "/login/second-factor",
        {"method": "totp", "code": totp(account.totp_secret, clock)},
        csrf_from=first.headers["location"],
    )
    assert second.status_code == 303, second.text
    return second


def api_tokens(
    client: TestClient, clock: FrozenClock, account: demo.DemoAccount = demo.CAMILLE
) -> dict[str, Any]:
    clock.advance(seconds=31)
    response = client.post(
        "/api/v1/auth/token",
        json={
            "email": account.email,
            "password": demo.DEMO_PASSWORD,
            "otp": totp(account.totp_secret, clock),
        },
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
