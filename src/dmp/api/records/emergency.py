"""Bris de glace and regulation-centre access over REST."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dmp.access import services as access_services
from dmp.access.services import Access
from dmp.api.records.common import ERRORS, AccessDep
from dmp.shared.errors import N_, NotFound

router = APIRouter(prefix="/api/v1", tags=["records"])


# --- Emergency --------------------------------------------------------------------------------


class EmergencyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=500)


class EmergencyOut(BaseModel):
    id: str
    kind: str
    expires_at: dt.datetime


def _declare(access: Access, body: EmergencyIn, *, regulation: bool) -> Response:
    from dmp.records.emergency import declare

    row = declare(access, reason=body.reason, regulation=regulation)
    access.session.commit()
    out = EmergencyOut(id=str(row.id), kind=row.kind, expires_at=row.expires_at)
    return JSONResponse(out.model_dump(mode="json"), status_code=201)


@router.post(
    "/patients/{patient_id}/emergency",
    status_code=201,
    response_model=EmergencyOut,
    responses=ERRORS,
    summary="Bris de glace: time-limited access when the patient cannot consent",
)
def emergency(access: AccessDep, body: EmergencyIn) -> Response:
    return _declare(access, body, regulation=False)


@router.post(
    "/patients/{patient_id}/regulation",
    status_code=201,
    response_model=EmergencyOut,
    responses=ERRORS,
    summary="SAMU regulation centre access (médecin régulateur)",
)
def regulation(access: AccessDep, body: EmergencyIn) -> Response:
    return _declare(access, body, regulation=True)


@router.delete(
    "/patients/{patient_id}/emergency",
    status_code=204,
    responses=ERRORS,
    summary="End my bris de glace or regulation access before it expires",
)
def end_emergency(access: AccessDep) -> Response:
    if not access_services.end_emergency(access):
        raise NotFound(
            N_("Vous n'avez pas d'accès d'urgence en cours sur ce dossier."),
            code="no-emergency-access",
        )
    access.session.commit()
    return Response(status_code=204)
