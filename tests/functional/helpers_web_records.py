"""Helpers for the record's web pages through TestClient: the demo records (seeded with
:func:`dmp.demo_records.seed_records`), one browser per person, and small readers for the
server-rendered pages (links, forms, tables, banners).

Every form is posted the way a browser would: the page holding the form is fetched first, the
form's ``action`` must be on it, and its CSRF token is sent back with the fields.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from fastapi import FastAPI
from fastapi.testclient import TestClient
from helpers_dmp import text_of
from httpx2 import Response
from sqlalchemy import select

from dmp import demo
from dmp.accounts.queries import account_by_email
from dmp.audit.model import chain_for_patient
from dmp.audit.orm import AuditEventRow
from dmp.container import Container
from dmp.demo_records import seed_records
from dmp.identity import services as identity_services
from dmp.notifications.orm import InboxRow
from dmp.records.documents import Storage
from dmp.records.orm import DocumentRow
from dmp.shared.clock import FrozenClock
from dmp.shared.db import transaction
from support import csrf_of, web_login

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
RANDOM_ID = "0b6f3c1e-2a4d-4e8f-9c7b-5d1a2e3f4a5b"

# Camille's four demo documents and Léo's one (dmp.demo_records).
SUIVI = "Consultation de suivi"  # Dr Bernard, PDF, 40 days ago
BILAN = "Bilan biologique"  # Dr Bernard, text, 30 days ago
CARDIO = "Consultation de cardiologie"  # Dr Petit, PDF, 10 days ago
ANTECEDENTS = "Mes antécédents familiaux"  # Camille herself, text, today
VACCINATION = "Certificat de vaccination"  # Léo's record, Dr Bernard


# --- Seeding -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoRecords:
    camille: uuid.UUID  # patient ids
    leo: uuid.UUID
    documents: dict[str, uuid.UUID]  # title → id, on Camille's record
    leo_documents: dict[str, uuid.UUID]  # title → id, on Léo's record
    professional: dict[str, uuid.UUID]  # e-mail → professional id

    def path(self, suffix: str = "/documents", patient: uuid.UUID | None = None) -> str:
        return f"/records/{patient or self.camille}{suffix}"

    def doc(self, title: str, suffix: str = "") -> str:
        return f"/records/{self.camille}/documents/{self.documents[title]}{suffix}"


def storage(container: Container) -> Storage:
    return Storage(
        blobs=container.blobs,
        keks=container.keks,
        max_bytes=container.settings.max_document_mb * 1024 * 1024,
    )


def seed_demo_records(container: Container) -> DemoRecords:
    """The demo records on top of the demo accounts (the ``seeded`` fixture): Bernard is
    Camille's médecin traitant, Petit is authorised, Léo's record holds one document."""
    with transaction(container.sessions) as session:
        created = seed_records(session, container.settings, container.clock, storage(container))
        assert created, "demo records already seeded"
    with transaction(container.sessions) as session:
        camille = identity_services.patient_by_matricule(session, demo.CAMILLE_NIR)
        leo = identity_services.patient_by_matricule(session, demo.LEO_NIR)
        assert camille is not None
        assert leo is not None
        professionals = {}
        for account in (demo.BERNARD, demo.PETIT, demo.LEFEVRE):
            row = account_by_email(session, account.email)
            assert row is not None
            assert row.professional_id is not None
            professionals[account.email] = row.professional_id
        camille_id, leo_id = camille.id, leo.id
    return DemoRecords(
        camille_id,
        leo_id,
        titles_to_ids(container, camille_id),
        titles_to_ids(container, leo_id),
        professionals,
    )


# --- Database look-ups ---------------------------------------------------------------------


def documents_of(container: Container, patient_id: uuid.UUID) -> list[DocumentRow]:
    with transaction(container.sessions) as session:
        rows = list(
            session.scalars(
                select(DocumentRow)
                .where(DocumentRow.patient_id == patient_id)
                .order_by(DocumentRow.submitted_at, DocumentRow.series_number)
            )
        )
        session.expunge_all()
        return rows


def document_of(container: Container, document_id: uuid.UUID | str) -> DocumentRow:
    with transaction(container.sessions) as session:
        row = session.get(DocumentRow, uuid.UUID(str(document_id)))
        assert row is not None
        session.expunge(row)
        return row


def patient_id_of(container: Container, nir: str) -> uuid.UUID:
    with transaction(container.sessions) as session:
        patient = identity_services.patient_by_matricule(session, nir)
        assert patient is not None, nir
        return patient.id


def titles_to_ids(container: Container, patient_id: uuid.UUID) -> dict[str, uuid.UUID]:
    return {row.title: row.id for row in documents_of(container, patient_id)}


def record_actions(
    container: Container, patient_id: uuid.UUID, action: str | None = None
) -> list[AuditEventRow]:
    """Audit entries on one record's chain, oldest first."""
    with transaction(container.sessions) as session:
        query = select(AuditEventRow).where(AuditEventRow.chain == chain_for_patient(patient_id))
        if action is not None:
            query = query.where(AuditEventRow.action == action)
        rows = list(session.scalars(query.order_by(AuditEventRow.seq)))
        session.expunge_all()
        return rows


def modes_of(entries: list[AuditEventRow]) -> list[str]:
    """The access mode each audit entry was recorded with (its ``details.mode``)."""
    return [json.loads(entry.details).get("mode", "") for entry in entries]


def inbox(container: Container, email: str) -> list[InboxRow]:
    with transaction(container.sessions) as session:
        account = account_by_email(session, email)
        assert account is not None
        rows = list(
            session.scalars(
                select(InboxRow)
                .where(InboxRow.account_id == account.id)
                .order_by(InboxRow.created_at, InboxRow.id)
            )
        )
        session.expunge_all()
        return rows


# --- Reading pages -------------------------------------------------------------------------

LINK = re.compile(r'<a\b[^>]*\bhref="([^"]*)"[^>]*>(.*?)</a>', re.S)


def links(page: str) -> list[tuple[str, str]]:
    """(href, text) of every link, text with tags removed."""
    return [(html.unescape(href), text_of(inner)) for href, inner in LINK.findall(page)]


def hrefs(page: str) -> list[str]:
    return [href for href, _text in links(page)]


def main_of(page: str) -> str:
    match = re.search(r"<main\b.*?</main>", page, re.S)
    assert match, "page has no <main>"
    return match.group(0)


def block(page: str, tag: str, css_class: str) -> str:
    """The first ``<tag class="… css_class …">`` element ('' when absent); no nesting of the
    same tag inside."""
    match = re.search(
        rf'<{tag}\b[^>]*class="[^"]*\b{re.escape(css_class)}\b[^"]*"[^>]*>.*?</{tag}>', page, re.S
    )
    return match.group(0) if match else ""


def record_nav(page: str) -> list[tuple[str, str]]:
    """The record navigation strip (``nav.record-nav``) as (href, label)."""
    return links(block(page, "nav", "record-nav"))


def record_owner(page: str) -> str:
    return text_of(block(page, "p", "record-owner"))


def emergency_banner(page: str) -> str:
    return text_of(block(page, "div", "banner-emergency"))


def flash(page: str) -> str:
    return text_of(block(page, "div", "banner-success"))


def table_rows(page: str) -> list[str]:
    """The text of each row of the page's main table body."""
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    if body is None:
        return []
    return [text_of(row) for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]


def listed_titles(page: str) -> list[str]:
    """Titles of the documents in a documents list, in page order."""
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    if body is None:
        return []
    return [
        text_of(title)
        for title in re.findall(
            r'<td><a href="/records/[^"]+/documents/[^"]+">(.*?)</a>', body.group(1)
        )
    ]


def listed_ids(page: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    if body is None:
        return []
    return re.findall(r'<td><a href="/records/[^"/]+/documents/([^"/]+)">', body.group(1))


def section(page: str, heading: str) -> str:
    """The text from the ``<h2>`` titled ``heading`` up to the next ``<h2>`` (or the end of
    ``<main>``)."""
    main = main_of(page)
    match = re.search(
        rf"<h2[^>]*>\s*{re.escape(html.escape(heading))}\s*</h2>(.*?)(?=<h2|</main>)", main, re.S
    )
    assert match, f"no section {heading!r}"
    return text_of(match.group(1))


def resolve(path: str, href: str) -> str:
    """A link's target as a path with its query, relative to the page at ``path``."""
    parts = urlsplit(urljoin("http://testserver" + path, href))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def link_to(page: str, text: str) -> str:
    """The href of the first link whose text is ``text`` (the visible text, hidden parts
    included)."""
    for href, label in links(page):
        if label == text or label.startswith(text + " "):
            return href
    raise AssertionError(f"no link {text!r} in {[label for _h, label in links(page)]}")


def has_form(page: str, action: str) -> bool:
    return f'action="{action}"' in page


def checked(page: str, name: str) -> bool:
    match = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    assert match, f"no input {name!r}"
    return " checked" in match.group(0)


def error_text(page: str) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    return text_of(match.group(0)) if match else ""


def not_found_body(response: Response) -> str:
    """A 404 page's visible text without its request reference (which differs per request)."""
    assert response.status_code == 404, (response.status_code, response.text[:300])
    return re.sub(r"Référence de la demande : \S+", "", text_of(main_of(response.text)))


# --- Browsers ------------------------------------------------------------------------------


class Browser:
    """One person's browser: a TestClient with its own cookies, logged in through the forms."""

    def __init__(self, client: TestClient, clock: FrozenClock) -> None:
        self.client = client
        self.clock = clock

    def login(self, account: demo.DemoAccount) -> Browser:
        done = web_login(self.client, self.clock, account)
        assert done.status_code == 303
        return self

    def get(self, path: str, expected: int = 200, **params: Any) -> Response:
        response = self.client.get(path, params=params or None)
        assert response.status_code == expected, (path, response.status_code, response.text[:500])
        return response

    def page(self, path: str, **params: Any) -> str:
        return self.get(path, **params).text

    def submit(
        self,
        form_page: str,
        action: str,
        data: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
    ) -> Response:
        """Open ``form_page``, check it holds a form posting to ``action``, post it."""
        page = self.page(form_page)
        assert has_form(page, action), f"no form to {action} on {form_page}"
        fields = {**(data or {}), "csrf_token": csrf_of(page)}
        return self.client.post(action, data=fields, files=files)

    def follow(self, response: Response, expected: int = 200) -> str:
        """The page a 303 leads to."""
        assert response.status_code == 303, (response.status_code, response.text[:500])
        return self.page(response.headers["location"]) if expected == 200 else ""

    def post_raw(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Response:
        """A POST as an attacker would send it: no form read first."""
        return self.client.post(path, data=data, **kwargs)


Login = Callable[[demo.DemoAccount], "Browser"]


@contextmanager
def browsers(app: FastAPI, clock: FrozenClock) -> Iterator[Callable[[demo.DemoAccount], Browser]]:
    """Opens a logged-in browser per person, all closed at the end."""
    with ExitStack() as stack:

        def open_as(account: demo.DemoAccount) -> Browser:
            return stack.enter_context(browser(app, clock)).login(account)

        yield open_as


@contextmanager
def browser(app: FastAPI, clock: FrozenClock) -> Iterator[Browser]:
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield Browser(client, clock)
