"""Home, help and documentation, language switch, and the development mailbox."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import func, select

from dmp.access.policy import Action
from dmp.access.services import Access
from dmp.config import Environment
from dmp.identity.model import Role
from dmp.identity.orm import LegalRepresentativeRow, PatientRow
from dmp.linked.queries import in_force
from dmp.notifications.adapters import MemoryOutbox
from dmp.notifications.orm import InboxRow
from dmp.records import documents, history, presenters
from dmp.shared.errors import N_, NotFound
from dmp.shared.i18n import DISPLAY_TZ, normalise_language
from dmp.web.context import Web, WebDep, WebFormDep, safe_next

router = APIRouter()

HOME_TITLE = N_("Accueil")
HELP_TITLE = N_("Aide")
OUTBOX_TITLE = N_("Messages envoyés (développement)")
_DOC_NAME = re.compile(r"^[a-z0-9\-]{1,60}$")

# Documentation pages linked from the help page, in both languages.
HELP_DOCS = (
    ("user-guide", N_("Guide d'utilisation")),
    ("security", N_("Sécurité et confidentialité")),
    ("api", N_("API pour les logiciels")),
    ("operations", N_("Installer et exploiter dmp")),
)


@router.get("/")
def home(web: WebDep) -> Response:
    account = web.account
    represented: list[PatientRow] = []
    if account is not None and account.patient_id is not None:
        represented = list(
            web.db.scalars(
                select(PatientRow)
                .join(LegalRepresentativeRow, LegalRepresentativeRow.patient_id == PatientRow.id)
                .where(
                    LegalRepresentativeRow.representative_id == account.patient_id,
                    *in_force(web.container.clock.now().astimezone(DISPLAY_TZ).date()),
                )
                .order_by(PatientRow.birth_date)
            )
        )
    roles = account.role_names if account else frozenset()
    dashboard = _patient_dashboard(web) if account and Role.patient in roles else {}
    return web.render(
        "pages/home.html",
        title=HOME_TITLE,
        represented=represented,
        is_patient=Role.patient in roles,
        is_professional=Role.professional in roles,
        can_register=bool(roles & {Role.professional, Role.operator}),
        **dashboard,
    )


def _patient_dashboard(web: Web) -> dict[str, Any]:
    """The three things people come for: latest documents, what is waiting, recent accesses."""
    account = web.account
    assert account is not None and account.patient_id is not None
    access = Access(
        web.db, web.container.settings, web.container.clock, web.ctx, account, account.patient_id
    )
    unread = (
        web.db.scalar(
            select(func.count())
            .select_from(InboxRow)
            .where(InboxRow.account_id == account.id, InboxRow.read_at.is_(None))
        )
        or 0
    )
    latest: list[Any] = []
    entries: list[Any] = []
    if access.facts.status is not None:
        if access.decide(Action.documents_list).allowed:
            latest = documents.list_documents(access, documents.DocumentQuery(limit=3)).items
        entries, _total = history.history(
            web.db, account.patient_id, professionals_only=True, limit=3
        )
    return {
        "has_record": access.facts.status is not None,
        "record_open": access.facts.status is not None and access.facts.status.value == "open",
        "latest": latest,
        "recent_accesses": entries,
        "unread": unread,
        "action_labels": history.ACTION_LABELS,
        "type_label": lambda code: presenters.type_label(code, web.language),
    }


def docs_dir(web: Web) -> Path:
    configured = web.container.settings.docs_dir
    return configured if configured else Path(__file__).resolve().parents[3] / "docs"


@router.get("/help")
def help_page(web: WebDep) -> Response:
    available = [(slug, label) for slug, label in HELP_DOCS if _doc_path(web, slug) is not None]
    return web.render("pages/help.html", title=HELP_TITLE, docs=available)


def _doc_path(web: Web, slug: str) -> Path | None:
    base = docs_dir(web)
    suffix = "" if web.language == "fr" else f".{web.language}"
    for candidate in (base / f"{slug}{suffix}.md", base / f"{slug}.md"):
        if candidate.is_file():
            return candidate
    return None


@router.get("/help/{slug}")
def help_doc(web: WebDep, slug: str) -> Response:
    path = _doc_path(web, slug) if _DOC_NAME.match(slug) else None
    if path is None:
        raise NotFound(N_("Cette page d'aide n'existe pas."))
    text = path.read_text("utf-8")
    heading = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), slug)
    body = text.split("\n", 1)[1] if text.startswith("# ") else text
    # Raw HTML in the Markdown is escaped, not rendered: the docs are content, not code.
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(body)
    return web.render("pages/doc.html", title=heading, content=Markup(html))  # noqa: S704 (html=False above)


@router.post("/language")
def switch_language(
    web: WebFormDep,
    language: Annotated[str, Form(max_length=5)] = "fr",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    code = normalise_language(language)
    if code:
        web.ensure_session().language = code
        web.language = code
        if web.account is not None:
            web.account.preferred_language = code
    return web.redirect(safe_next(next))


@router.get("/dev/outbox")
def dev_outbox(web: WebDep) -> Response:
    """Development only: the e-mails and texts the console adapters 'sent'."""
    if web.container.settings.environment is not Environment.development:
        raise NotFound(N_("Cette page n'existe pas ou n'est plus disponible."))
    messages = []
    for sender in (web.container.email, web.container.sms):
        if isinstance(sender, MemoryOutbox):
            messages.extend(sender.messages())
    messages.sort(key=lambda m: m.created_at, reverse=True)
    return web.render("pages/outbox.html", title=OUTBOX_TITLE, messages=messages[:50])
