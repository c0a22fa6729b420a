"""Profils rattachés: switch between my record and those I act for, attach a child, accept an
invitation as second legal representative, and see or revoke the delegates of my record."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from dmp.identity.model import Role
from dmp.linked import services
from dmp.linked.model import in_window
from dmp.linked.services import ChildInput, DelegateInput
from dmp.shared.errors import N_, DomainError, InvalidInput, NotFound
from dmp.web.context import Web, WebDep, WebFormDep
from dmp.web.record_common import record_page

router = APIRouter()

LINKED_TITLE = N_("Profils rattachés")
NEW_TITLE = N_("Rattacher un enfant")
DELEGATES_TITLE = N_("Délégués")
NEW_DELEGATE_TITLE = N_("Désigner un délégué")
INVITE_TITLE = N_("Inviter l'autre représentant légal")
Text = Annotated[str, Form(max_length=254)]

RELATIONSHIP_LABELS = {
    "parent": N_("parent"),
    "guardian": N_("tuteur"),
    "delegate": N_("délégué"),
}
SCOPE_LABELS = {"read": N_("consultation seule"), "manage": N_("gestion du dossier")}
SCOPE_OPTIONS = (
    (
        "read",
        N_("Consulter le dossier"),
        N_("Voir les documents et l'historique, sans rien modifier."),
    ),
    (
        "manage",
        N_("Gérer le dossier"),
        N_("Agir au nom du titulaire, comme un représentant légal."),
    ),
)


def _day(name: str, value: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput.single(name, "date-format", N_("Saisissez une date réelle.")) from None


def _overview(web: Web, **extra: Any) -> dict[str, Any]:
    account = web.require_account(Role.patient)
    return {
        "view": services.overview(web.db, web.container.clock, account),
        "relationship_labels": RELATIONSHIP_LABELS,
        "scope_labels": SCOPE_LABELS,
        **extra,
    }


REVOKE_TITLE = N_("Mettre fin à une délégation")
REVOKE_LEAD = N_("Délégation de %(name)s")
REVOKE_MESSAGE = N_(
    "Cette personne n'aura plus accès au dossier dès maintenant. La fin de la délégation est"
    " inscrite dans l'historique des accès."
)
REVOKE_BUTTON = N_("Mettre fin à la délégation")


@router.get("/linked-profiles")
def linked_profiles(web: WebDep) -> Response:
    return web.render("linked/overview.html", title=LINKED_TITLE, **_overview(web))


@router.post("/linked-profiles/accept")
def accept(web: WebFormDep, code: Annotated[str, Form(max_length=40)] = "") -> Response:
    account = web.require_account(Role.patient)
    try:
        with web.db.begin_nested():
            link = services.accept_invitation(
                web.db,
                web.security,
                web.container.settings,
                web.ctx,
                account,
                code=code,
            )
    except DomainError as exc:
        web.db.commit()  # keep the count of failed attempts
        return web.form_error(
            "linked/overview.html", exc, title=LINKED_TITLE, values={"code": code}, **_overview(web)
        )
    web.flash(N_("Vous êtes maintenant représentant légal de ce profil."))
    return web.redirect(f"/records/{link.patient_id}/documents")


def _new(web: Web, values: dict[str, str], error: DomainError | None = None) -> Response:
    web.require_account(Role.patient)
    context: dict[str, Any] = {
        "sex_options": [("F", web.gettext("Féminin"), None), ("M", web.gettext("Masculin"), None)],
        "relationship_options": [
            ("parent", web.gettext("Parent"), None),
            ("guardian", web.gettext("Tuteur ou tutrice"), None),
        ],
    }
    if error is not None:
        return web.form_error(
            "linked/new.html",
            error,
            title=NEW_TITLE,
            values=values,
            fields={"birth_given_names": "first_given_name"},
            **context,
        )
    return web.render("linked/new.html", title=NEW_TITLE, values=values, **context)


@router.get("/linked-profiles/new")
def new_form(web: WebDep) -> Response:
    return _new(web, {"relationship": "parent"})


@router.post("/linked-profiles/new")
def new_submit(
    web: WebFormDep,
    birth_name: Text = "",
    first_given_name: Text = "",
    sex: Text = "",
    birth_date: Text = "",
    ins_matricule: Text = "",
    relationship: Text = "parent",
    ward_email: Text = "",
    other_birth_name: Text = "",
    other_first_given_name: Text = "",
    other_email: Text = "",
) -> Response:
    account = web.require_account(Role.patient)
    values = {
        "birth_name": birth_name,
        "first_given_name": first_given_name,
        "sex": sex,
        "birth_date": birth_date,
        "ins_matricule": ins_matricule,
        "relationship": relationship,
        "ward_email": ward_email,
        "other_birth_name": other_birth_name,
        "other_first_given_name": other_first_given_name,
        "other_email": other_email,
    }
    try:
        with web.db.begin_nested():
            attached = services.attach_child(
                web.db,
                web.security,
                web.container.settings,
                web.ctx,
                account,
                ChildInput(
                    birth_name=birth_name,
                    first_given_name=first_given_name,
                    sex=sex,
                    birth_date=_day("birth_date", birth_date),
                    ins_matricule=ins_matricule,
                    relationship=relationship,
                    ward_email=ward_email or None,
                    other_birth_name=other_birth_name or None,
                    other_first_given_name=other_first_given_name or None,
                    other_email=other_email or None,
                ),
            )
    except DomainError as exc:
        return _new(web, values, exc)
    if attached.invitation is not None:
        web.flash(
            N_(
                "Le profil de %(name)s est rattaché à votre espace. L'autre représentant légal a"
                " reçu une invitation par e-mail."
            ),
            name=attached.patient.display_name,
        )
    else:
        web.flash(
            N_("Le profil de %(name)s est rattaché à votre espace."),
            name=attached.patient.display_name,
        )
    return web.redirect("/linked-profiles")


# --- Delegates of a record --------------------------------------------------------------------


def _delegates_context(web: Web, patient_id: str) -> dict[str, Any]:
    record = record_page(web, patient_id)
    rows = services.delegates(record.access)
    today = services.today_of(web.container.clock)
    return {
        "rows": [
            (row, person, in_window(row.starts_on, row.ends_on, today)) for row, person in rows
        ],
        "scope_labels": SCOPE_LABELS,
        **record.context(),
    }


@router.get("/records/{patient_id}/delegates")
def delegates_page(web: WebDep, patient_id: str) -> Response:
    return web.render(
        "linked/delegates.html", title=DELEGATES_TITLE, **_delegates_context(web, patient_id)
    )


def _delegate_form(
    web: Web, patient_id: str, values: dict[str, str], error: DomainError | None = None
) -> Response:
    record = record_page(web, patient_id)
    services.designer(record.access)
    context = {
        "scope_options": [
            (code, web.gettext(label), web.gettext(hint)) for code, label, hint in SCOPE_OPTIONS
        ],
        **record.context(),
    }
    if error is not None:
        return web.form_error(
            "linked/delegate_new.html", error, title=NEW_DELEGATE_TITLE, values=values, **context
        )
    return web.render(
        "linked/delegate_new.html", title=NEW_DELEGATE_TITLE, values=values, **context
    )


@router.get("/records/{patient_id}/delegates/new")
def delegate_new(web: WebDep, patient_id: str) -> Response:
    return _delegate_form(web, patient_id, {"scope": "read"})


@router.post("/records/{patient_id}/delegates/new")
def delegate_submit(
    web: WebFormDep,
    patient_id: str,
    ins_matricule: Text = "",
    birth_date: Text = "",
    scope: Text = "",
    starts_on: Text = "",
    ends_on: Text = "",
    basis: Text = "",
) -> Response:
    values = {
        "ins_matricule": ins_matricule,
        "birth_date": birth_date,
        "scope": scope,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "basis": basis,
    }
    record = record_page(web, patient_id)
    try:
        with web.db.begin_nested():
            services.add_delegate(
                record.access,
                DelegateInput(
                    ins_matricule,
                    _day("birth_date", birth_date),
                    scope,
                    starts_on=_day("starts_on", starts_on),
                    ends_on=_day("ends_on", ends_on),
                    basis=basis or None,
                ),
            )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _delegate_form(web, patient_id, values, exc)
    web.flash(N_("Le délégué est enregistré."))
    return web.redirect(f"/records/{record.patient_id}/delegates")


def _link_id(link_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(link_id)
    except ValueError:
        raise NotFound(services.LINK_NOT_FOUND) from None


@router.get("/records/{patient_id}/delegates/{link_id}/revoke")
def delegate_revoke_confirm(web: WebDep, patient_id: str, link_id: str) -> Response:
    record = record_page(web, patient_id)
    target = _link_id(link_id)
    found = [person for row, person in services.delegates(record.access) if row.id == target]
    if not found:
        raise NotFound(services.LINK_NOT_FOUND)
    return web.render(
        "records/confirm.html",
        title=REVOKE_TITLE,
        lead=web.gettext(REVOKE_LEAD, name=found[0].display_name),
        message=REVOKE_MESSAGE,
        action_url=f"/records/{record.patient_id}/delegates/{target}/revoke",
        fields={},
        button=REVOKE_BUTTON,
        warning=True,
        back_url=f"/records/{record.patient_id}/delegates",
        back_label=N_("Annuler et revenir aux délégués"),
        **record.context(),
    )


@router.post("/records/{patient_id}/delegates/{link_id}/revoke")
def delegate_revoke(web: WebFormDep, patient_id: str, link_id: str) -> Response:
    record = record_page(web, patient_id)
    services.revoke_delegate(record.access, _link_id(link_id))
    web.flash(N_("La délégation a pris fin."))
    return web.redirect(f"/records/{record.patient_id}/delegates")


def _invite_form(
    web: Web, patient_id: str, values: dict[str, str], error: DomainError | None = None
) -> Response:
    record = record_page(web, patient_id)
    if not record.acting_for:
        raise NotFound(services.LINK_NOT_FOUND)
    if error is not None:
        return web.form_error(
            "linked/invite.html", error, title=INVITE_TITLE, values=values, **record.context()
        )
    return web.render("linked/invite.html", title=INVITE_TITLE, values=values, **record.context())


@router.get("/records/{patient_id}/invite-representative")
def invite_form(web: WebDep, patient_id: str) -> Response:
    return _invite_form(web, patient_id, {})


@router.post("/records/{patient_id}/invite-representative")
def invite_submit(
    web: WebFormDep,
    patient_id: str,
    other_birth_name: Text = "",
    other_first_given_name: Text = "",
    other_email: Text = "",
) -> Response:
    values = {
        "other_birth_name": other_birth_name,
        "other_first_given_name": other_first_given_name,
        "other_email": other_email,
    }
    record = record_page(web, patient_id)
    try:
        with web.db.begin_nested():
            services.invite(
                record.access,
                web.security,
                birth_name=other_birth_name,
                first_given_name=other_first_given_name,
                email=other_email,
            )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _invite_form(web, patient_id, values, exc)
    web.flash(
        N_("L'invitation est envoyée par e-mail ; elle est valable %(days)s jours."),
        days=services.INVITATION_DAYS,
    )
    return web.redirect("/linked-profiles")
