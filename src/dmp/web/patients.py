"""Registering a patient (professionals and operators): identity traits and contact details;
the patient then receives an activation code."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from dmp.accounts import registration
from dmp.identity.model import (
    IDENTITY_STATUS_LABELS,
    IdentityInput,
    IdentityStatus,
    Role,
    validate_identity,
)
from dmp.identity.orm import PatientRow
from dmp.shared.errors import N_, DomainError, FieldError, InvalidInput, NotFound
from dmp.web.context import WebDep, WebFormDep
from dmp.web.helpers import mask_destination, parse_date_fields

router = APIRouter()

REGISTER_TITLE = N_("Inscrire un patient")
DONE_TITLE = N_("Patient inscrit")
CODE_SENT_TITLE = N_("Nouveau code d'activation envoyé")


@router.get("/patients/new")
def register_form(web: WebDep) -> Response:
    web.require_account(Role.professional, Role.operator)
    return web.render(
        "patients/new.html", title=REGISTER_TITLE, values={"identity_source": "typed"}
    )


@router.post("/patients/new")
def register_submit(
    web: WebFormDep,
    birth_name: Annotated[str, Form(max_length=200)] = "",
    first_given_name: Annotated[str, Form(max_length=200)] = "",
    birth_given_names: Annotated[str, Form(max_length=400)] = "",
    used_name: Annotated[str, Form(max_length=200)] = "",
    sex: Annotated[str, Form(max_length=2)] = "",
    birth_day: Annotated[str, Form(max_length=4)] = "",
    birth_month: Annotated[str, Form(max_length=4)] = "",
    birth_year: Annotated[str, Form(max_length=6)] = "",
    birth_place_code: Annotated[str, Form(max_length=10)] = "",
    ins_matricule: Annotated[str, Form(max_length=40)] = "",
    identity_source: Annotated[str, Form(max_length=20)] = "typed",
    document_checked: Annotated[str | None, Form(max_length=5)] = None,
    email: Annotated[str, Form(max_length=254)] = "",
    phone: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    web.require_account(Role.professional, Role.operator)
    values = {
        "birth_name": birth_name,
        "first_given_name": first_given_name,
        "birth_given_names": birth_given_names,
        "used_name": used_name,
        "sex": sex,
        "birth_day": birth_day,
        "birth_month": birth_month,
        "birth_year": birth_year,
        "birth_place_code": birth_place_code,
        "ins_matricule": ins_matricule,
        "identity_source": identity_source,
        "document_checked": document_checked,
        "email": email,
        "phone": phone,
    }
    errors: list[FieldError] = []
    birth_date = None
    try:
        birth_date = parse_date_fields("birth_date", birth_day, birth_month, birth_year)
    except InvalidInput as exc:
        errors.extend(exc.errors)
    identity = None
    try:
        identity = validate_identity(
            IdentityInput(
                birth_name=birth_name,
                first_given_name=first_given_name,
                birth_given_names=birth_given_names,
                sex=sex,
                birth_date=birth_date,
                birth_place_code=birth_place_code,
                used_name=used_name or None,
                ins_matricule=ins_matricule,
                from_insi=identity_source == "insi",
                document_checked=bool(document_checked),
            ),
            today=web.security.now().date(),
        )
    except InvalidInput as exc:
        # A date that did not parse is already reported once.
        errors.extend(e for e in exc.errors if not (e.field == "birth_date" and birth_date is None))
    if not ins_matricule.strip():
        errors.append(registration.MATRICULE_REQUIRED)
    try:
        registration.clean_email(email)
    except InvalidInput as exc:
        errors.extend(exc.errors)
    try:
        registration.clean_phone(phone)
    except InvalidInput as exc:
        errors.extend(exc.errors)
    if errors or identity is None:
        error = InvalidInput(errors=_in_form_order(errors))
        return web.form_error("patients/new.html", error, title=REGISTER_TITLE, values=values)
    try:
        with web.db.begin_nested():
            registered = registration.register_patient(
                web.db,
                web.security,
                identity=identity,
                email=email,
                phone=phone,
                ctx=web.ctx,
                language=web.language,
            )
    except DomainError as exc:
        return web.form_error("patients/new.html", exc, title=REGISTER_TITLE, values=values)
    return web.render(
        "patients/registered.html",
        title=DONE_TITLE,
        patient=registered.patient,
        status_label=IDENTITY_STATUS_LABELS[IdentityStatus(registered.patient.identity_status)],
        sent_to=mask_destination(registered.account.email),
    )


@router.post("/patients/{patient_id}/activation-code")
def resend_code(web: WebFormDep, patient_id: str) -> Response:
    web.require_account(Role.professional, Role.operator)
    try:
        patient = web.db.get(PatientRow, uuid.UUID(patient_id))
    except ValueError:
        patient = None
    if patient is None:
        raise NotFound(N_("Ce patient n'existe pas."))
    account = registration.reissue_activation_code(
        web.db, web.security, patient_id=patient.id, ctx=web.ctx, language=web.language
    )
    return web.render(
        "patients/code_sent.html",
        title=CODE_SENT_TITLE,
        patient=patient,
        sent_to=mask_destination(account.email),
    )


_FORM_ORDER = (
    "birth_name",
    "first_given_name",
    "birth_given_names",
    "used_name",
    "sex",
    "birth_date",
    "birth_place_code",
    "ins_matricule",
    "email",
    "phone",
)


def _in_form_order(errors: list[FieldError]) -> list[FieldError]:
    return sorted(
        errors, key=lambda e: _FORM_ORDER.index(e.field) if e.field in _FORM_ORDER else 99
    )
