"""Who can see my record: authorisations, blocks, médecin traitant, oppositions, notices."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response

from dmp.access import services as access_services
from dmp.access.policy import Action
from dmp.identity.directory import search_professionals
from dmp.identity.model import PROFESSIONS, SPECIALTIES
from dmp.identity.orm import ProfessionalRow
from dmp.records import presenters
from dmp.shared.errors import N_, DomainError
from dmp.web.context import WebDep, WebFormDep
from dmp.web.record_common import RecordPage, parse_id, record_page

router = APIRouter()

SHARING_TITLE = N_("Accès et confidentialité")
SEARCH_TITLE = N_("Chercher un professionnel")
CONFIRM_TITLE = N_("Confirmer")

# What each change does, as the confirmation page says it, and the message shown after.
CHANGES: dict[str, tuple[str, str, str, bool]] = {
    # action: (title, explanation, button, warning)
    "block": (
        N_("Bloquer ce professionnel"),
        N_(
            "Ce professionnel ne pourra plus consulter votre dossier ni y ajouter de document,"
            " même s'il était autorisé ou s'il est votre médecin traitant."
        ),
        N_("Bloquer ce professionnel"),
        True,
    ),
    "unblock": (
        N_("Débloquer ce professionnel"),
        N_("Ce professionnel retrouvera les accès que vous lui aviez donnés."),
        N_("Débloquer ce professionnel"),
        False,
    ),
    "authorise": (
        N_("Autoriser ce professionnel"),
        N_(
            "Ce professionnel pourra consulter votre dossier et y ajouter des documents, sauf"
            " ceux que vous masquez."
        ),
        N_("Autoriser ce professionnel"),
        False,
    ),
    "revoke": (
        N_("Retirer l'autorisation"),
        N_("Ce professionnel ne pourra plus consulter votre dossier."),
        N_("Retirer l'autorisation"),
        True,
    ),
    "treating-doctor": (
        N_("Désigner votre médecin traitant"),
        N_(
            "Votre médecin traitant voit tous vos documents, y compris ceux que vous masquez,"
            " et il est prévenu des accès d'urgence."
        ),
        N_("Désigner ce médecin"),
        False,
    ),
    "extend": (
        N_("Donner les droits du médecin traitant"),
        N_("Ce professionnel verra tous vos documents, y compris ceux que vous masquez."),
        N_("Donner ces droits"),
        False,
    ),
    "unextend": (
        N_("Retirer les droits du médecin traitant"),
        N_("Ce professionnel n'aura plus accès aux documents que vous masquez."),
        N_("Retirer ces droits"),
        True,
    ),
}
DONE = {
    "block": N_("Le professionnel est bloqué."),
    "unblock": N_("Le professionnel est débloqué."),
    "authorise": N_("Le professionnel est autorisé."),
    "revoke": N_("L'autorisation est retirée."),
    "treating-doctor": N_("Votre médecin traitant est enregistré."),
    "extend": N_("Les droits sont donnés."),
    "unextend": N_("Les droits sont retirés."),
}


def professional_view(row: ProfessionalRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": presenters.professional_name(row),
        "profession": PROFESSIONS.get(row.profession_code),
        "specialty": SPECIALTIES.get(row.specialty_code or ""),
        "rpps": row.rpps,
    }


def _people(web: WebDep, ids: Any, blocked: Any = frozenset()) -> list[dict[str, Any]]:
    rows = [web.db.get(ProfessionalRow, pid) for pid in ids]
    return sorted(
        ({**professional_view(r), "blocked": r.id in blocked} for r in rows if r is not None),
        key=lambda p: p["name"],
    )


def _sharing_context(web: WebDep, record: RecordPage) -> dict[str, Any]:
    facts = record.access.facts
    treating = web.db.get(ProfessionalRow, facts.treating_doctor) if facts.treating_doctor else None
    return {
        "authorised": _people(web, facts.authorised - facts.blocked),
        "blocked": _people(web, facts.blocked),
        "extended": _people(web, facts.extended_rights, facts.blocked),
        "treating": {**professional_view(treating), "blocked": treating.id in facts.blocked}
        if treating
        else None,
        "preferences": access_services.preferences(web.db, record.patient_id, web.security.now()),
        **record.context(),
    }


@router.get("/records/{patient_id}/sharing")
def sharing_page(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    record.access.require(Action.sharing_manage)
    return web.render("records/sharing.html", title=SHARING_TITLE, **_sharing_context(web, record))


@router.get("/records/{patient_id}/sharing/search")
def search_page(
    web: WebDep,
    patient_id: str,
    q: Annotated[str, Query(max_length=100)] = "",
    purpose: Annotated[str, Query(max_length=20)] = "block",
) -> Response:
    record = record_page(web, patient_id)
    record.access.require(Action.sharing_manage)
    if purpose not in ("block", "authorise", "treating-doctor", "extend"):
        purpose = "block"
    results = (
        [professional_view(r) for r in search_professionals(web.db, q)]
        if len(q.strip()) >= 2
        else []
    )
    return web.render(
        "records/search_professional.html",
        title=SEARCH_TITLE,
        results=results,
        searched=bool(q.strip()),
        values={"q": q},
        purpose=purpose,
        **record.context(),
    )


@router.get("/records/{patient_id}/sharing/{change}/{professional_id}")
def confirm_page(web: WebDep, patient_id: str, change: str, professional_id: str) -> Response:
    record = record_page(web, patient_id)
    record.access.require(Action.sharing_manage)
    if change not in CHANGES:
        return web.redirect(f"/records/{record.patient_id}/sharing")
    professional = web.db.get(ProfessionalRow, parse_id(professional_id))
    if professional is None:
        return web.redirect(f"/records/{record.patient_id}/sharing")
    title, explanation, button, warning = CHANGES[change]
    return web.render(
        "records/sharing_confirm.html",
        title=title,
        explanation=explanation,
        button=button,
        warning=warning,
        professional=professional_view(professional),
        change=change,
        **record.context(),
    )


@router.post("/records/{patient_id}/sharing/{change}/{professional_id}")
def change_submit(web: WebFormDep, patient_id: str, change: str, professional_id: str) -> Response:
    record = record_page(web, patient_id)
    pid = parse_id(professional_id)
    actions = {
        "block": access_services.block,
        "unblock": access_services.unblock,
        "authorise": access_services.authorise,
        "revoke": access_services.revoke,
        "treating-doctor": access_services.designate_treating_doctor,
        "extend": access_services.grant_extended_rights,
        "unextend": access_services.revoke_extended_rights,
    }
    action = actions.get(change)
    if action is None:
        return web.redirect(f"/records/{record.patient_id}/sharing")
    try:
        with web.db.begin_nested():
            action(record.access, pid)
    except DomainError as exc:
        record.access.refresh()
        return web.form_error(
            "records/sharing.html", exc, title=SHARING_TITLE, **_sharing_context(web, record)
        )
    web.flash(DONE[change])
    return web.redirect(f"/records/{record.patient_id}/sharing")


@router.post("/records/{patient_id}/sharing/preferences")
def preferences_submit(
    web: WebFormDep,
    patient_id: str,
    emergency_opposed: Annotated[str | None, Form(max_length=3)] = None,
    regulation_opposed: Annotated[str | None, Form(max_length=3)] = None,
    notify_first_access: Annotated[str | None, Form(max_length=3)] = None,
    notify_emergency: Annotated[str | None, Form(max_length=3)] = None,
    notify_announcement: Annotated[str | None, Form(max_length=3)] = None,
    notify_new_document: Annotated[str | None, Form(max_length=3)] = None,
    notify_vaccination: Annotated[str | None, Form(max_length=3)] = None,
    notify_directives: Annotated[str | None, Form(max_length=3)] = None,
) -> Response:
    record = record_page(web, patient_id)
    access_services.update_preferences(
        record.access,
        emergency_opposed=bool(emergency_opposed),
        regulation_opposed=bool(regulation_opposed),
        notify_first_access=bool(notify_first_access),
        notify_emergency=bool(notify_emergency),
        notify_announcement=bool(notify_announcement),
        notify_new_document=bool(notify_new_document),
        notify_vaccination=bool(notify_vaccination),
        notify_directives=bool(notify_directives),
    )
    web.flash(N_("Vos choix sont enregistrés."))
    return web.redirect(f"/records/{record.patient_id}/sharing")
