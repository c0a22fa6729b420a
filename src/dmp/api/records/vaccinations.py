"""Vaccinations over REST: recorded doses, the plan from the French schedule, the certificate."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dmp.access.services import Access, patient_of
from dmp.api.problems import api_language
from dmp.api.records.common import ERRORS, AccessDep, MaskIn, if_match_version
from dmp.records import presenters
from dmp.shared.i18n import translate
from dmp.vaccination import certificate, services
from dmp.vaccination.labels import REASON_LABELS, STATUS_LABELS
from dmp.vaccination.loader import default_schedule
from dmp.vaccination.model import PlanItem
from dmp.vaccination.orm import VaccinationRow
from dmp.vaccination.services import DoseInput

router = APIRouter(prefix="/api/v1", tags=["vaccinations"])


class DoseOut(BaseModel):
    id: str
    series_id: str
    series_number: int
    status: str
    vaccine_code: str
    vaccine: str
    product: str | None
    dose_number: int | None
    given_on: dt.date
    lot: str | None
    administered_by: str | None
    verified: bool = Field(description="Entered by a professional (else declared by the patient)")
    recorded_by: str
    masked: bool
    invisible_to_representatives: bool
    created_at: dt.datetime
    version: int


class PlanItemOut(BaseModel):
    vaccine_code: str
    vaccine: str
    status: str
    status_label: str
    mandatory: bool
    dose_number: int | None
    due_date: dt.date | None
    earliest_date: dt.date | None
    latest_date: dt.date | None
    given_on: dt.date | None
    reason: str | None
    reason_label: str | None


class VaccinationsOut(BaseModel):
    schedule_version: str
    doses: list[DoseOut]
    plan: list[PlanItemOut]


def dose_out(row: VaccinationRow, authors: presenters.Authors, language: str) -> DoseOut:
    return DoseOut(
        id=str(row.id),
        series_id=str(row.series_id),
        series_number=row.series_number,
        status=row.status,
        vaccine_code=row.vaccine_code,
        vaccine=services.vaccine_label(row.vaccine_code, language),
        product=row.product,
        dose_number=row.dose_number,
        given_on=row.given_on,
        lot=row.lot,
        administered_by=row.administered_by,
        verified=row.verified,
        recorded_by=authors.of(row).name,
        masked=row.masked,
        invisible_to_representatives=row.invisible_to_representatives,
        created_at=row.created_at,
        version=row.version,
    )


def plan_item_out(item: PlanItem, language: str) -> PlanItemOut:
    return PlanItemOut(
        vaccine_code=item.vaccine,
        vaccine=default_schedule().vaccine(item.vaccine).label(language),
        status=item.status.value,
        status_label=translate(language, STATUS_LABELS[item.status]),
        mandatory=item.mandatory,
        dose_number=item.dose_number,
        due_date=item.due_date,
        earliest_date=item.earliest_date,
        latest_date=item.latest_date,
        given_on=item.given_on,
        reason=item.reason.value if item.reason else None,
        reason_label=translate(language, REASON_LABELS[item.reason]) if item.reason else None,
    )


def _one(row: VaccinationRow, access: Access, request: Request, status: int = 200) -> Response:
    body = dose_out(row, presenters.Authors(access.session, [row]), api_language(request))
    headers = {"ETag": f'"{row.version}"'}
    if status == 201:
        headers["Location"] = f"/api/v1/patients/{row.patient_id}/vaccinations/{row.id}"
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


@router.get(
    "/patients/{patient_id}/vaccinations",
    response_model=VaccinationsOut,
    responses=ERRORS,
    summary="Recorded doses and what is done, due, overdue, upcoming (French schedule)",
)
def read_vaccinations(access: AccessDep, request: Request) -> VaccinationsOut:
    rows = services.doses(access)
    plan = services.plan_for(access, rows)
    authors = presenters.Authors(access.session, rows)
    access.session.commit()
    language = api_language(request)
    return VaccinationsOut(
        schedule_version=default_schedule().version,
        doses=[dose_out(row, authors, language) for row in rows],
        plan=[plan_item_out(item, language) for item in plan],
    )


class DoseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vaccine_code: str = Field(max_length=20, description="A code of the shipped schedule")
    given_on: dt.date
    product: str | None = Field(default=None, max_length=200)
    dose_number: int | None = None
    lot: str | None = Field(default=None, max_length=200)
    administered_by: str | None = Field(default=None, max_length=200)

    def as_input(self) -> DoseInput:
        return DoseInput(
            self.vaccine_code,
            self.given_on,
            self.product,
            self.dose_number,
            self.lot,
            self.administered_by,
        )


class NewDoseIn(DoseIn):
    invisible_to_representatives: bool = Field(
        default=False, description="A minor's confidential care (professionals only)"
    )


@router.post(
    "/patients/{patient_id}/vaccinations",
    status_code=201,
    response_model=DoseOut,
    responses=ERRORS,
    summary="Record a dose (verified when a professional records it)",
)
def add_dose(access: AccessDep, body: NewDoseIn, request: Request) -> Response:
    row = services.add(
        access, body.as_input(), invisible_to_representatives=body.invisible_to_representatives
    )
    access.session.commit()
    return _one(row, access, request, 201)


@router.get(
    "/patients/{patient_id}/vaccinations/certificate",
    responses={**ERRORS, 200: {"content": {"application/pdf": {}}}},
    response_class=Response,
    summary="The vaccination certificate (PDF) of the doses the caller may see",
)
def vaccination_certificate(access: AccessDep, request: Request) -> Response:
    language = api_language(request)
    rows = services.doses(access)
    patient = patient_of(access.session, access.patient_id)
    pdf = certificate.render_pdf(
        patient_name=patient.display_name,
        birth_date=patient.birth_date,
        rows=rows,
        authors=presenters.Authors(access.session, rows),
        vaccine_label=lambda code: services.vaccine_label(code, language),
        generated_at=access.clock.now(),
        language=language,
        gettext=lambda message, **params: translate(language, message, params),
    )
    access.session.commit()
    return Response(pdf, media_type="application/pdf", headers={"Cache-Control": "no-store"})


@router.get(
    "/patients/{patient_id}/vaccinations/{dose_id}",
    response_model=DoseOut,
    responses=ERRORS,
    summary="One recorded dose",
)
def get_dose(access: AccessDep, dose_id: uuid.UUID, request: Request) -> Response:
    row = services.get(access, dose_id)
    access.session.commit()
    return _one(row, access, request)


@router.put(
    "/patients/{patient_id}/vaccinations/{dose_id}",
    response_model=DoseOut,
    responses=ERRORS,
    summary="Correct a dose (its author only): a new version, the old one kept",
)
def correct_dose(
    access: AccessDep,
    dose_id: uuid.UUID,
    body: DoseIn,
    request: Request,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    row = services.correct(
        access, dose_id, body.as_input(), expected_version=if_match_version(if_match)
    )
    access.session.commit()
    return _one(row, access, request)


@router.delete(
    "/patients/{patient_id}/vaccinations/{dose_id}",
    status_code=204,
    responses=ERRORS,
    summary="Delete a dose (its author only; kept in the history)",
)
def delete_dose(
    access: AccessDep, dose_id: uuid.UUID, if_match: Annotated[str | None, Header()] = None
) -> Response:
    services.delete(access, dose_id, expected_version=if_match_version(if_match))
    access.session.commit()
    return Response(status_code=204)


@router.put(
    "/patients/{patient_id}/vaccinations/{dose_id}/masked",
    response_model=DoseOut,
    responses=ERRORS,
    summary="The patient's side hides a dose from professionals, or shows it again",
)
def mask_dose(access: AccessDep, dose_id: uuid.UUID, body: MaskIn, request: Request) -> Response:
    row = services.set_masked(access, dose_id, body.masked)
    access.session.commit()
    return _one(row, access, request)


@router.get(
    "/patients/{patient_id}/vaccinations/{dose_id}/versions",
    response_model=list[DoseOut],
    responses=ERRORS,
    summary="Every version of a dose the caller may read, oldest first",
)
def dose_versions(access: AccessDep, dose_id: uuid.UUID, request: Request) -> list[DoseOut]:
    rows = services.versions(access, dose_id)
    authors = presenters.Authors(access.session, rows)
    access.session.commit()
    language = api_language(request)
    return [dose_out(row, authors, language) for row in rows]
