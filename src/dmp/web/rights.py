""" "Mes droits": see and download one's data, correct an error, consents and the research
opposition, closing the record or asking for deletion, the DPO, and what is kept and why.
Also the answering side: professionals (/pro/rectifications) and operators or support
(/support/rectifications) answer the rectification requests addressed to them."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form
from fastapi.responses import Response

from dmp.access.policy import Action
from dmp.accounts.orm import AccountRow
from dmp.identity.model import Role
from dmp.identity.orm import PatientRow, ProfessionalRow
from dmp.profile.model import CATEGORIES
from dmp.profile.orm import ProfileEntryRow
from dmp.profile.presenters import describe
from dmp.records.orm import DocumentRow
from dmp.records.presenters import professional_name
from dmp.rights import services
from dmp.rights.model import (
    CHANNEL_LABELS,
    DESCRIPTION_MAX,
    IDENTITY_TRAITS,
    NOTIFICATION_SCOPES,
    PURPOSE_LABELS,
    STATUS_LABELS,
    RequestStatus,
    Route,
    TargetKind,
)
from dmp.rights.orm import ConsentRow, RectificationRow
from dmp.rights.texts import CURRENT, text_of
from dmp.shared.errors import N_, DomainError, NotFound
from dmp.shared.i18n import format_date
from dmp.web.context import Web, WebDep, WebFormDep
from dmp.web.record_common import RecordPage, parse_id, record_page

router = APIRouter()

RIGHTS_TITLE = N_("Mes droits")
REQUESTS_TITLE = N_("Mes demandes de rectification")
NEW_REQUEST_TITLE = N_("Signaler une erreur")
CONSENTS_TITLE = N_("Mes consentements")
INBOX_TITLE = N_("Demandes de rectification")
ANSWER_TITLE = N_("Répondre à une demande de rectification")
ANSWERED_TITLE = N_("Demande de rectification")

ANSWERING_ROLES = (Role.operator, Role.support)


# --- Words for a request's subject ------------------------------------------------------------


def identity_value(patient: PatientRow, trait: str, web: Web) -> str:
    value = getattr(patient, trait, None)
    if value is None:
        return web.gettext("non renseigné")
    if trait == "birth_date":
        return _date(web, value)
    if trait == "sex":
        return {"F": web.gettext("Féminin"), "M": web.gettext("Masculin")}.get(
            str(value), web.gettext("Indéterminé")
        )
    return str(value)


def _date(web: Web, value: Any) -> str:
    return format_date(value, web.language)


def subject(web: Web, row: RectificationRow) -> str:
    """The item a request is about, in words (its author, or the holder's side, reads it)."""
    if row.target_kind == TargetKind.identity.value and row.target_trait:
        return web.gettext(IDENTITY_TRAITS[row.target_trait])
    if row.target_kind == TargetKind.document.value and row.target_id:
        document = web.db.get(DocumentRow, row.target_id)
        if document is not None:
            return web.gettext("Document « %(title)s »", title=document.title)
        return web.gettext("Un document")
    entry = web.db.get(ProfileEntryRow, row.target_id) if row.target_id else None
    if entry is not None:
        return web.gettext(
            "%(category)s : %(entry)s",
            category=web.gettext(CATEGORIES[entry.category].singular),
            entry=describe(entry, web.gettext),
        )
    return web.gettext("Une information du profil médical")


def _request_views(web: Web, rows: list[RectificationRow]) -> list[dict[str, Any]]:
    return [
        {
            "row": row,
            "subject": subject(web, row),
            "status": web.gettext(STATUS_LABELS[row.status]),
            "patient": web.db.get(PatientRow, row.patient_id),
        }
        for row in rows
    ]


# --- "Mes droits" -------------------------------------------------------------------------------


def _rights(web: Web, record: RecordPage) -> Response:
    access = record.access
    access.require(Action.record_close)
    settings = web.container.settings
    open_requests = [
        row for row in services.requests_of(access) if row.status == RequestStatus.open.value
    ]
    return web.render(
        "rights/rights.html",
        title=RIGHTS_TITLE,
        open_requests=len(open_requests),
        research_opposed=services.research_opposed(access),
        record_open=access.facts.status is not None and access.facts.status.value == "open",
        dpo_email=settings.dpo_contact_email,
        dpo_address=settings.dpo_postal_address,
        retention_years=settings.retention_years_after_closure,
        deletion_days=settings.deletion_request_days,
        **record.context(),
    )


@router.get("/rights")
def my_rights(web: WebDep) -> Response:
    account = web.require_account(Role.patient)
    if account.patient_id is None:
        raise NotFound(N_("Cette page n'existe pas."), code="not-found")
    return _rights(web, record_page(web, str(account.patient_id)))


@router.get("/records/{patient_id}/rights")
def rights_page(web: WebDep, patient_id: str) -> Response:
    return _rights(web, record_page(web, patient_id))


# --- Rectification: the holder's side -------------------------------------------------------


@router.get("/records/{patient_id}/rights/rectifications")
def my_requests(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    rows = services.requests_of(record.access)
    return web.render(
        "rights/requests.html",
        title=REQUESTS_TITLE,
        requests=_request_views(web, rows),
        **record.context(),
    )


def _target_options(web: Web, record: RecordPage) -> list[tuple[str, list[tuple[str, str]]]]:
    found = services.targets(record.access)
    identity = [
        (
            f"identity:{trait}",
            web.gettext(
                "%(trait)s : %(value)s",
                trait=web.gettext(label),
                value=identity_value(found.patient, trait, web),
            ),
        )
        for trait, label in IDENTITY_TRAITS.items()
    ]
    profile = [
        (
            f"profile:{row.id}",
            web.gettext(
                "%(category)s : %(entry)s",
                category=web.gettext(CATEGORIES[row.category].singular),
                entry=describe(row, web.gettext),
            ),
        )
        for row in found.profile
    ]
    authors: dict[uuid.UUID, str] = {}
    documents = []
    for doc in found.documents:
        pid = doc.author_professional_id
        if pid is not None and pid not in authors:
            professional = web.db.get(ProfessionalRow, pid)
            authors[pid] = professional_name(professional) if professional else ""
        documents.append(
            (
                f"document:{doc.id}",
                web.gettext(
                    "%(title)s — %(date)s, %(author)s",
                    title=doc.title,
                    date=_date(web, doc.service_start.date()),
                    author=authors.get(pid, "") if pid else "",
                ),
            )
        )
    groups = [(web.gettext("Identité"), identity)]
    if profile:
        groups.append((web.gettext("Profil médical"), profile))
    if documents:
        groups.append((web.gettext("Documents"), documents))
    return groups


def _request_form(
    web: Web, record: RecordPage, values: dict[str, str], error: DomainError | None = None
) -> Response:
    context = {
        "groups": _target_options(web, record),
        "description_max": DESCRIPTION_MAX,
        **record.context(),
    }
    if error is not None:
        return web.form_error(
            "rights/request_form.html",
            error,
            title=NEW_REQUEST_TITLE,
            values=values,
            fields={"target": "target", "description": "description"},
            **context,
        )
    return web.render("rights/request_form.html", title=NEW_REQUEST_TITLE, values=values, **context)


@router.get("/records/{patient_id}/rights/rectifications/new")
def new_request(web: WebDep, patient_id: str, target: str = "") -> Response:
    record = record_page(web, patient_id)
    return _request_form(web, record, {"target": target[:80]})


@router.post("/records/{patient_id}/rights/rectifications/new")
def new_request_submit(
    web: WebFormDep,
    patient_id: str,
    target: Annotated[str, Form(max_length=80)] = "",
    description: Annotated[str, Form(max_length=DESCRIPTION_MAX + 200)] = "",
) -> Response:
    record = record_page(web, patient_id)
    kind, _sep, ref = target.partition(":")
    try:
        with web.db.begin_nested():
            services.request(record.access, kind, ref, description)
    except DomainError as exc:
        record.access.refresh()
        return _request_form(web, record, {"target": target, "description": description}, exc)
    web.flash(
        N_(
            "Votre demande est envoyée. Vous serez prévenu de la réponse ; elle s'affichera"
            " aussi sur cette page."
        )
    )
    return web.redirect(f"/records/{record.patient_id}/rights/rectifications")


# --- Consents -----------------------------------------------------------------------------------


def _scope_label(web: Web, row: ConsentRow) -> str:
    if row.scope is None:
        return ""
    if row.purpose == "notifications":
        label = NOTIFICATION_SCOPES.get(row.scope)
        return web.gettext(label) if label else row.scope
    if row.purpose == "data-sharing":
        try:
            professional = web.db.get(ProfessionalRow, uuid.UUID(row.scope))
        except ValueError:
            professional = None
        return professional_name(professional) if professional else ""
    return row.scope


@router.get("/records/{patient_id}/rights/consents")
def consents_page(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    rows = services.consents(record.access)
    entries = [
        {
            "row": row,
            "purpose": web.gettext(PURPOSE_LABELS[row.purpose]),
            "scope": _scope_label(web, row),
            "channel": web.gettext(CHANNEL_LABELS[row.channel]),
            "opposition": row.stance == "opposition",
        }
        for row in rows
    ]
    texts = [
        (web.gettext(PURPOSE_LABELS[text.purpose]), text.version, text_of(text.version) or "")
        for text in CURRENT.values()
    ]
    return web.render(
        "rights/consents.html",
        title=CONSENTS_TITLE,
        entries=entries,
        texts=texts,
        research_opposed=services.research_opposed(record.access),
        **record.context(),
    )


@router.post("/records/{patient_id}/rights/consents/research")
def research_submit(
    web: WebFormDep, patient_id: str, opposed: Annotated[str, Form(max_length=5)] = ""
) -> Response:
    record = record_page(web, patient_id)
    services.set_research_opposition(record.access, opposed == "yes")
    web.flash(
        N_("Votre opposition à la recherche est enregistrée.")
        if opposed == "yes"
        else N_("Votre opposition à la recherche est retirée.")
    )
    return web.redirect(f"/records/{record.patient_id}/rights/consents")


# --- Answering: professionals and operators -------------------------------------------------


def _space(web: Web, space: str) -> AccountRow:
    if space == "pro":
        return web.require_account(Role.professional)
    return web.require_account(*ANSWERING_ROLES)


def _inbox(web: Web, space: str) -> Response:
    account = _space(web, space)
    rows = [
        row
        for row in services.addressed_to(web.db, account)
        if (row.route == Route.author.value) == (space == "pro")
    ]
    return web.render(
        "rights/inbox.html",
        title=INBOX_TITLE,
        space=space,
        requests=_request_views(web, rows),
    )


@router.get("/pro/rectifications")
def pro_inbox(web: WebDep) -> Response:
    return _inbox(web, "pro")


@router.get("/support/rectifications")
def support_inbox(web: WebDep) -> Response:
    return _inbox(web, "support")


def _item_link(row: RectificationRow) -> str | None:
    if row.target_id is None:
        return None
    kind = "documents" if row.target_kind == TargetKind.document.value else "profile"
    return f"/records/{row.patient_id}/{kind}/{row.target_id}"


def _answer_page(
    web: Web,
    space: str,
    request_id: str,
    values: dict[str, str] | None = None,
    error: DomainError | None = None,
) -> Response:
    account = _space(web, space)
    try:
        rid = uuid.UUID(request_id)
    except ValueError:
        raise NotFound(services.REQUEST_NOT_FOUND, code="request-not-found") from None
    row = services.addressed(web.db, account, rid)
    if (row.route == Route.author.value) != (space == "pro"):
        raise NotFound(services.REQUEST_NOT_FOUND, code="request-not-found")
    patient = web.db.get(PatientRow, row.patient_id)
    assert patient is not None
    context: dict[str, Any] = {
        "space": space,
        "request": row,
        "subject": subject(web, row),
        "status": web.gettext(STATUS_LABELS[row.status]),
        "patient": patient,
        "current_value": identity_value(patient, row.target_trait, web)
        if row.target_trait
        else None,
        "item_link": _item_link(row) if space == "pro" else None,
        "is_identity": row.target_kind == TargetKind.identity.value,
    }
    title = ANSWER_TITLE if row.status == RequestStatus.open.value else ANSWERED_TITLE
    if error is not None:
        return web.form_error(
            "rights/answer.html", error, title=title, values=values or {}, **context
        )
    return web.render("rights/answer.html", title=title, values=values or {}, **context)


def _answer_submit(
    web: Web, space: str, request_id: str, outcome: str, answer: str, corrected_value: str
) -> Response:
    account = _space(web, space)
    values = {"outcome": outcome, "answer": answer, "corrected_value": corrected_value}
    try:
        rid = parse_id(request_id)
        row = services.addressed(web.db, account, rid)
        if (row.route == Route.author.value) != (space == "pro"):
            raise NotFound(services.REQUEST_NOT_FOUND, code="request-not-found")
        with web.db.begin_nested():
            services.answer(
                web.db,
                web.container.settings,
                web.container.clock,
                web.ctx,
                account,
                rid,
                outcome=outcome,
                text=answer,
                corrected_value=corrected_value,
            )
    except NotFound:
        raise
    except DomainError as exc:
        return _answer_page(web, space, request_id, values, exc)
    web.flash(N_("Votre réponse est enregistrée ; le patient en est prévenu."))
    return web.redirect(f"/{space}/rectifications")


# The author's side (/pro) and the operators' desk (/support) answer with the same pages.
Space = Literal["pro", "support"]


@router.get("/{space}/rectifications/{request_id}")
def answer_page(web: WebDep, space: Space, request_id: str) -> Response:
    return _answer_page(web, space, request_id)


@router.post("/{space}/rectifications/{request_id}")
def answer_submit(
    web: WebFormDep,
    space: Space,
    request_id: str,
    outcome: Annotated[str, Form(max_length=20)] = "",
    answer: Annotated[str, Form(max_length=2200)] = "",
    corrected_value: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    return _answer_submit(web, space, request_id, outcome, answer, corrected_value)
