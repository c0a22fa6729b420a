"""Vaccination pages: what is due from the French schedule, the recorded doses, adding and
correcting a dose, and the certificate."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from dmp.access.policy import Action
from dmp.access.services import patient_of
from dmp.records import items, presenters
from dmp.records.items import item_facts
from dmp.shared.errors import N_, DomainError, InvalidInput
from dmp.vaccination import certificate, services
from dmp.vaccination.labels import REASON_LABELS, STATUS_LABELS
from dmp.vaccination.loader import default_schedule
from dmp.vaccination.model import PlanItem, Status
from dmp.vaccination.orm import VaccinationRow
from dmp.vaccination.services import DoseInput
from dmp.web.context import Web, WebDep, WebFormDep
from dmp.web.record_common import RecordPage, parse_id, record_page

router = APIRouter()

VACCINATIONS_TITLE = N_("Vaccinations")
ADD_TITLE = N_("Enregistrer une vaccination")
EDIT_TITLE = N_("Corriger une vaccination")
DOSE_TITLE = N_("Vaccination")
UPCOMING_DAYS = 365


def _plan_view(plan: list[PlanItem], web: Web, today: dt.date) -> dict[str, list[dict[str, Any]]]:
    schedule = default_schedule()
    groups: dict[str, list[dict[str, Any]]] = {"now": [], "upcoming": [], "done": [], "none": []}
    for item in plan:
        view = {
            "item": item,
            "vaccine": schedule.vaccine(item.vaccine).label(web.language),
            "status": web.gettext(STATUS_LABELS[item.status]),
            "reason": web.gettext(REASON_LABELS[item.reason]) if item.reason else None,
        }
        if item.status in (Status.DUE, Status.OVERDUE):
            groups["now"].append(view)
        elif item.status is Status.UPCOMING:
            if item.due_date is None or item.due_date <= today + dt.timedelta(days=UPCOMING_DAYS):
                groups["upcoming"].append(view)
        elif item.status is Status.DONE:
            groups["done"].append(view)
        else:
            groups["none"].append(view)
    groups["now"].sort(
        key=lambda v: (v["item"].status is not Status.OVERDUE, v["item"].due_date or today)
    )
    groups["upcoming"].sort(key=lambda v: v["item"].due_date or today)
    return groups


@router.get("/records/{patient_id}/vaccinations")
def vaccinations_page(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    rows = services.doses(record.access)
    today = record.access.clock.now().date()
    authors = presenters.Authors(web.db, rows)
    return web.render(
        "records/vaccinations.html",
        title=VACCINATIONS_TITLE,
        plan=_plan_view(services.plan_for(record.access, rows), web, today),
        doses=[
            {
                "row": row,
                "vaccine": services.vaccine_label(row.vaccine_code, web.language, web.gettext),
                "author": authors.of(row),
            }
            for row in reversed(rows)
        ],
        schedule=default_schedule(),
        can_add=record.access.decide(Action.document_create).allowed,
        **record.context(),
    )


def _values(row: VaccinationRow) -> dict[str, str]:
    return {
        "vaccine_code": row.vaccine_code,
        "given_on": row.given_on.isoformat(),
        "product": row.product or "",
        "dose_number": str(row.dose_number or ""),
        "lot": row.lot or "",
        "administered_by": row.administered_by or "",
        "version": str(row.version),
    }


def _form(
    web: Web,
    record: RecordPage,
    *,
    title: str,
    action_url: str,
    values: dict[str, Any],
    error: DomainError | None = None,
) -> Response:
    context = {
        "action_url": action_url,
        "vaccine_options": services.dose_codes(web.language, web.gettext),
        "can_hide_from_representatives": not record.is_holder_side and "version" not in values,
        **record.context(),
    }
    if error is not None:
        return web.form_error(
            "records/vaccination_form.html", error, title=title, values=values, **context
        )
    return web.render("records/vaccination_form.html", title=title, values=values, **context)


def _input(
    vaccine_code: str,
    given_on: str,
    product: str,
    dose_number: str,
    lot: str,
    administered_by: str,
) -> DoseInput:
    try:
        day = dt.date.fromisoformat(given_on) if given_on else None
    except ValueError:
        raise InvalidInput.single(
            "given_on", "date-format", N_("Saisissez une date réelle.")
        ) from None
    number = int(dose_number) if dose_number.strip().isdigit() else None
    if dose_number.strip() and number is None:
        raise InvalidInput.single(
            "dose_number", "number-format", N_("Le numéro de dose va de 1 à 20.")
        )
    return DoseInput(
        vaccine_code, day, product or None, number, lot or None, administered_by or None
    )


Text = Annotated[str, Form(max_length=200)]


@router.get("/records/{patient_id}/vaccinations/new")
def add_form(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    record.access.require(Action.document_create)
    return _form(
        web,
        record,
        title=web.gettext(ADD_TITLE),
        action_url=f"/records/{record.patient_id}/vaccinations/new",
        values={},
    )


@router.post("/records/{patient_id}/vaccinations/new")
def add_submit(
    web: WebFormDep,
    patient_id: str,
    vaccine_code: Text = "",
    given_on: Text = "",
    product: Text = "",
    dose_number: Text = "",
    lot: Text = "",
    administered_by: Text = "",
    invisible_to_representatives: Text = "",
) -> Response:
    record = record_page(web, patient_id)
    values = {
        "vaccine_code": vaccine_code,
        "given_on": given_on,
        "product": product,
        "dose_number": dose_number,
        "lot": lot,
        "administered_by": administered_by,
        "invisible_to_representatives": invisible_to_representatives,
    }
    try:
        with web.db.begin_nested():
            row = services.add(
                record.access,
                _input(vaccine_code, given_on, product, dose_number, lot, administered_by),
                invisible_to_representatives=bool(invisible_to_representatives)
                and not record.is_holder_side,
            )
    except DomainError as exc:
        return _form(
            web,
            record,
            title=web.gettext(ADD_TITLE),
            action_url=f"/records/{record.patient_id}/vaccinations/new",
            values=values,
            error=exc,
        )
    web.flash(N_("La vaccination est enregistrée."))
    return web.redirect(f"/records/{record.patient_id}/vaccinations/{row.id}")


@router.get("/records/{patient_id}/vaccinations/certificate")
def certificate_pdf(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    rows = services.doses(record.access)
    patient = patient_of(web.db, record.patient_id)
    pdf = certificate.render_pdf(
        patient_name=patient.display_name,
        birth_date=patient.birth_date,
        rows=rows,
        authors=presenters.Authors(web.db, rows),
        vaccine_label=lambda code: services.vaccine_label(code, web.language, web.gettext),
        generated_at=record.access.clock.now(),
        language=web.language,
        gettext=web.gettext,
    )
    web.db.commit()  # the read is audited even if the download is interrupted
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'inline; filename="attestation-vaccination.pdf"',
            "Cache-Control": "no-store",
        },
    )


def _dose(
    web: Web, patient_id: str, dose_id: str, action: Action = Action.document_read
) -> tuple[RecordPage, VaccinationRow]:
    record = record_page(web, patient_id)
    return record, services.get(record.access, parse_id(dose_id), action)


@router.get("/records/{patient_id}/vaccinations/{dose_id}")
def dose_page(web: WebDep, patient_id: str, dose_id: str) -> Response:
    record, row = _dose(web, patient_id, dose_id)
    versions = items.versions_of(record.access, VaccinationRow, row)
    authors = presenters.Authors(web.db, versions)
    facts = item_facts(row)
    current = row.status == "approved"
    return web.render(
        "records/vaccination.html",
        title=DOSE_TITLE,
        row=row,
        vaccine=services.vaccine_label(row.vaccine_code, web.language, web.gettext),
        author=authors.of(row),
        versions=[
            {
                "row": v,
                "vaccine": services.vaccine_label(v.vaccine_code, web.language, web.gettext),
                "author": authors.of(v),
            }
            for v in versions
        ],
        can_manage=current and record.access.decide(Action.document_manage, facts).allowed,
        can_mask=current and record.access.decide(Action.document_mask, facts).allowed,
        **record.context(),
    )


@router.get("/records/{patient_id}/vaccinations/{dose_id}/edit")
def edit_form(web: WebDep, patient_id: str, dose_id: str) -> Response:
    record, row = _dose(web, patient_id, dose_id, Action.document_manage)
    return _form(
        web,
        record,
        title=web.gettext(EDIT_TITLE),
        action_url=f"/records/{record.patient_id}/vaccinations/{row.id}/edit",
        values=_values(row),
    )


@router.post("/records/{patient_id}/vaccinations/{dose_id}/edit")
def edit_submit(
    web: WebFormDep,
    patient_id: str,
    dose_id: str,
    vaccine_code: Text = "",
    given_on: Text = "",
    product: Text = "",
    dose_number: Text = "",
    lot: Text = "",
    administered_by: Text = "",
    version: Text = "",
) -> Response:
    record, row = _dose(web, patient_id, dose_id, Action.document_manage)
    values = {
        "vaccine_code": vaccine_code,
        "given_on": given_on,
        "product": product,
        "dose_number": dose_number,
        "lot": lot,
        "administered_by": administered_by,
        "version": version,
    }
    try:
        with web.db.begin_nested():
            new = services.correct(
                record.access,
                row.id,
                _input(vaccine_code, given_on, product, dose_number, lot, administered_by),
                expected_version=int(version) if version.isdigit() else None,
            )
    except DomainError as exc:
        return _form(
            web,
            record,
            title=web.gettext(EDIT_TITLE),
            action_url=f"/records/{record.patient_id}/vaccinations/{row.id}/edit",
            values=values,
            error=exc,
        )
    web.flash(N_("La correction est enregistrée ; la version précédente reste dans l'historique."))
    return web.redirect(f"/records/{record.patient_id}/vaccinations/{new.id}")


def _confirm(web: Web, record: RecordPage, row: VaccinationRow, **context: Any) -> Response:
    label = services.vaccine_label(row.vaccine_code, web.language, web.gettext)
    return web.render(
        "records/confirm.html",
        row=row,
        lead=f"{label} — {row.given_on.isoformat()}",
        back_url=f"/records/{record.patient_id}/vaccinations/{row.id}",
        back_label=N_("Annuler et revenir à la vaccination"),
        **context,
        **record.context(),
    )


@router.get("/records/{patient_id}/vaccinations/{dose_id}/delete")
def delete_confirm(web: WebDep, patient_id: str, dose_id: str) -> Response:
    record, row = _dose(web, patient_id, dose_id, Action.document_manage)
    return _confirm(
        web,
        record,
        row,
        title=N_("Supprimer cette vaccination"),
        message=N_(
            "Elle n'apparaîtra plus dans le carnet ni dans le calcul des vaccinations à faire ;"
            " elle reste dans l'historique des modifications."
        ),
        action_url=f"/records/{record.patient_id}/vaccinations/{row.id}/delete",
        fields={"version": str(row.version)},
        button=N_("Supprimer"),
        warning=True,
    )


@router.post("/records/{patient_id}/vaccinations/{dose_id}/delete")
def delete_submit(web: WebFormDep, patient_id: str, dose_id: str, version: Text = "") -> Response:
    record, row = _dose(web, patient_id, dose_id, Action.document_manage)
    services.delete(
        record.access, row.id, expected_version=int(version) if version.isdigit() else None
    )
    web.flash(N_("La vaccination est supprimée."))
    return web.redirect(f"/records/{record.patient_id}/vaccinations")


@router.get("/records/{patient_id}/vaccinations/{dose_id}/mask")
def mask_confirm(web: WebDep, patient_id: str, dose_id: str) -> Response:
    record, row = _dose(web, patient_id, dose_id, Action.document_mask)
    return _confirm(
        web,
        record,
        row,
        title=N_("Ne plus masquer cette vaccination")
        if row.masked
        else N_("Masquer cette vaccination aux professionnels"),
        message=N_("Les professionnels que vous avez autorisés pourront de nouveau la voir.")
        if row.masked
        else N_(
            "Les professionnels ne la verront plus, sauf son auteur, votre médecin traitant et"
            " les professionnels à qui vous avez donné les mêmes droits."
        ),
        action_url=f"/records/{record.patient_id}/vaccinations/{row.id}/mask",
        fields={"masked": "" if row.masked else "1"},
        button=N_("Ne plus masquer") if row.masked else N_("Masquer"),
        warning=not row.masked,
    )


@router.post("/records/{patient_id}/vaccinations/{dose_id}/mask")
def mask_submit(web: WebFormDep, patient_id: str, dose_id: str, masked: Text = "") -> Response:
    record, row = _dose(web, patient_id, dose_id, Action.document_mask)
    services.set_masked(record.access, row.id, bool(masked))
    web.flash(
        N_("La vaccination est masquée aux professionnels.")
        if masked
        else N_("La vaccination n'est plus masquée.")
    )
    return web.redirect(f"/records/{record.patient_id}/vaccinations/{row.id}")
