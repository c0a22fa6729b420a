"""The holder closes, reopens, or asks for the deletion of their record."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from dmp.access.policy import Action
from dmp.records import lifecycle
from dmp.records.orm import RecordRow
from dmp.shared.errors import N_, DomainError
from dmp.web.context import WebDep, WebFormDep
from dmp.web.record_common import record_page

router = APIRouter()

RECORD_TITLE = N_("Mon dossier")


@router.get("/records/{patient_id}/record")
def record_settings(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    record.access.require(Action.record_close)
    row = web.db.get(RecordRow, record.patient_id)
    return web.render("records/record.html", title=RECORD_TITLE, row=row, **record.context())


@router.post("/records/{patient_id}/record/close")
def close(
    web: WebFormDep, patient_id: str, reason: Annotated[str, Form(max_length=500)] = ""
) -> Response:
    record = record_page(web, patient_id)
    try:
        with web.db.begin_nested():
            lifecycle.close(record.access, reason=reason)
    except DomainError as exc:
        row = web.db.get(RecordRow, record.patient_id)
        return web.form_error(
            "records/record.html",
            exc,
            title=RECORD_TITLE,
            row=row,
            values={"reason": reason},
            **record.context(),
        )
    web.flash(N_("Votre dossier est fermé. Vous pouvez le rouvrir à tout moment."))
    return web.redirect(f"/records/{record.patient_id}/record")


@router.post("/records/{patient_id}/record/reopen")
def reopen(web: WebFormDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    lifecycle.reopen(record.access)
    web.flash(N_("Votre dossier est rouvert."))
    return web.redirect(f"/records/{record.patient_id}/record")


@router.post("/records/{patient_id}/record/deletion")
def request_deletion(web: WebFormDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    lifecycle.request_deletion(record.access)
    web.flash(
        N_("Votre demande est enregistrée : les données seront supprimées dans les trois mois.")
    )
    return web.redirect(f"/records/{record.patient_id}/record")
