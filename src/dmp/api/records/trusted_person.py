"""The personne de confiance over REST: the designation and its history, designating,
revoking, a new invitation, and the designee's public co-signature."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dmp.api.dependencies import ContainerDep, DbDep, request_context
from dmp.api.problems import api_language
from dmp.api.records.common import ERRORS, AccessDep, if_match_version
from dmp.directives.trusted_person import RELATIONSHIP_LABELS, Relationship, TrustedPerson
from dmp.shared.i18n import translate
from dmp.trusted import services
from dmp.trusted.model import STATUS_LABELS, DesignationStatus
from dmp.trusted.orm import TrustedPersonRow
from dmp.trusted.services import Issued

router = APIRouter(prefix="/api/v1", tags=["trusted person"])

PUBLIC_ERRORS: dict[int | str, dict[str, Any]] = dict.fromkeys(
    (409, 422, 429), ERRORS[401]
)  # problem+json, as everywhere


class DesignationOut(BaseModel):
    id: str
    series_number: int = Field(description="1 for the first designation, then one more each time")
    current: bool = Field(description="The latest designation (whatever its status)")
    status: Literal["pending", "active", "declined", "revoked", "superseded"] = Field(
        description="pending: waiting for the designee's co-signature; active: co-signed, in "
        "force; declined by the designee; revoked by the patient; superseded by a newer one"
    )
    status_label: str
    surname: str
    first_names: str
    display_name: str
    relationship: str = Field(description="relative | close-person | attending-doctor")
    relationship_label: str
    relationship_detail: str | None
    phone: str | None = Field(description="E.164, e.g. +33612345678")
    email: str | None
    designated_at: dt.datetime
    cosigned_at: dt.datetime | None
    cosigned_name: str | None = Field(description="The designee's name as they typed it")
    declined_at: dt.datetime | None
    revoked_at: dt.datetime | None
    version: int


class TrustedPersonOut(BaseModel):
    current: DesignationOut | None = Field(
        description="The latest designation; only pending or active ones are in force"
    )
    history: list[DesignationOut] = Field(
        description="Every designation, newest first (the holder's side only)"
    )


class InvitationOut(BaseModel):
    designation: DesignationOut
    code: str = Field(description="Short code to give the designee; shown once, never stored")
    link: str = Field(description="Link opening the invitation directly; shown once")
    expires_at: dt.datetime
    emailed: bool = Field(description="Also sent to the designee's e-mail address")


def designation_out(row: TrustedPersonRow, language: str, *, current: bool) -> DesignationOut:
    relationship = (
        translate(language, RELATIONSHIP_LABELS[Relationship(row.relationship)])
        if row.relationship in set(Relationship)
        else row.relationship
    )
    status = DesignationStatus(row.designation_status)
    return DesignationOut(
        id=str(row.id),
        series_number=row.series_number,
        current=current,
        status=status.value,
        status_label=translate(language, STATUS_LABELS[status]),
        surname=row.surname,
        first_names=row.first_names,
        display_name=row.display_name,
        relationship=row.relationship,
        relationship_label=relationship,
        relationship_detail=row.relationship_detail,
        phone=row.phone,
        email=row.email,
        designated_at=row.designated_at,
        cosigned_at=row.cosigned_at,
        cosigned_name=row.cosigned_name,
        declined_at=row.declined_at,
        revoked_at=row.revoked_at,
        version=row.version,
    )


def _invitation(issued: Issued, request: Request, status: int) -> Response:
    body = InvitationOut(
        designation=designation_out(issued.designation, api_language(request), current=True),
        code=issued.code,
        link=issued.link,
        expires_at=issued.expires_at,
        emailed=issued.emailed,
    )
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status,
        headers={"Cache-Control": "no-store", "ETag": f'"{issued.designation.version}"'},
    )


def _key(request: Request) -> bytes:
    return services.invitation_key(request.app.state.container.security.keys)


def _link_base(request: Request) -> str:
    return request.app.state.container.settings.public_base(str(request.base_url))  # type: ignore[no-any-return]


@router.get(
    "/patients/{patient_id}/trusted-person",
    response_model=TrustedPersonOut,
    responses=ERRORS,
    summary="The personne de confiance (trusted person): current designation and history",
    description="Readable by whoever may read the record (the holder's side, authorised "
    "professionals, the médecin traitant…); the history is given to the holder's side only.",
)
def read_trusted_person(access: AccessDep, request: Request) -> TrustedPersonOut:
    current, history = services.read(access)
    holder_side = access.actor.professional_id is None
    access.session.commit()
    language = api_language(request)
    return TrustedPersonOut(
        current=designation_out(current, language, current=True) if current else None,
        history=[
            designation_out(row, language, current=current is not None and row.id == current.id)
            for row in history
        ]
        if holder_side
        else [],
    )


class DesignationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    surname: str = Field(max_length=200)
    first_names: str = Field(max_length=200)
    relationship: str = Field(
        max_length=40, description="relative | close-person | attending-doctor"
    )
    relationship_detail: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=320)
    adult_confirmed: bool = Field(description="The patient confirms the designee is an adult")


@router.post(
    "/patients/{patient_id}/trusted-person",
    status_code=201,
    response_model=InvitationOut,
    responses=ERRORS,
    summary="Designate a trusted person (the adult holder only); returns the invitation",
    description="The designation waits for the designee's co-signature. The response holds "
    "the code and link to pass on (shown once); with an e-mail address the invitation is "
    "e-mailed too. A pending or active designation is superseded (kept in the history). A "
    "legal representative cannot designate (403 `own-act`), nor can a minor (403 "
    "`adults-only`).",
)
def designate(access: AccessDep, body: DesignationIn, request: Request) -> Response:
    issued = services.designate(
        access,
        TrustedPerson(
            surname=body.surname,
            first_names=body.first_names,
            relationship=body.relationship,
            phone=body.phone,
            email=body.email,
            relationship_detail=body.relationship_detail,
            adult_confirmed=body.adult_confirmed,
        ),
        key=_key(request),
        link_base=_link_base(request),
        language=api_language(request),
    )
    access.session.commit()
    return _invitation(issued, request, 201)


@router.post(
    "/patients/{patient_id}/trusted-person/revoke",
    response_model=DesignationOut,
    responses=ERRORS,
    summary="Revoke the trusted person's designation (pending or active), at any time",
    description="409 `nothing-to-revoke` when no designation is in force. `If-Match` with the "
    "designation's version guards against revoking from an out-of-date reading.",
)
def revoke(
    access: AccessDep,
    request: Request,
    if_match: Annotated[str | None, Header()] = None,
) -> DesignationOut:
    row = services.revoke(access, expected_version=if_match_version(if_match))
    access.session.commit()
    return designation_out(row, api_language(request), current=True)


@router.post(
    "/patients/{patient_id}/trusted-person/invitation",
    status_code=201,
    response_model=InvitationOut,
    responses=ERRORS,
    summary="A new invitation for the pending designation; older codes and links stop working",
)
def resend(access: AccessDep, request: Request) -> Response:
    issued = services.resend(
        access, key=_key(request), link_base=_link_base(request), language=api_language(request)
    )
    access.session.commit()
    return _invitation(issued, request, 201)


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(default="", max_length=40, description="The code the patient passed on")
    token: str = Field(default="", max_length=200, description="Or the link's token")
    answer: Literal["accept", "decline"]
    name: str = Field(
        default="",
        max_length=200,
        description="The designee's full name, typed to co-sign (required to accept)",
    )


class AnswerOut(BaseModel):
    status: Literal["active", "declined"]
    patient_name: str = Field(description="Who designated the caller")


@router.post(
    "/trusted-person/invitation",
    response_model=AnswerOut,
    responses=PUBLIC_ERRORS,
    summary="The designee co-signs (accept) or declines, with the code or link (no account)",
    description="Public: no token needed. Wrong codes count against a per-address lockout "
    "(422 `wrong-code`, then 429 with `Retry-After`); a used, expired or cancelled invitation "
    "answers 409 (`used`, `expired`, `cancelled`); a name that is not the designee's 422 "
    "`name-mismatch`. The patient is notified either way.",
)
def answer(body: AnswerIn, request: Request, container: ContainerDep, db: DbDep) -> AnswerOut:
    opened = services.answer(
        db,
        container.security,
        _key(request),
        request_context(request),
        accept=body.answer == "accept",
        full_name=body.name,
        code=body.code,
        token=body.token,
        default_language=container.settings.default_language,
    )
    db.commit()  # a failed check counts, and a success is kept
    if opened.error is not None:
        raise opened.error
    return AnswerOut(
        status="active" if body.answer == "accept" else "declined",
        patient_name=opened.patient_name,
    )
