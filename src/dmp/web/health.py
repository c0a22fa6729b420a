""" "Ma santé": one page leading to every part of the health space of a record (profile,
vaccinations, blood group, directives, trusted person), so the main menu stays short.

It lists the pages the reader may open (the record strip's own rule), reads no health data and
therefore writes no audit entry."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from dmp.access.policy import Action
from dmp.shared.errors import N_
from dmp.web.context import WebDep
from dmp.web.record_common import record_page

router = APIRouter()

HEALTH_TITLE = N_("Ma santé")
CHILD_TITLE = N_("Santé de %(name)s")

# The record pages that belong to the health space, in the order shown, with what each holds.
SECTIONS: dict[str, str] = {
    "/profile": N_(
        "Allergies, maladies, antécédents, traitements en cours, mode de vie et mesures"
        " (poids, taille, tension)."
    ),
    "/vaccinations": N_(
        "Les vaccinations faites, celles à faire selon le calendrier des vaccinations et"
        " l'attestation à imprimer."
    ),
    "/blood-group": N_(
        "Le groupe sanguin et le phénotype, et une carte au format portefeuille à imprimer."
    ),
    "/directives": N_(
        "Vos volontés sur la fin de vie, à écrire, signer, modifier ou révoquer à tout moment."
    ),
    "/trusted-person": N_(
        "La personne qui sera consultée si vous ne pouvez plus exprimer votre volonté."
    ),
}


@router.get("/records/{patient_id}/health")
def health_page(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    record.access.require(Action.documents_list)  # who may not read the record gets a 404
    base = f"/records/{record.patient_id}"
    context = record.context()  # holds the record's links (one policy decision each)
    sections = [
        {"href": href, "label": label, "description": SECTIONS[href.removeprefix(base)]}
        for href, label in context["record_links"]
        if href.removeprefix(base) in SECTIONS
    ]
    own = web.require_account().patient_id == record.patient_id
    title = (
        web.gettext(HEALTH_TITLE)
        if own
        else web.gettext(CHILD_TITLE, name=record.patient.display_name)
    )
    return web.render("records/health.html", title=title, sections=sections, **context)
