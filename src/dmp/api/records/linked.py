"""Linked profiles over REST: my linked profiles, attaching a child, accepting an invitation
as second legal representative, delegates of a protected adult, a space of one's own."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dmp.api.auth import PROBLEM
from dmp.api.dependencies import ActorDep, ContainerDep, DbDep, RegistrarDep
from dmp.api.problems import api_language
from dmp.api.records.common import ERRORS, AccessDep
from dmp.identity.orm import LegalRepresentativeRow, PatientRow
from dmp.linked import services
from dmp.linked.services import ChildInput, DelegateInput

router = APIRouter(prefix="/api/v1", tags=["linked profiles"])


class LinkOut(BaseModel):
    id: str
    patient_id: str = Field(description="The person the link is about (the other side)")
    display_name: str
    birth_date: dt.date
    relationship: Literal["parent", "guardian", "delegate"]
    scope: Literal["read", "manage"] | None = Field(
        description="Delegates only: read (list and read) or manage (act for the holder)"
    )
    starts_on: dt.date | None
    ends_on: dt.date | None
    in_force: bool = Field(description="The link gives access today")
    basis: str | None = Field(description="Reference of the decision a delegation rests on")


def link_out(row: LegalRepresentativeRow, patient: PatientRow, in_force: bool = True) -> LinkOut:
    return LinkOut(
        id=str(row.id),
        patient_id=str(patient.id),
        display_name=patient.display_name,
        birth_date=patient.birth_date,
        relationship=row.relationship,
        scope=row.scope,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        in_force=in_force,
        basis=row.basis,
    )


class InvitationOut(BaseModel):
    id: str
    patient_id: str
    display_name: str
    email: str
    expires_at: dt.datetime


class LinkedProfilesOut(BaseModel):
    me: str = Field(description="The caller's own patient id")
    display_name: str
    managed: list[LinkOut] = Field(description="Profiles the caller acts for")
    acting_for_me: list[LinkOut] = Field(description="People who may act for the caller")
    invitations_received: list[InvitationOut]
    invitations_sent: list[InvitationOut]


@router.get(
    "/me/linked-profiles",
    response_model=LinkedProfilesOut,
    responses={401: PROBLEM, 403: PROBLEM},
    summary="My linked profiles: the children and protected adults I act for, and who acts for me",
)
def my_linked_profiles(actor: ActorDep, container: ContainerDep, db: DbDep) -> LinkedProfilesOut:
    found = services.overview(db, container.clock, actor.account)

    def invitation(row: object, patient: PatientRow) -> InvitationOut:
        return InvitationOut(
            id=str(row.id),  # type: ignore[attr-defined]
            patient_id=str(patient.id),
            display_name=patient.display_name,
            email=row.email,  # type: ignore[attr-defined]
            expires_at=row.expires_at,  # type: ignore[attr-defined]
        )

    return LinkedProfilesOut(
        me=str(found.me.id),
        display_name=found.me.display_name,
        managed=[link_out(v.link, v.patient, v.in_force) for v in found.managed],
        acting_for_me=[link_out(v.link, v.patient, v.in_force) for v in found.acting_for_me],
        invitations_received=[invitation(r, p) for r, p in found.received],
        invitations_sent=[invitation(r, p) for r, p in found.sent],
    )


class ChildIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    birth_name: str = Field(max_length=100, examples=["MARTIN"])
    first_given_name: str = Field(max_length=100, examples=["Emma"])
    sex: Literal["M", "F", "U"]
    birth_date: dt.date
    ins_matricule: str = Field(max_length=30, description="The child's NIR or NIA (15 characters)")
    relationship: Literal["parent", "guardian"] = "parent"
    child_email: str | None = Field(
        default=None,
        max_length=254,
        description="The child's own address: their activation code goes there at majority",
    )
    other_birth_name: str | None = Field(default=None, max_length=100)
    other_first_given_name: str | None = Field(default=None, max_length=100)
    other_email: str | None = Field(
        default=None,
        max_length=254,
        description="The other legal representative, invited by e-mail: linked once they accept",
    )


class AttachedOut(BaseModel):
    link: LinkOut
    patient_created: bool
    record_created: bool
    invitation_sent_to: str | None


@router.post(
    "/me/linked-profiles",
    status_code=201,
    response_model=AttachedOut,
    responses={401: PROBLEM, 403: PROBLEM, 409: PROBLEM, 422: PROBLEM},
    summary="Attach a child to my space (found by matricule INS, or created with its record)",
)
def attach_child(body: ChildIn, actor: ActorDep, container: ContainerDep, db: DbDep) -> Response:
    """The caller becomes the child's legal representative at once; the other representative,
    if given, receives an invitation code by e-mail. A child already managed by someone else
    answers 409: ask that representative for an invitation. At most two representatives."""
    attached = services.attach_child(
        db,
        container.security,
        container.settings,
        actor.ctx,
        actor.account,
        ChildInput(
            birth_name=body.birth_name,
            first_given_name=body.first_given_name,
            sex=body.sex,
            birth_date=body.birth_date,
            ins_matricule=body.ins_matricule,
            relationship=body.relationship,
            ward_email=body.child_email,
            other_birth_name=body.other_birth_name,
            other_first_given_name=body.other_first_given_name,
            other_email=body.other_email,
        ),
    )
    db.commit()
    out = AttachedOut(
        link=link_out(attached.link, attached.patient),
        patient_created=attached.created_patient,
        record_created=attached.created_record,
        invitation_sent_to=attached.invitation.email if attached.invitation else None,
    )
    return JSONResponse(out.model_dump(mode="json"), status_code=201)


class AcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(max_length=40, description="The code e-mailed with the invitation")


@router.post(
    "/me/linked-profiles/{invitation_id}/accept",
    response_model=LinkOut,
    responses={401: PROBLEM, 403: PROBLEM, 409: PROBLEM, 422: PROBLEM, 429: PROBLEM},
    summary="Accept an invitation to become a child's second legal representative",
)
def accept_invitation(
    invitation_id: uuid.UUID, body: AcceptIn, actor: ActorDep, container: ContainerDep, db: DbDep
) -> LinkOut:
    """Only with the invited address's account and the code sent there; refused (409) when the
    child already has two representatives."""
    link = services.accept_invitation(
        db,
        container.security,
        container.settings,
        actor.ctx,
        actor.account,
        code=body.code,
        invitation_id=invitation_id,
    )
    patient = db.get(PatientRow, link.patient_id)
    assert patient is not None
    db.commit()
    return link_out(link, patient)


class InviteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    birth_name: str = Field(max_length=100, description="The other representative's birth name")
    first_given_name: str = Field(max_length=100)
    email: str = Field(max_length=254, description="Where the invitation code is sent")


@router.post(
    "/patients/{patient_id}/representative-invitations",
    status_code=201,
    response_model=InvitationOut,
    responses=ERRORS,
    summary="A legal representative invites the child's other one (code sent by e-mail)",
)
def invite_representative(access: AccessDep, container: ContainerDep, body: InviteIn) -> Response:
    """Only a legal representative of the child, at most two representatives in all; the link
    exists once the invited person accepts with the code, from their own account."""
    row = services.invite(
        access,
        container.security,
        birth_name=body.birth_name,
        first_given_name=body.first_given_name,
        email=body.email,
    )
    patient = access.session.get(PatientRow, row.patient_id)
    assert patient is not None
    out = InvitationOut(
        id=str(row.id),
        patient_id=str(row.patient_id),
        display_name=patient.display_name,
        email=row.email,
        expires_at=row.expires_at,
    )
    access.session.commit()
    return JSONResponse(out.model_dump(mode="json"), status_code=201)


class DelegateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ins_matricule: str = Field(max_length=30, description="The delegate's NIR or NIA")
    birth_date: dt.date = Field(description="The delegate's birth date (checked)")
    scope: Literal["read", "manage"]
    starts_on: dt.date | None = Field(default=None, description="Default: today")
    ends_on: dt.date | None = Field(default=None, description="Last day included; none: open")
    basis: str | None = Field(
        default=None,
        max_length=200,
        description="Reference of the decision (required from a professional or an operator)",
    )


@router.get(
    "/patients/{patient_id}/delegates",
    response_model=list[LinkOut],
    responses=ERRORS,
    summary="Delegates of a (protected) adult: the holder's side, or a professional or operator",
)
def list_delegates(access: AccessDep) -> list[LinkOut]:
    today = services.today_of(access.clock)
    from dmp.linked.model import in_window

    return [
        link_out(row, patient, in_window(row.starts_on, row.ends_on, today))
        for row, patient in services.delegates(access)
    ]


@router.post(
    "/patients/{patient_id}/delegates",
    status_code=201,
    response_model=LinkOut,
    responses=ERRORS,
    summary="Designate a delegate (read only or manage) for a period",
)
def add_delegate(access: AccessDep, body: DelegateIn) -> Response:
    """By the holder (or their legal representative), or registered by a professional or an
    operator from a decision taken elsewhere (``basis`` then required); the holder is told.
    The delegate must have an active dmp space. Audited in the holder's history."""
    row = services.add_delegate(
        access,
        DelegateInput(
            body.ins_matricule,
            body.birth_date,
            body.scope,
            body.starts_on,
            body.ends_on,
            body.basis,
        ),
    )
    patient = access.session.get(PatientRow, row.representative_id)
    assert patient is not None
    out = link_out(row, patient)
    access.session.commit()
    return JSONResponse(out.model_dump(mode="json"), status_code=201)


@router.delete(
    "/patients/{patient_id}/delegates/{link_id}",
    status_code=204,
    responses=ERRORS,
    summary="Revoke a delegate (effective at once)",
)
def revoke_delegate(access: AccessDep, link_id: uuid.UUID) -> Response:
    services.revoke_delegate(access, link_id)
    access.session.commit()
    return Response(status_code=204)


class SpaceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254)
    phone: str | None = Field(default=None, max_length=30)


class SpaceOut(BaseModel):
    account_status: str
    activation_code_sent_to: str


@router.post(
    "/patients/{patient_id}/space",
    status_code=201,
    response_model=SpaceOut,
    responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM, 422: PROBLEM},
    summary="Give a known patient without a space one of their own (a minor, a young adult)",
)
def open_space(
    patient_id: uuid.UUID,
    body: SpaceIn,
    request: Request,
    actor: RegistrarDep,
    container: ContainerDep,
    db: DbDep,
) -> Response:
    """Professionals and operators: an activation code is e-mailed to the patient, as at
    registration. A minor's own space shows them what is kept from their legal
    representatives; a young adult whose address was unknown at majority gets theirs here."""
    account = services.open_own_space(
        db,
        container.security,
        actor.ctx,
        patient_id=patient_id,
        email=body.email,
        phone=body.phone,
        language=api_language(request),
    )
    db.commit()
    return JSONResponse(
        SpaceOut(account_status=account.status, activation_code_sent_to=account.email).model_dump(),
        status_code=201,
    )
