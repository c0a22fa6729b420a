"""Registering a patient through the API (professional or operator)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dmp.accounts import registration
from dmp.api.auth import PROBLEM, PatientSummary, patient_summary
from dmp.api.dependencies import ContainerDep, DbDep, RegistrarDep
from dmp.api.problems import api_language
from dmp.identity.model import IdentityInput, validate_identity

router = APIRouter(prefix="/api/v1", tags=["patients"])


class PatientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    birth_name: str = Field(max_length=100, examples=["MARTIN"])
    first_given_name: str = Field(max_length=100, examples=["Camille"])
    birth_given_names: str = Field(
        default="", max_length=300, description="All birth given names, space-separated"
    )
    used_name: str | None = Field(default=None, max_length=100)
    used_given_name: str | None = Field(default=None, max_length=100)
    sex: Literal["M", "F", "U"]
    birth_date: dt.date
    birth_place_code: str | None = Field(
        default=None, max_length=5, description="INSEE code of the birth commune (99xxx abroad)"
    )
    ins_matricule: str | None = Field(
        default=None, max_length=30, description="NIR or NIA, 15 characters"
    )
    identity_source: Literal["typed", "insi"] = Field(
        default="typed", description="`insi` when the traits were returned by the INSi teleservice"
    )
    document_checked: bool = Field(
        default=False,
        description="Identity checked against a high-trust document (ID card, passport…)",
    )
    email: str = Field(max_length=254)
    phone: str | None = Field(default=None, max_length=30)


class PatientCreated(BaseModel):
    patient: PatientSummary
    account_status: str
    activation_code_sent_to: str


@router.post(
    "/patients",
    status_code=201,
    response_model=PatientCreated,
    summary="Register a patient; an activation code is e-mailed to them",
    responses={401: PROBLEM, 403: PROBLEM, 409: PROBLEM, 422: PROBLEM},
)
def create_patient(
    body: PatientCreate, request: Request, actor: RegistrarDep, container: ContainerDep, db: DbDep
) -> Response:
    identity = validate_identity(
        IdentityInput(
            birth_name=body.birth_name,
            first_given_name=body.first_given_name,
            birth_given_names=body.birth_given_names,
            sex=body.sex,
            birth_date=body.birth_date,
            birth_place_code=body.birth_place_code,
            used_name=body.used_name,
            used_given_name=body.used_given_name,
            ins_matricule=body.ins_matricule,
            from_insi=body.identity_source == "insi",
            document_checked=body.document_checked,
        ),
        today=container.security.now().date(),
    )
    registered = registration.register_patient(
        db,
        container.security,
        identity=identity,
        email=body.email,
        phone=body.phone,
        ctx=actor.ctx,
        language=api_language(request),
    )
    db.commit()
    created = PatientCreated(
        patient=patient_summary(registered.patient),
        account_status=registered.account.status,
        activation_code_sent_to=registered.account.email,
    )
    return JSONResponse(created.model_dump(), status_code=201)


class ActivationCodeSent(BaseModel):
    activation_code_sent_to: str


@router.post(
    "/patients/{patient_id}/activation-code",
    status_code=202,
    response_model=ActivationCodeSent,
    summary="Send a new activation code to a patient whose space is not active yet",
    responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM},
)
def resend_activation_code(
    patient_id: uuid.UUID, request: Request, actor: RegistrarDep, container: ContainerDep, db: DbDep
) -> Response:
    """Earlier codes stop working. 404 when the patient has no space awaiting activation."""
    account = registration.reissue_activation_code(
        db, container.security, patient_id=patient_id, ctx=actor.ctx, language=api_language(request)
    )
    db.commit()
    return JSONResponse({"activation_code_sent_to": account.email}, status_code=202)
