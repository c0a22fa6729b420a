"""The professional's side: find a patient by INS, create the record with consent, record the
patient's authorisation, and the emergency (bris de glace) and regulation flows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from dmp.access import services as access_services
from dmp.access.policy import Action
from dmp.audit.model import AuditAction
from dmp.identity.model import IDENTITY_STATUS_LABELS, IdentityStatus, Role
from dmp.identity.nir import parse_matricule
from dmp.identity.orm import PatientRow
from dmp.linked import services as linked_services
from dmp.records import lifecycle
from dmp.records.emergency import declare
from dmp.records.history import MODE_LABELS
from dmp.shared.errors import N_, DomainError, FieldError, InvalidInput, NotFound
from dmp.web.context import WebDep, WebFormDep
from dmp.web.helpers import parse_date_fields
from dmp.web.record_common import RecordPage, record_page

router = APIRouter()

FIND_TITLE = N_("Trouver un patient")
PATIENT_TITLE = N_("Dossier du patient")
EMERGENCY_TITLE = N_("Accès d'urgence (bris de glace)")
REGULATION_TITLE = N_("Accès depuis le centre de régulation")


@router.get("/pro/patients")
def find_form(web: WebDep) -> Response:
    web.require_account(Role.professional)
    return web.render("pro/find.html", title=FIND_TITLE)


@router.post("/pro/patients")
def find_submit(
    web: WebFormDep,
    ins_matricule: Annotated[str, Form(max_length=40)] = "",
    birth_day: Annotated[str, Form(max_length=4)] = "",
    birth_month: Annotated[str, Form(max_length=4)] = "",
    birth_year: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    web.require_account(Role.professional)
    values = {
        "ins_matricule": ins_matricule,
        "birth_day": birth_day,
        "birth_month": birth_month,
        "birth_year": birth_year,
    }
    errors: list[FieldError] = []
    matricule = birth_date = None
    try:
        matricule = parse_matricule(ins_matricule)
    except InvalidInput as exc:
        errors.extend(exc.errors)
    try:
        birth_date = parse_date_fields("birth_date", birth_day, birth_month, birth_year)
    except InvalidInput as exc:
        errors.extend(exc.errors)
    if errors or matricule is None or birth_date is None:
        return web.form_error(
            "pro/find.html", InvalidInput(errors=errors), title=FIND_TITLE, values=values
        )
    patient = web.db.query(PatientRow).filter(PatientRow.ins_matricule == matricule.value).first()
    if patient is None or patient.birth_date != birth_date:
        error = NotFound(
            N_("Aucun patient ne correspond à ce matricule INS et à cette date de naissance."),
            code="not-found",
        )
        return web.form_error("pro/find.html", error, title=FIND_TITLE, values=values)
    record = record_page(web, str(patient.id))
    mode = record.access.require(Action.record_status)
    record.access.audit(AuditAction.RecordStatusRead, mode, target=f"Record/{patient.id}")
    return web.redirect(f"/pro/patients/{patient.id}")


def _patient_context(record: RecordPage) -> dict[str, Any]:
    access = record.access
    listing = access.decide(Action.documents_list)
    return {
        "patient": record.patient,
        "status_label": IDENTITY_STATUS_LABELS[IdentityStatus(record.patient.identity_status)],
        "record_status": access.facts.status.value if access.facts.status else None,
        "my_mode": listing.mode.value if listing.allowed and listing.mode else None,
        "mode_label": MODE_LABELS.get(listing.mode.value, "") if listing.mode else "",
        "can_create": access.decide(Action.record_create).allowed,
        "can_consent": access.decide(Action.record_consent).allowed and not listing.allowed,
        "can_emergency": access.decide(Action.emergency_declare).allowed and not listing.allowed,
        "can_regulate": access.decide(Action.regulation_declare).allowed and not listing.allowed,
        "blocked": access.actor.professional_id in access.facts.blocked,
        "can_open_space": not linked_services.has_own_space(access.session, record.patient_id),
        **record.context(),
    }


@router.get("/pro/patients/{patient_id}")
def patient_page(web: WebDep, patient_id: str) -> Response:
    web.require_account(Role.professional)
    record = record_page(web, patient_id)
    record.access.require(Action.record_status)
    return web.render("pro/patient.html", title=PATIENT_TITLE, **_patient_context(record))


@router.post("/pro/patients/{patient_id}/record")
def create_record(
    web: WebFormDep,
    patient_id: str,
    consent_method: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    web.require_account(Role.professional)
    record = record_page(web, patient_id)
    try:
        with web.db.begin_nested():
            lifecycle.create(record.access, consent_method=consent_method or None)
    except DomainError as exc:
        record.access.refresh()
        return web.form_error(
            "pro/patient.html",
            exc,
            title=PATIENT_TITLE,
            values={"consent_method": consent_method},
            **_patient_context(record),
        )
    web.flash(N_("Le dossier est créé. Le patient en est informé."))
    return web.redirect(f"/records/{record.patient_id}/documents")


@router.post("/pro/patients/{patient_id}/space")
def open_space(
    web: WebFormDep,
    patient_id: str,
    email: Annotated[str, Form(max_length=254)] = "",
) -> Response:
    """A patient known to dmp without a space of their own (a child, a young adult whose
    address was unknown at majority) gets an activation code by e-mail, as at registration."""
    web.require_account(Role.professional)
    record = record_page(web, patient_id)
    record.access.require(Action.record_status)
    try:
        with web.db.begin_nested():
            linked_services.open_own_space(
                web.db,
                web.security,
                web.ctx,
                patient_id=record.patient_id,
                email=email,
                language=web.language,
            )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return web.form_error(
            "pro/patient.html",
            exc,
            title=PATIENT_TITLE,
            values={"email": email},
            **_patient_context(record),
        )
    web.flash(N_("Un code d'activation est envoyé à %(email)s."), email=email)
    return web.redirect(f"/pro/patients/{record.patient_id}")


@router.post("/pro/patients/{patient_id}/consent")
def record_consent(
    web: WebFormDep,
    patient_id: str,
    basis: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    web.require_account(Role.professional)
    record = record_page(web, patient_id)
    if basis not in ("consent", "care-team"):
        error = InvalidInput.single(
            "basis", "required", N_("Indiquez sur quoi repose votre accès.")
        )
        return web.form_error(
            "pro/patient.html", error, title=PATIENT_TITLE, **_patient_context(record)
        )
    access_services.record_consent(record.access, care_team=basis == "care-team")
    web.flash(N_("L'autorisation du patient est enregistrée."))
    return web.redirect(f"/records/{record.patient_id}/documents")


def _emergency_form(
    web: WebDep,
    record: RecordPage,
    *,
    regulation: bool,
    error: DomainError | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    title = REGULATION_TITLE if regulation else EMERGENCY_TITLE
    context = {
        "regulation": regulation,
        "hours": web.container.settings.emergency_access_hours,
        "patient": record.patient,
        **record.context(),
    }
    if error is not None:
        return web.form_error(
            "pro/emergency.html", error, title=title, values=values or {}, **context
        )
    return web.render("pro/emergency.html", title=title, **context)


@router.get("/pro/patients/{patient_id}/emergency")
def emergency_form(web: WebDep, patient_id: str) -> Response:
    web.require_account(Role.professional)
    record = record_page(web, patient_id)
    record.access.require(Action.emergency_declare)
    return _emergency_form(web, record, regulation=False)


@router.get("/pro/patients/{patient_id}/regulation")
def regulation_form(web: WebDep, patient_id: str) -> Response:
    web.require_account(Role.professional)
    record = record_page(web, patient_id)
    record.access.require(Action.regulation_declare)
    return _emergency_form(web, record, regulation=True)


def _declare(
    web: WebFormDep, patient_id: str, reason: str, confirmed: str | None, *, regulation: bool
) -> Response:
    web.require_account(Role.professional)
    record = record_page(web, patient_id)
    values = {"reason": reason, "confirmed": confirmed or ""}
    try:
        if not confirmed:
            raise InvalidInput.single(
                "confirmed",
                "required",
                N_(
                    "Confirmez que le patient ne peut pas exprimer sa volonté et que sa santé est"
                    " en danger immédiat."
                ),
            )
        with web.db.begin_nested():
            declare(record.access, reason=reason, regulation=regulation)
    except DomainError as exc:
        return _emergency_form(web, record, regulation=regulation, error=exc, values=values)
    return web.redirect(f"/records/{record.patient_id}/documents")


@router.post("/pro/patients/{patient_id}/emergency")
def emergency_submit(
    web: WebFormDep,
    patient_id: str,
    reason: Annotated[str, Form(max_length=500)] = "",
    confirmed: Annotated[str | None, Form(max_length=3)] = None,
) -> Response:
    return _declare(web, patient_id, reason, confirmed, regulation=False)


@router.post("/pro/patients/{patient_id}/regulation")
def regulation_submit(
    web: WebFormDep,
    patient_id: str,
    reason: Annotated[str, Form(max_length=500)] = "",
    confirmed: Annotated[str | None, Form(max_length=3)] = None,
) -> Response:
    return _declare(web, patient_id, reason, confirmed, regulation=True)


@router.post("/pro/patients/{patient_id}/emergency/end")
def end_emergency(web: WebFormDep, patient_id: str) -> Response:
    web.require_account(Role.professional)
    record = record_page(web, patient_id)
    access_services.end_emergency(record.access)
    web.flash(N_("L'accès d'urgence est terminé."))
    return web.redirect(f"/pro/patients/{record.patient_id}")
