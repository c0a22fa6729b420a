"""The holder's sharing choices over REST."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from dmp.access import services as access_services
from dmp.access.policy import Action
from dmp.access.services import Access
from dmp.api.problems import api_language
from dmp.api.records.common import ERRORS, AccessDep
from dmp.identity.orm import ProfessionalRow
from dmp.shared.i18n import translate

router = APIRouter(prefix="/api/v1", tags=["records"])


# --- Sharing choices --------------------------------------------------------------------------


class ProfessionalOut(BaseModel):
    id: str
    name: str
    rpps: str
    profession: str | None
    specialty: str | None


class SharingOut(BaseModel):
    authorised: list[ProfessionalOut]
    blocked: list[ProfessionalOut]
    treating_doctor: ProfessionalOut | None
    extended_rights: list[ProfessionalOut]
    emergency_opposed: bool
    regulation_opposed: bool
    notify_first_access: bool
    notify_emergency: bool
    notify_announcement: bool
    notify_new_document: bool
    notify_vaccination: bool
    notify_directives: bool


def professional_out(db: Any, professional_id: uuid.UUID, language: str) -> ProfessionalOut:
    from dmp.identity.model import PROFESSIONS, SPECIALTIES

    row = db.get(ProfessionalRow, professional_id)
    assert row is not None
    return ProfessionalOut(
        id=str(row.id),
        name=f"{row.given_name} {row.family_name}",
        rpps=row.rpps,
        profession=translate(language, PROFESSIONS[row.profession_code])
        if row.profession_code in PROFESSIONS
        else None,
        specialty=translate(language, SPECIALTIES[row.specialty_code])
        if row.specialty_code in SPECIALTIES
        else None,
    )


def sharing_out(access: Access, language: str) -> SharingOut:
    facts = access.facts
    prefs = access_services.preferences(access.session, access.patient_id, access.clock.now())
    db = access.session
    return SharingOut(
        authorised=[
            professional_out(db, p, language) for p in sorted(facts.authorised - facts.blocked)
        ],
        blocked=[professional_out(db, p, language) for p in sorted(facts.blocked)],
        treating_doctor=professional_out(db, facts.treating_doctor, language)
        if facts.treating_doctor
        else None,
        extended_rights=[professional_out(db, p, language) for p in sorted(facts.extended_rights)],
        emergency_opposed=prefs.emergency_opposed,
        regulation_opposed=prefs.regulation_opposed,
        notify_first_access=prefs.notify_first_access,
        notify_emergency=prefs.notify_emergency,
        notify_announcement=prefs.notify_announcement,
        notify_new_document=prefs.notify_new_document,
        notify_vaccination=prefs.notify_vaccination,
        notify_directives=prefs.notify_directives,
    )


@router.get(
    "/patients/{patient_id}/sharing",
    response_model=SharingOut,
    responses=ERRORS,
    summary="Who can see the record (the holder's side)",
)
def get_sharing(access: AccessDep, request: Request) -> SharingOut:
    access.require(Action.sharing_manage)
    out = sharing_out(access, api_language(request))
    access.session.commit()
    return out


class ProfessionalRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    professional_id: uuid.UUID


class TreatingDoctorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    professional_id: uuid.UUID | None


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    emergency_opposed: bool | None = None
    regulation_opposed: bool | None = None
    notify_first_access: bool | None = None
    notify_emergency: bool | None = None
    notify_announcement: bool | None = None
    notify_new_document: bool | None = None
    notify_vaccination: bool | None = None
    notify_directives: bool | None = None


def _changed(access: Access, request: Request, change: Callable[[Access], object]) -> SharingOut:
    change(access)
    access.session.commit()
    access.refresh()
    return sharing_out(access, api_language(request))


def _route(method: str, path: str, summary: str) -> Callable[[Callable[..., SharingOut]], Any]:
    return router.api_route(
        "/patients/{patient_id}/sharing" + path,
        methods=[method],
        response_model=SharingOut,
        responses=ERRORS,
        summary=summary,
    )


@_route("POST", "/authorisations", "Authorise a professional")
def authorise(body: ProfessionalRef, access: AccessDep, request: Request) -> SharingOut:
    return _changed(access, request, lambda a: access_services.authorise(a, body.professional_id))


@_route("DELETE", "/authorisations/{professional_id}", "Withdraw a professional's authorisation")
def revoke(professional_id: uuid.UUID, access: AccessDep, request: Request) -> SharingOut:
    return _changed(access, request, lambda a: access_services.revoke(a, professional_id))


@_route("POST", "/blocks", "Block a professional")
def block(body: ProfessionalRef, access: AccessDep, request: Request) -> SharingOut:
    return _changed(access, request, lambda a: access_services.block(a, body.professional_id))


@_route("DELETE", "/blocks/{professional_id}", "Unblock a professional")
def unblock(professional_id: uuid.UUID, access: AccessDep, request: Request) -> SharingOut:
    return _changed(access, request, lambda a: access_services.unblock(a, professional_id))


@_route("PUT", "/treating-doctor", "Designate the médecin traitant (null: none)")
def treating_doctor(body: TreatingDoctorIn, access: AccessDep, request: Request) -> SharingOut:
    return _changed(
        access,
        request,
        lambda a: access_services.designate_treating_doctor(a, body.professional_id),
    )


@_route("POST", "/extended-rights", "Give a professional the médecin traitant's rights")
def extend(body: ProfessionalRef, access: AccessDep, request: Request) -> SharingOut:
    return _changed(
        access, request, lambda a: access_services.grant_extended_rights(a, body.professional_id)
    )


@_route("DELETE", "/extended-rights/{professional_id}", "Withdraw extended rights")
def unextend(professional_id: uuid.UUID, access: AccessDep, request: Request) -> SharingOut:
    return _changed(
        access, request, lambda a: access_services.revoke_extended_rights(a, professional_id)
    )


@_route("PATCH", "/preferences", "Oppositions to emergency and regulation access; notices")
def set_preferences(body: PreferencesIn, access: AccessDep, request: Request) -> SharingOut:
    changes = {k: v for k, v in body.model_dump().items() if v is not None}
    return _changed(access, request, lambda a: access_services.update_preferences(a, **changes))
