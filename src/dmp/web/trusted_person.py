"""Personne de confiance pages: the holder designates, replaces, revokes and re-invites;
professionals who may read the record see who it is; the designee, without an account, opens
the invitation with its code or link and co-signs or declines."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from dmp.access.policy import Action
from dmp.directives.invitations import CODE_LENGTH
from dmp.directives.trusted_person import RELATIONSHIP_LABELS, Relationship, TrustedPerson
from dmp.shared.errors import N_, DomainError
from dmp.trusted import services
from dmp.trusted.model import STATUS_LABELS, DesignationStatus
from dmp.trusted.orm import TrustedPersonRow
from dmp.trusted.services import Issued, Opened
from dmp.web.context import Web, WebDep, WebFormDep
from dmp.web.record_common import RecordPage, record_page

router = APIRouter()

PAGE_TITLE = N_("Personne de confiance")
DESIGNATE_TITLE = N_("Désigner une personne de confiance")
REPLACE_TITLE = N_("Remplacer votre personne de confiance")
ISSUED_TITLE = N_("Invitation à co-signer")
INVITATION_TITLE = N_("Invitation à devenir personne de confiance")
ANSWER_TITLE = N_("Vous êtes désigné(e) comme personne de confiance")
DONE_TITLE = N_("Votre réponse est enregistrée")
TAG_CLASSES = {
    DesignationStatus.pending: "tag tag-warning",
    DesignationStatus.active: "tag tag-success",
    DesignationStatus.declined: "tag tag-danger",
    DesignationStatus.revoked: "tag tag-muted",
    DesignationStatus.superseded: "tag tag-muted",
}
# The form's inputs for the domain's field names, where they differ.
FIELDS = {"contact": "phone"}

Text = Annotated[str, Form(max_length=200)]


def _key(web: Web) -> bytes:
    return services.invitation_key(web.container.security.keys)


def _link_base(web: Web) -> str:
    return web.container.settings.public_base(str(web.request.base_url))


def describe(row: TrustedPersonRow, web: Web) -> dict[str, Any]:
    status = DesignationStatus(row.designation_status)
    relationship = (
        web.gettext(RELATIONSHIP_LABELS[Relationship(row.relationship)])
        if row.relationship in set(Relationship)
        else row.relationship
    )
    return {
        "row": row,
        "status": web.gettext(STATUS_LABELS[status]),
        "tag": TAG_CLASSES[status],
        "relationship": relationship,
        "in_force": status in (DesignationStatus.pending, DesignationStatus.active),
    }


@router.get("/records/{patient_id}/trusted-person")
def trusted_person_page(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    current, history = services.read(record.access)
    refusal = services.may_designate(record.access)
    can_manage = record.is_holder_side and refusal is None
    return web.render(
        "records/trusted_person.html",
        title=PAGE_TITLE,
        current=describe(current, web) if current else None,
        history=[describe(row, web) for row in history] if record.is_holder_side else [],
        can_manage=can_manage,
        refusal=refusal.message if refusal is not None and record.is_holder_side else None,
        **record.context(),
    )


def _form(
    web: Web,
    record: RecordPage,
    *,
    values: dict[str, Any],
    error: DomainError | None = None,
) -> Response:
    current, _history = services.read(record.access)
    replacing = current is not None and describe(current, web)["in_force"]
    title = REPLACE_TITLE if replacing else DESIGNATE_TITLE
    context = {
        "current": describe(current, web) if replacing and current else None,
        "relationship_options": [
            (value.value, web.gettext(label), None) for value, label in RELATIONSHIP_LABELS.items()
        ],
        **record.context(),
    }
    if error is not None:
        return web.form_error(
            "records/trusted_person_form.html",
            error,
            title=title,
            values=values,
            fields=FIELDS,
            **context,
        )
    return web.render("records/trusted_person_form.html", title=title, values=values, **context)


def _require_holder(record: RecordPage) -> None:
    record.access.require(Action.sharing_manage)
    refusal = services.may_designate(record.access)
    if refusal is not None:
        raise refusal


@router.get("/records/{patient_id}/trusted-person/new")
def designate_form(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    _require_holder(record)
    return _form(web, record, values={})


def _issued(web: Web, record: RecordPage, issued: Issued) -> Response:
    response = web.render(
        "records/trusted_person_invitation.html",
        title=ISSUED_TITLE,
        issued=issued,
        person=describe(issued.designation, web),
        invitation_page=_link_base(web).rstrip("/") + services.INVITATION_PATH,
        **record.context(),
    )
    response.headers["Cache-Control"] = "no-store"  # the code is shown once
    return response


@router.post("/records/{patient_id}/trusted-person/new")
def designate_submit(
    web: WebFormDep,
    patient_id: str,
    first_names: Text = "",
    surname: Text = "",
    relationship: Text = "",
    relationship_detail: Text = "",
    phone: Text = "",
    email: Annotated[str, Form(max_length=320)] = "",
    adult_confirmed: Text = "",
) -> Response:
    record = record_page(web, patient_id)
    values = {
        "first_names": first_names,
        "surname": surname,
        "relationship": relationship,
        "relationship_detail": relationship_detail,
        "phone": phone,
        "email": email,
        "adult_confirmed": adult_confirmed,
    }
    person = TrustedPerson(
        surname=surname,
        first_names=first_names,
        relationship=relationship,
        phone=phone,
        email=email,
        relationship_detail=relationship_detail,
        adult_confirmed=bool(adult_confirmed),
    )
    try:
        with web.db.begin_nested():
            issued = services.designate(
                record.access,
                person,
                key=_key(web),
                link_base=_link_base(web),
                language=web.language,
            )
    except DomainError as exc:
        return _form(web, record, values=values, error=exc)
    return _issued(web, record, issued)


@router.get("/records/{patient_id}/trusted-person/revoke")
def revoke_confirm(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    _require_holder(record)
    current, _history = services.read(record.access)
    if current is None or not describe(current, web)["in_force"]:
        return web.redirect(f"/records/{record.patient_id}/trusted-person")
    return web.render(
        "records/confirm.html",
        title=N_("Révoquer votre personne de confiance"),
        row=current,
        lead=current.display_name,
        message=N_(
            "Cette personne ne sera plus votre personne de confiance : les professionnels ne la"
            " verront plus comme telle. La désignation reste dans l'historique. Vous pourrez"
            " désigner quelqu'un d'autre à tout moment."
        ),
        action_url=f"/records/{record.patient_id}/trusted-person/revoke",
        fields={"version": str(current.version)},
        button=N_("Révoquer la désignation"),
        warning=True,
        back_url=f"/records/{record.patient_id}/trusted-person",
        back_label=N_("Annuler et revenir à la personne de confiance"),
        **record.context(),
    )


@router.post("/records/{patient_id}/trusted-person/revoke")
def revoke_submit(web: WebFormDep, patient_id: str, version: Text = "") -> Response:
    record = record_page(web, patient_id)
    services.revoke(record.access, expected_version=int(version) if version.isdigit() else None)
    web.flash(N_("La désignation de votre personne de confiance est révoquée."))
    return web.redirect(f"/records/{record.patient_id}/trusted-person")


@router.get("/records/{patient_id}/trusted-person/invitation")
def resend_confirm(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    _require_holder(record)
    current, _history = services.read(record.access)
    if current is None or current.designation_status != DesignationStatus.pending:
        return web.redirect(f"/records/{record.patient_id}/trusted-person")
    return web.render(
        "records/confirm.html",
        title=N_("Envoyer une nouvelle invitation"),
        row=current,
        lead=current.display_name,
        message=N_(
            "Vous obtiendrez un nouveau code et un nouveau lien à transmettre ; l'ancien code et"
            " l'ancien lien ne fonctionneront plus."
        ),
        action_url=f"/records/{record.patient_id}/trusted-person/invitation",
        fields={},
        button=N_("Créer une nouvelle invitation"),
        warning=False,
        back_url=f"/records/{record.patient_id}/trusted-person",
        back_label=N_("Annuler et revenir à la personne de confiance"),
        **record.context(),
    )


@router.post("/records/{patient_id}/trusted-person/invitation")
def resend_submit(web: WebFormDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    issued = services.resend(
        record.access, key=_key(web), link_base=_link_base(web), language=web.language
    )
    return _issued(web, record, issued)


# --- The designee, without an account ----------------------------------------------------


def _code_form(web: Web, *, values: dict[str, Any], error: DomainError | None = None) -> Response:
    context: dict[str, Any] = {"code_length": CODE_LENGTH + 1}
    if error is not None:
        return web.form_error(
            "trusted/invitation_code.html",
            error,
            title=INVITATION_TITLE,
            values=values,
            **context,
        )
    return web.render(
        "trusted/invitation_code.html", title=INVITATION_TITLE, values=values, **context
    )


def _answer_form(
    web: Web,
    opened: Opened,
    *,
    code: str,
    token: str,
    values: dict[str, Any],
    error: DomainError | None = None,
) -> Response:
    assert opened.designation is not None and opened.invitation is not None
    context: dict[str, Any] = {
        "patient_name": opened.patient_name,
        "person": describe(opened.designation, web),
        "expires_at": opened.invitation.expires_at,
        "code": code,
        "token": token,
    }
    if error is not None:
        return web.form_error(
            "trusted/invitation.html", error, title=ANSWER_TITLE, values=values, **context
        )
    response = web.render("trusted/invitation.html", title=ANSWER_TITLE, values=values, **context)
    response.headers["Cache-Control"] = "no-store"
    return response


def _refused(web: Web, error: DomainError, code: str) -> Response:
    """A failed check is kept (it counts against the throttle), then the code form shows why."""
    web.db.commit()
    return _code_form(web, values={"code": code}, error=error)


@router.get("/trusted-person/invitation")
def invitation_page(web: WebDep, token: str = "") -> Response:
    token = token[:200]
    if not token:
        return _code_form(web, values={})
    opened = services.open_invitation(web.db, web.security, _key(web), web.ctx, token=token)
    if opened.error is not None:
        return _refused(web, opened.error, "")
    return _answer_form(web, opened, code="", token=token, values={})


@router.post("/trusted-person/invitation")
def invitation_code(web: WebFormDep, code: Text = "") -> Response:
    opened = services.open_invitation(web.db, web.security, _key(web), web.ctx, code=code)
    if opened.error is not None:
        return _refused(web, opened.error, code)
    return _answer_form(web, opened, code=code, token="", values={})


@router.post("/trusted-person/invitation/answer")
def invitation_answer(
    web: WebFormDep,
    code: Text = "",
    token: Text = "",
    full_name: Text = "",
    decision: Text = "",
) -> Response:
    accept = decision != "decline"
    try:
        with web.db.begin_nested():
            opened = services.answer(
                web.db,
                web.security,
                _key(web),
                web.ctx,
                accept=accept,
                full_name=full_name,
                code=code,
                token=token,
                default_language=web.container.settings.default_language,
            )
    except DomainError as exc:  # the typed name: show the invitation again
        again = services.open_invitation(
            web.db, web.security, _key(web), web.ctx, code=code, token=token
        )
        if again.error is not None:
            return _refused(web, again.error, code)
        return _answer_form(
            web, again, code=code, token=token, values={"full_name": full_name}, error=exc
        )
    if opened.error is not None:
        return _refused(web, opened.error, code)
    return web.render(
        "trusted/invitation_done.html",
        title=DONE_TITLE,
        accepted=accept,
        patient_name=opened.patient_name,
    )
