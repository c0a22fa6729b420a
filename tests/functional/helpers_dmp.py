"""Helpers for the functional tests: reading pages and e-mails, audit look-ups, and the steps
people take (logging in, registering and activating a patient)."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select

from dmp import demo
from dmp.accounts.orm import AccountRow, MfaFactorRow
from dmp.audit.orm import AuditEventRow
from dmp.audit.services import verify_all
from dmp.bootstrap import create_app
from dmp.container import Container, build_container
from dmp.identity.nir import control_key
from dmp.notifications.adapters import MemoryOutbox
from dmp.shared.clock import FrozenClock
from dmp.shared.db import transaction
from support import api_tokens, bearer, get_csrf, post_form, totp
from testenv import make_settings

SESSION_COOKIE = "dmp_session"
NEW_PASSWORD = "Velo-Orange-Montagne-42"


# --- Reading pages and messages ------------------------------------------------------------


def error_summary(page: str) -> str:
    """The error summary block of a form page ('' when the page shows none)."""
    match = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    return match.group(0) if match else ""


def text_of(page: str) -> str:
    """Page text with tags removed and entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def html_lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', page)
    assert match, "page has no <html lang>"
    return match.group(1)


def otp_code(body: str) -> str:
    match = re.search(r"\b(\d{6})\b", body)
    assert match, f"no 6-digit code in {body!r}"
    return match.group(1)


def activation_code(body: str) -> str:
    match = re.search(r"code provisoire : ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", body)
    assert match, f"no activation code in {body!r}"
    return match.group(1)


def page_codes(page: str) -> list[str]:
    """Recovery codes shown on the recovery codes page."""
    return re.findall(r"<li><code>([0-9A-Z\-]+)</code></li>", page)


def totp_secret(page: str) -> str:
    match = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page)
    assert match, "no TOTP secret on the page"
    return match.group(1).replace(" ", "")


# --- Database look-ups ---------------------------------------------------------------------


def account_row(container: Container, email: str) -> AccountRow:
    with transaction(container.sessions) as session:
        account = session.scalars(select(AccountRow).where(AccountRow.email == email)).one()
        session.expunge(account)
        return account


def factors_of(container: Container, email: str) -> dict[str, list[uuid.UUID]]:
    """Confirmed factor ids by kind."""
    account = account_row(container, email)
    found: dict[str, list[uuid.UUID]] = {}
    with transaction(container.sessions) as session:
        for factor in session.scalars(
            select(MfaFactorRow)
            .where(MfaFactorRow.account_id == account.id, MfaFactorRow.confirmed_at.is_not(None))
            .order_by(MfaFactorRow.created_at)
        ):
            found.setdefault(factor.kind, []).append(factor.id)
    return found


def remove_factors(container: Container, email: str, kind: str) -> None:
    account = account_row(container, email)
    with transaction(container.sessions) as session:
        for factor in session.scalars(
            select(MfaFactorRow).where(
                MfaFactorRow.account_id == account.id, MfaFactorRow.kind == kind
            )
        ):
            session.delete(factor)


@dataclass(frozen=True)
class AuditLine:
    chain: str
    action: str
    outcome: str
    actor_account_id: uuid.UUID | None
    details: str


def audit_lines(container: Container, *, chain: str | None = None) -> list[AuditLine]:
    with transaction(container.sessions) as session:
        query = select(AuditEventRow).order_by(AuditEventRow.id)
        if chain is not None:
            query = query.where(AuditEventRow.chain == chain)
        return [
            AuditLine(row.chain, row.action, row.outcome, row.actor_account_id, row.details)
            for row in session.scalars(query)
        ]


def actions(container: Container, *, chain: str | None = None) -> list[str]:
    return [line.action for line in audit_lines(container, chain=chain)]


def assert_audit_intact(container: Container) -> None:
    with transaction(container.sessions) as session:
        report = verify_all(session)
    assert report.ok, [str(b) for b in report.breaks]


# --- What people do ------------------------------------------------------------------------


def fresh_step(clock: FrozenClock) -> None:
    """Move to the next TOTP time step, so a new code is never taken for a replay."""
    clock.advance(seconds=31)


def password_step(
    client: TestClient,
    account: demo.DemoAccount = demo.CAMILLE,
    password: str = demo.DEMO_PASSWORD,
    *,
    email: str | None = None,
    next_path: str | None = None,
) -> Response:
    data: dict[str, Any] = {"email": email or account.email, "password": password}
    if next_path is not None:
        data["next"] = next_path
    return post_form(client, "/login", data)


def second_step(client: TestClient, method: str, code: str, **extra: str) -> Response:
    return post_form(
        client,
        "/login/second-factor",
        {"method": method, "code": code, **extra},
        csrf_from=f"/login/second-factor?method={method}",
    )


def login_totp(
    client: TestClient,
    clock: FrozenClock,
    account: demo.DemoAccount = demo.CAMILLE,
    password: str = demo.DEMO_PASSWORD,
    *,
    secret: str | None = None,
) -> Response:
    first = password_step(client, account, password)
    assert first.status_code == 303, first.text
    fresh_step(clock)
    second = second_step(client, "totp", totp(secret or account.totp_secret, clock))
    assert second.status_code == 303, second.text
    return second


def logout(client: TestClient) -> None:
    response = post_form(client, "/logout", {}, csrf_from="/")
    assert response.status_code == 303, response.text


def is_logged_in(client: TestClient) -> bool:
    response = client.get("/account")
    if response.status_code == 303:
        assert response.headers["location"].startswith("/login?next=")
        return False
    assert response.status_code == 200, response.text
    return True


def session_cookie(client: TestClient) -> str | None:
    return client.cookies.get(SESSION_COOKIE)


def api_login(
    client: TestClient, clock: FrozenClock, account: demo.DemoAccount = demo.CAMILLE
) -> dict[str, Any]:
    return api_tokens(client, clock, account)


def me_status(client: TestClient, access_token: str) -> int:
    return client.get("/api/v1/me", headers=bearer(access_token)).status_code


# --- Patients ------------------------------------------------------------------------------


def make_nir(
    sex: str = "2",
    year: str = "90",
    month: str = "05",
    departement: str = "75",
    commune: str = "056",
    order: str = "123",
) -> str:
    body = f"{sex}{year}{month}{departement}{commune}{order}"
    return f"{body}{control_key(body):02d}"


@dataclass(frozen=True)
class NewPatient:
    email: str = "alice.durand@example.test"
    birth_name: str = "DURAND"
    first_given_name: str = "Alice"
    birth_given_names: str = "Alice Marie"
    sex: str = "F"
    birth_date: dt.date = dt.date(1990, 5, 14)
    birth_place_code: str = "75056"
    nir: str = make_nir()

    def api_body(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "birth_name": self.birth_name,
            "first_given_name": self.first_given_name,
            "birth_given_names": self.birth_given_names,
            "sex": self.sex,
            "birth_date": self.birth_date.isoformat(),
            "birth_place_code": self.birth_place_code,
            "ins_matricule": self.nir,
            "identity_source": "insi",
            "document_checked": True,
            "email": self.email,
        }
        body.update(overrides)
        return body

    def form(self, **overrides: str) -> dict[str, str]:
        data = {
            "birth_name": self.birth_name,
            "first_given_name": self.first_given_name,
            "birth_given_names": self.birth_given_names,
            "sex": self.sex,
            "birth_day": str(self.birth_date.day),
            "birth_month": str(self.birth_date.month),
            "birth_year": str(self.birth_date.year),
            "birth_place_code": self.birth_place_code,
            "ins_matricule": self.nir,
            "identity_source": "insi",
            "document_checked": "1",
            "email": self.email,
            "phone": "",
        }
        data.update(overrides)
        return data

    def activation_form(self, code: str, **overrides: str) -> dict[str, str]:
        data = {
            "code": code,
            "ins_matricule": self.nir,
            "birth_day": str(self.birth_date.day),
            "birth_month": str(self.birth_date.month),
            "birth_year": str(self.birth_date.year),
        }
        data.update(overrides)
        return data


ALICE = NewPatient()


def register_via_api(
    client: TestClient,
    clock: FrozenClock,
    patient: NewPatient = ALICE,
    by: demo.DemoAccount = demo.ADMIN,
) -> Response:
    tokens = api_tokens(client, clock, by)
    response = client.post(
        "/api/v1/patients", json=patient.api_body(), headers=bearer(tokens["access_token"])
    )
    return response


def registered_code(
    client: TestClient, clock: FrozenClock, outbox: MemoryOutbox, patient: NewPatient = ALICE
) -> str:
    """Register ``patient`` as the operator (in a separate API client) and return the code
    the patient received."""
    response = register_via_api(client, clock, patient)
    assert response.status_code == 201, response.text
    return activation_code(outbox.last(patient.email).body)


def activate_to_factor_choice(
    client: TestClient,
    code: str,
    patient: NewPatient = ALICE,
    password: str = NEW_PASSWORD,
) -> None:
    """Steps 1 and 2 of the activation: code and traits, then the password."""
    first = post_form(client, "/activation", patient.activation_form(code))
    assert first.status_code == 303, first.text
    assert first.headers["location"] == "/activation/password"
    second = post_form(
        client,
        "/activation/password",
        {"password": password, "password_confirm": password},
    )
    assert second.status_code == 303, second.text
    assert second.headers["location"] == "/activation/second-factor"


def start_factor(client: TestClient, kind: str, phone: str = "") -> Response:
    data = {"kind": kind}
    if phone:
        data["phone"] = phone
    return post_form(client, "/account/second-factors/new", data)


def csrf_for(client: TestClient, path: str) -> str:
    return get_csrf(client, path)


# --- Apps with other settings --------------------------------------------------------------


@contextmanager
def custom_app(
    tmp_path: Path, database_url: str, clock: FrozenClock, **overrides: object
) -> Iterator[tuple[TestClient, Container]]:
    """A second app on the test database, with some settings changed."""
    settings = make_settings(tmp_path, database_url, **overrides)
    container = build_container(settings, clock=clock, email=MemoryOutbox(), sms=MemoryOutbox())
    try:
        app = create_app(settings, container=container)
        with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
            yield client, container
    finally:
        container.dispose()


def pyotp_now(secret: str, clock: FrozenClock) -> str:
    return pyotp.TOTP(secret).at(clock.now())
