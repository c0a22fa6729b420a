"""Finding a patient and the record's lifecycle over REST."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dmp.access import services as access_services
from dmp.access.policy import Action
from dmp.api.dependencies import ActorDep, ContainerDep, DbDep
from dmp.api.records.common import ERRORS, AccessDep, RecordStatusOut, access_for, status_out
from dmp.audit.model import AuditAction
from dmp.identity.nir import parse_matricule
from dmp.identity.orm import PatientRow
from dmp.records import lifecycle
from dmp.shared.errors import InvalidInput, NotFound

router = APIRouter(prefix="/api/v1", tags=["records"])


# --- Finding a patient, record status ------------------------------------------------------


@router.get(
    "/patients/search",
    response_model=RecordStatusOut,
    summary="Find a patient by matricule INS, checked against their birth date",
    responses=ERRORS,
)
def find_patient(
    actor: ActorDep,
    container: ContainerDep,
    db: DbDep,
    ins: Annotated[str, Query(max_length=30)],
    birth_date: Annotated[dt.date, Query()],
) -> RecordStatusOut:
    """Both traits must match; otherwise 404, whatever was wrong."""
    try:
        matricule = parse_matricule(ins)
    except InvalidInput as exc:
        # The checks name the stored field; this route's parameter is ``ins``.
        raise InvalidInput.single("ins", exc.code, exc.message, **dict(exc.params)) from exc
    patient = db.query(PatientRow).filter(PatientRow.ins_matricule == matricule.value).first()
    if patient is None or patient.birth_date != birth_date:
        raise NotFound(access_services.NOT_FOUND, code="record-not-found")
    access = access_for(container, db, actor, patient.id)
    mode = access.require(Action.record_status)
    access.audit(AuditAction.RecordStatusRead, mode, target=f"Record/{patient.id}")
    db.commit()
    return status_out(access, patient)


@router.get(
    "/patients/{patient_id}/record",
    response_model=RecordStatusOut,
    summary="The record's status and the caller's access",
    responses=ERRORS,
)
def record_status(access: AccessDep) -> RecordStatusOut:
    access.require(Action.record_status)
    return status_out(access, access_services.patient_of(access.session, access.patient_id))


class RecordCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    consent_method: Literal["oral", "written"] | None = Field(
        default=None, description="Required when a professional creates the record"
    )


@router.post(
    "/patients/{patient_id}/record",
    status_code=201,
    response_model=RecordStatusOut,
    summary="Create the record (a professional with the patient's consent, or the holder)",
    responses=ERRORS,
)
def create_record(access: AccessDep, body: RecordCreate) -> Response:
    patient = access_services.patient_of(access.session, access.patient_id)
    lifecycle.create(access, consent_method=body.consent_method)
    access.session.commit()
    return JSONResponse(status_out(access, patient).model_dump(mode="json"), status_code=201)


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    care_team: bool = Field(
        default=False,
        description="True when access is presumed because the professional belongs to the"
        " patient's care team (recorded as such), false for an explicit consent",
    )


@router.post(
    "/patients/{patient_id}/record/consent",
    response_model=RecordStatusOut,
    summary="A professional records that the patient authorised them",
    responses=ERRORS,
)
def record_consent(access: AccessDep, body: ConsentIn) -> RecordStatusOut:
    access_services.record_consent(access, care_team=body.care_team)
    access.session.commit()
    access.refresh()
    return status_out(access, access_services.patient_of(access.session, access.patient_id))


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=500)


@router.post(
    "/patients/{patient_id}/record/close",
    response_model=RecordStatusOut,
    responses=ERRORS,
    summary="The holder closes the record",
)
def close_record(access: AccessDep, body: CloseIn) -> RecordStatusOut:
    lifecycle.close(access, reason=body.reason)
    access.session.commit()
    return status_out(access, access_services.patient_of(access.session, access.patient_id))


@router.post(
    "/patients/{patient_id}/record/reopen",
    response_model=RecordStatusOut,
    responses=ERRORS,
    summary="The holder reopens a closed record",
)
def reopen_record(access: AccessDep) -> RecordStatusOut:
    lifecycle.reopen(access)
    access.session.commit()
    return status_out(access, access_services.patient_of(access.session, access.patient_id))


@router.post(
    "/patients/{patient_id}/record/deletion-request",
    response_model=RecordStatusOut,
    responses=ERRORS,
    summary="The holder asks for the data to be deleted (done within 3 months)",
)
def request_deletion(access: AccessDep) -> RecordStatusOut:
    lifecycle.request_deletion(access)
    access.session.commit()
    return status_out(access, access_services.patient_of(access.session, access.patient_id))
