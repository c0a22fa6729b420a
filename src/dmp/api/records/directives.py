"""Directives anticipées over REST: where they stand, signing a version (with the holder's
password in the body, as re-authentication), filing a signed scan, revoking, each version's
document."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from dmp.access.services import Access
from dmp.api.dependencies import ContainerDep
from dmp.api.records.common import ERRORS, AccessDep, storage
from dmp.api.records.documents import upload_chunks
from dmp.container import Container
from dmp.directives.model import (
    AdvanceDirectives,
    Author,
    ProtectedAdultAuthorisation,
    TreatmentWish,
    TrustedPersonMention,
    Witness,
)
from dmp.directives_record import services as advance
from dmp.directives_record.orm import DirectivesRow
from dmp.shared.errors import DomainError, InvalidInput

router = APIRouter(prefix="/api/v1", tags=["advance directives"])


class VersionOut(BaseModel):
    number: int = Field(description="Version number (revocations are numbered too)")
    kind: str = Field(description="form (signed online), scan (signed on paper), revocation")
    status: str = Field(description="current, superseded, revoked, or revocation")
    signed_at: dt.datetime = Field(description="When it was signed (or revoked, for a revocation)")
    revoked_at: dt.datetime | None
    document_id: str | None = Field(description="The EXPPAT_3 document filed for this version")
    content_url: str


class DirectivesOut(BaseModel):
    current: VersionOut | None = Field(description="The version that prevails, if any")
    revoked: bool = Field(description="The latest entry is a revocation")
    may_write: bool = Field(description="The caller may sign, file or revoke (the adult holder)")
    versions: list[VersionOut] = Field(description="Oldest first")


def _version(row: DirectivesRow, status: str) -> VersionOut:
    return VersionOut(
        number=row.number,
        kind=row.kind,
        status=status,
        signed_at=row.signed_at,
        revoked_at=row.revoked_at,
        document_id=str(row.document_id) if row.document_id else None,
        content_url=f"/api/v1/patients/{row.patient_id}/directives/versions/{row.number}.pdf",
    )


def _out(access: Access) -> DirectivesOut:
    seen = advance.read(access)
    versions = [_version(e.row, e.status) for e in seen.entries]
    current = next((v for v in versions if v.status == "current"), None)
    return DirectivesOut(
        current=current,
        revoked=seen.revoked,
        may_write=advance.may_write(access),
        versions=versions,
    )


@router.get(
    "/patients/{patient_id}/directives",
    response_model=DirectivesOut,
    responses=ERRORS,
    summary="The advance directives: the version that prevails and every version's metadata",
)
def read_directives(access: AccessDep) -> DirectivesOut:
    body = _out(access)
    access.session.commit()
    return body


class AuthorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    surname: str = Field(max_length=200)
    first_names: str = Field(max_length=200)
    birth_date: dt.date
    birth_place: str = Field(max_length=200)


class TreatmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    treatment: str = Field(
        max_length=60,
        description="cardiopulmonary-resuscitation, mechanical-ventilation, dialysis,"
        " artificial-nutrition-hydration, surgery, transfusion",
    )
    choice: str = Field(max_length=20, description="continue, limit, stop, refuse")


class TrustedPersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=200)


class WitnessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200)
    capacity: str = Field(max_length=200, description="Relationship or profession")
    is_trusted_person: bool = False


class AuthorisationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    authority: str = Field(max_length=20, description="judge or family-council")
    reference: str = Field(max_length=400)


class DirectivesIn(BaseModel):
    """The official model's answers, the signature, and the holder's password."""

    model_config = ConfigDict(extra="forbid")

    author: AuthorIn
    situation: str = Field(max_length=20, description="serious-illness or healthy")
    foreseen_situations: str = Field(default="", max_length=8000)
    treatments: list[TreatmentIn] = Field(default_factory=list, max_length=20)
    other_treatments: str = Field(default="", max_length=8000)
    sedation: str | None = Field(default=None, description="yes, no, no-opinion")
    other_wishes: str = Field(default="", max_length=8000)
    trusted_person: TrustedPersonIn | None = Field(
        default=None, description="The personne de confiance as named in the directives"
    )
    author_can_write: bool = True
    witnesses: list[WitnessIn] = Field(
        default_factory=list, max_length=2, description="Two, or none (required if unable to write)"
    )
    protected_adult_authorisation: AuthorisationIn | None = None
    place: str = Field(max_length=200, description="« Fait à … »")
    typed_name: str = Field(max_length=300, description="The holder's first name and surname")
    drawing_png: str | None = Field(
        default=None, description="Optional drawn signature: a PNG, base64, 512 KB at most"
    )
    password: str = Field(max_length=1024, description="The account's password (re-authentication)")

    def directives(self) -> AdvanceDirectives:
        return AdvanceDirectives(
            author=Author(
                self.author.surname,
                self.author.first_names,
                self.author.birth_date,
                self.author.birth_place,
            ),
            situation=self.situation,
            foreseen_situations=self.foreseen_situations,
            treatments=tuple(TreatmentWish(t.treatment, t.choice) for t in self.treatments),
            other_treatments=self.other_treatments,
            sedation=self.sedation,
            other_wishes=self.other_wishes,
            trusted_person=TrustedPersonMention(**self.trusted_person.model_dump())
            if self.trusted_person
            else None,
            author_can_write=self.author_can_write,
            witnesses=tuple(Witness(**w.model_dump()) for w in self.witnesses),
            protected_adult_authorisation=ProtectedAdultAuthorisation(
                True,
                self.protected_adult_authorisation.authority,
                self.protected_adult_authorisation.reference,
            )
            if self.protected_adult_authorisation
            else None,
            place=self.place,
        )

    def drawing(self) -> bytes | None:
        if not self.drawing_png:
            return None
        try:
            return base64.b64decode(self.drawing_png, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput.single(
                "drawing_png", "drawing-format", advance.DRAWING_REFUSED
            ) from None


def _proof(access: Access, container: Container, password: str) -> advance.Reauthenticated:
    proof = advance.reauthenticate(access, container.security, password)
    if isinstance(proof, DomainError):
        access.session.commit()  # the failed attempt counts
        raise proof
    return proof


@router.post(
    "/patients/{patient_id}/directives",
    status_code=201,
    response_model=VersionOut,
    responses={**ERRORS, 429: ERRORS[401]},
    summary="Sign a new version with the official model's answers (the holder only; the"
    " `password` field re-authenticates). It prevails and replaces the filed EXPPAT_3 document",
)
def sign_directives(access: AccessDep, container: ContainerDep, body: DirectivesIn) -> VersionOut:
    directives, drawing = body.directives(), body.drawing()
    advance.prepare(access, directives, typed_name=body.typed_name, drawing=drawing)
    proof = _proof(access, container, body.password)
    row = advance.sign(
        access, storage(container), proof, directives, typed_name=body.typed_name, drawing=drawing
    )
    access.session.commit()
    return _version(row, "current")


@router.post(
    "/patients/{patient_id}/directives/scan",
    status_code=201,
    response_model=VersionOut,
    responses={**ERRORS, 429: ERRORS[401]},
    summary="File directives signed on paper (multipart: `file` PDF, JPEG or PNG, and"
    " `password`); the new version prevails",
)
def file_scan(
    access: AccessDep,
    container: ContainerDep,
    file: Annotated[UploadFile, File()],
    password: Annotated[str, Form(max_length=1024)],
) -> VersionOut:
    advance.require_author(access)
    proof = _proof(access, container, password)
    row = advance.file_scan(
        access,
        storage(container),
        proof,
        mime=file.content_type or "",
        chunks=upload_chunks(file),
    )
    access.session.commit()
    return _version(row, "current")


@router.post(
    "/patients/{patient_id}/directives/revoke",
    status_code=201,
    response_model=VersionOut,
    responses=ERRORS,
    summary="Revoke the directives (the holder only): a dated revocation becomes the latest"
    " version and no directives prevail",
)
def revoke_directives(access: AccessDep, container: ContainerDep) -> VersionOut:
    row = advance.revoke(access, storage(container))
    access.session.commit()
    return _version(row, "revocation")


@router.get(
    "/patients/{patient_id}/directives/versions/{number}.pdf",
    responses={
        **ERRORS,
        200: {"content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}}},
    },
    summary="The document filed for one version (a PDF, or the scan as filed)",
)
def version_content(access: AccessDep, container: ContainerDep, number: int) -> StreamingResponse:
    row, chunks = advance.open_version(access, storage(container), number)
    access.session.commit()
    return StreamingResponse(
        chunks,
        media_type=row.mime_type,
        headers={
            "Content-Length": str(row.size),
            "Content-Disposition": "inline",
            "Cache-Control": "no-store",
        },
    )
