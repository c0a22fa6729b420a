"""The holder's sharing choices over REST."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from dmp.access import services as access_services
from dmp.access.policy import Action
from dmp.access.services import Access
from dmp.api.dependencies import ActorDep, ApiActor, ContainerDep, DbDep
from dmp.api.problems import api_language
from dmp.api.records.common import ERRORS, access_for
from dmp.container import Container
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
        authorised=[professional_out(db, p, language) for p in sorted(facts.authorised)],
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
    )


@router.get(
    "/patients/{patient_id}/sharing",
    response_model=SharingOut,
    responses=ERRORS,
    summary="Who can see the record (the holder's side)",
)
def get_sharing(
    patient_id: uuid.UUID, request: Request, actor: ActorDep, container: ContainerDep, db: DbDep
) -> SharingOut:
    access = access_for(container, db, actor, patient_id)
    access.require(Action.sharing_manage)
    out = sharing_out(access, api_language(request))
    db.commit()
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


def _sharing_change(
    patient_id: uuid.UUID,
    request: Request,
    actor: ApiActor,
    container: Container,
    db: Any,
    change: Any,
) -> SharingOut:
    access = access_for(container, db, actor, patient_id)
    change(access)
    db.commit()
    access.refresh()
    return sharing_out(access, api_language(request))


@router.post(
    "/patients/{patient_id}/sharing/authorisations",
    response_model=SharingOut,
    responses=ERRORS,
    summary="Authorise a professional",
)
def authorise(
    patient_id: uuid.UUID,
    body: ProfessionalRef,
    request: Request,
    actor: ActorDep,
    container: ContainerDep,
    db: DbDep,
) -> SharingOut:
    return _sharing_change(
        patient_id,
        request,
        actor,
        container,
        db,
        lambda a: access_services.authorise(a, body.professional_id),
    )


@router.delete(
    "/patients/{patient_id}/sharing/authorisations/{professional_id}",
    response_model=SharingOut,
    responses=ERRORS,
    summary="Withdraw a professional's authorisation",
)
def revoke(
    patient_id: uuid.UUID,
    professional_id: uuid.UUID,
    request: Request,
    actor: ActorDep,
    container: ContainerDep,
    db: DbDep,
) -> SharingOut:
    return _sharing_change(
        patient_id,
        request,
        actor,
        container,
        db,
        lambda a: access_services.revoke(a, professional_id),
    )


@router.post(
    "/patients/{patient_id}/sharing/blocks",
    response_model=SharingOut,
    responses=ERRORS,
    summary="Block a professional",
)
def block(
    patient_id: uuid.UUID,
    body: ProfessionalRef,
    request: Request,
    actor: ActorDep,
    container: ContainerDep,
    db: DbDep,
) -> SharingOut:
    return _sharing_change(
        patient_id,
        request,
        actor,
        container,
        db,
        lambda a: access_services.block(a, body.professional_id),
    )


@router.delete(
    "/patients/{patient_id}/sharing/blocks/{professional_id}",
    response_model=SharingOut,
    responses=ERRORS,
    summary="Unblock a professional",
)
def unblock(
    patient_id: uuid.UUID,
    professional_id: uuid.UUID,
    request: Request,
    actor: ActorDep,
    container: ContainerDep,
    db: DbDep,
) -> SharingOut:
    return _sharing_change(
        patient_id,
        request,
        actor,
        container,
        db,
        lambda a: access_services.unblock(a, professional_id),
    )


@router.put(
    "/patients/{patient_id}/sharing/treating-doctor",
    response_model=SharingOut,
    responses=ERRORS,
    summary="Designate the médecin traitant (null: none)",
)
def treating_doctor(
    patient_id: uuid.UUID,
    body: TreatingDoctorIn,
    request: Request,
    actor: ActorDep,
    container: ContainerDep,
    db: DbDep,
) -> SharingOut:
    return _sharing_change(
        patient_id,
        request,
        actor,
        container,
        db,
        lambda a: access_services.designate_treating_doctor(a, body.professional_id),
    )


@router.post(
    "/patients/{patient_id}/sharing/extended-rights",
    response_model=SharingOut,
    responses=ERRORS,
    summary="Give a professional the médecin traitant's rights",
)
def extend(
    patient_id: uuid.UUID,
    body: ProfessionalRef,
    request: Request,
    actor: ActorDep,
    container: ContainerDep,
    db: DbDep,
) -> SharingOut:
    return _sharing_change(
        patient_id,
        request,
        actor,
        container,
        db,
        lambda a: access_services.grant_extended_rights(a, body.professional_id),
    )


@router.delete(
    "/patients/{patient_id}/sharing/extended-rights/{professional_id}",
    response_model=SharingOut,
    responses=ERRORS,
    summary="Withdraw extended rights",
)
def unextend(
    patient_id: uuid.UUID,
    professional_id: uuid.UUID,
    request: Request,
    actor: ActorDep,
    container: ContainerDep,
    db: DbDep,
) -> SharingOut:
    return _sharing_change(
        patient_id,
        request,
        actor,
        container,
        db,
        lambda a: access_services.revoke_extended_rights(a, professional_id),
    )


@router.patch(
    "/patients/{patient_id}/sharing/preferences",
    response_model=SharingOut,
    responses=ERRORS,
    summary="Oppositions to emergency and regulation access; notification choices",
)
def set_preferences(
    patient_id: uuid.UUID,
    body: PreferencesIn,
    request: Request,
    actor: ActorDep,
    container: ContainerDep,
    db: DbDep,
) -> SharingOut:
    changes = {k: v for k, v in body.model_dump().items() if v is not None}
    return _sharing_change(
        patient_id,
        request,
        actor,
        container,
        db,
        lambda a: access_services.update_preferences(a, **changes),
    )
