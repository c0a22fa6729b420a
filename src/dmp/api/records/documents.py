"""Documents over REST: list, file, read, replace, archive, delete, flags, announcement."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Header, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dmp.access.policy import Action, DocumentStatus
from dmp.access.services import Access
from dmp.api.dependencies import ContainerDep
from dmp.api.problems import api_language
from dmp.api.records.common import ERRORS, READ_CHUNK, AccessDep, if_match_version, storage
from dmp.audit.model import AuditAction
from dmp.container import Container
from dmp.records import documents, presenters
from dmp.records.orm import DocumentRow
from dmp.shared.errors import N_, FieldError, InvalidInput
from dmp.shared.i18n import translate

router = APIRouter(prefix="/api/v1", tags=["records"])


# --- Documents ---------------------------------------------------------------------------


class Coded(BaseModel):
    code: str
    label: str


class AuthorOut(BaseModel):
    name: str
    professional_id: str | None
    profession: str | None
    specialty: str | None
    organisation: str | None
    patient: bool


class DocumentOut(BaseModel):
    id: str
    unique_id: str
    series_id: str
    series_number: int
    replaces: str | None
    status: str
    title: str
    type: Coded
    class_: Coded = Field(alias="class")
    format_code: str
    facility_type_code: str
    practice_setting_code: str | None
    confidentiality: str
    masked: bool
    invisible_to_patient: bool = Field(
        description="Still hidden from the patient: until the consultation d'annonce is"
        " recorded or the delay has passed"
    )
    announced_at: dt.datetime | None
    invisible_to_representatives: bool
    creation_time: dt.datetime
    service_start: dt.datetime
    service_stop: dt.datetime | None
    submitted_at: dt.datetime
    author: AuthorOut
    mime_type: str
    size: int
    sha256: str
    version: int
    comments: str | None

    model_config = ConfigDict(populate_by_name=True)


def document_out(
    row: DocumentRow, authors: presenters.Authors, language: str, access: Access
) -> DocumentOut:
    author = authors.of(row)
    now, days = access.clock.now(), access.settings.invisible_to_patient_days
    return DocumentOut(
        id=str(row.id),
        unique_id=row.unique_id,
        series_id=str(row.series_id),
        series_number=row.series_number,
        replaces=str(row.replaces_id) if row.replaces_id else None,
        status=row.status,
        title=row.title,
        type=Coded(code=row.type_code, label=presenters.type_label(row.type_code, language)),
        class_=Coded(code=row.class_code, label=presenters.class_label(row.class_code, language)),
        format_code=row.format_code,
        facility_type_code=row.facility_type_code,
        practice_setting_code=row.practice_setting_code,
        confidentiality=row.confidentiality,
        masked=row.masked,
        invisible_to_patient=documents.effective_invisible(row, now, days),
        announced_at=row.announced_at,
        invisible_to_representatives=row.invisible_to_representatives,
        creation_time=row.creation_time,
        service_start=row.service_start,
        service_stop=row.service_stop,
        submitted_at=row.submitted_at,
        author=AuthorOut(
            name=author.name,
            professional_id=str(author.professional_id) if author.professional_id else None,
            profession=translate(language, author.profession) if author.profession else None,
            specialty=translate(language, author.specialty) if author.specialty else None,
            organisation=author.organisation,
            patient=author.is_patient,
        ),
        mime_type=row.mime_type,
        size=row.size,
        sha256=row.sha256,
        version=row.version,
        comments=row.comments,
    )


class DocumentList(BaseModel):
    items: list[DocumentOut]
    total: int
    limit: int
    offset: int
    mode: str


@router.get(
    "/patients/{patient_id}/documents",
    response_model=DocumentList,
    response_model_by_alias=True,
    summary="Documents the caller may see, newest first",
    responses=ERRORS,
)
def list_documents(
    access: AccessDep,
    request: Request,
    type_code: Annotated[list[str] | None, Query(alias="type")] = None,
    class_code: Annotated[list[str] | None, Query(alias="class")] = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    author: Annotated[
        uuid.UUID | None, Query(description="Only the documents of this professional")
    ] = None,
    by_patient: Annotated[
        bool, Query(description="Only the documents added by the patient's side")
    ] = False,
    archived: bool = False,
    deprecated: bool = False,
    masked: bool = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    page = documents.list_documents(
        access,
        documents.DocumentQuery(
            type_codes=type_code or [],
            class_codes=class_code or [],
            since=since,
            until=until,
            author_professional_id=author,
            by_patient=by_patient,
            include_archived=archived,
            include_deprecated=deprecated,
            only_masked=masked,
            limit=limit,
            offset=offset,
        ),
    )
    authors = presenters.Authors(access.session, page.items)  # before commit: one transaction
    access.session.commit()
    language = api_language(request)
    body = DocumentList(
        items=[document_out(row, authors, language, access) for row in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
        mode=page.mode.value,
    )
    return JSONResponse(body.model_dump(mode="json", by_alias=True))


class DocumentMetadataIn(BaseModel):
    """Metadata sent with the file (multipart field ``metadata``, JSON)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=255)
    type_code: str = Field(max_length=64, examples=["11488-4"])
    creation_time: dt.datetime | None = None
    service_start: dt.datetime | None = None
    service_stop: dt.datetime | None = None
    confidentiality: Literal["N", "R", "V"] = "N"
    masked: bool = False
    invisible_to_patient: bool = False
    invisible_to_representatives: bool = False
    format_code: str | None = Field(default=None, max_length=128)
    facility_type_code: str | None = Field(default=None, max_length=64)
    practice_setting_code: str | None = Field(default=None, max_length=64)
    comments: str | None = Field(default=None, max_length=4000)
    unique_id: str | None = Field(default=None, max_length=128)


def parse_metadata(raw: str, mime: str | None) -> documents.DocumentInput:
    try:
        data = DocumentMetadataIn.model_validate_json(raw)
    except ValidationError as exc:
        raise InvalidInput(
            errors=[
                FieldError(
                    ".".join(str(p) for p in e["loc"]) or "metadata",
                    str(e["type"]),
                    N_("Certaines informations sont incorrectes."),
                )
                for e in exc.errors()
            ]
        ) from exc
    for name in ("creation_time", "service_start", "service_stop"):
        value = getattr(data, name)
        if value is not None and value.tzinfo is None:
            raise InvalidInput.single(
                name, "timezone", N_("Indiquez le fuseau horaire de la date.")
            )
    return documents.DocumentInput(mime_type=mime or "", **data.model_dump())


def upload_chunks(upload: UploadFile) -> Iterator[bytes]:
    while chunk := upload.file.read(READ_CHUNK):
        yield chunk


def _check_length(request: Request, container: Container) -> None:
    declared = request.headers.get("content-length")
    limit = container.settings.max_document_mb * 1024 * 1024
    if declared and declared.isdigit() and int(declared) > limit + 1024 * 1024:
        raise InvalidInput.single(
            "file",
            "file-too-large",
            N_("Ce fichier dépasse %(mb)s Mo."),
            mb=container.settings.max_document_mb,
        )


def created_document(row: DocumentRow, access: Access, request: Request) -> Response:
    body = document_out(row, presenters.Authors(access.session), api_language(request), access)
    return JSONResponse(
        body.model_dump(mode="json", by_alias=True),
        status_code=201,
        headers={
            "Location": f"/api/v1/patients/{row.patient_id}/documents/{row.id}",
            "ETag": f'"{row.version}"',
        },
    )


@router.post(
    "/patients/{patient_id}/documents",
    status_code=201,
    response_model=DocumentOut,
    summary="File a document (multipart: `metadata` JSON and `file`)",
    responses=ERRORS,
)
def file_document(
    access: AccessDep,
    request: Request,
    container: ContainerDep,
    metadata: Annotated[str, Form(max_length=20000)],
    file: Annotated[UploadFile, File()],
) -> Response:
    _check_length(request, container)
    data = parse_metadata(metadata, file.content_type)
    row = documents.file_document(access, storage(container), data, upload_chunks(file))
    access.session.commit()
    return created_document(row, access, request)


@router.get(
    "/patients/{patient_id}/documents/{document_id}",
    response_model=DocumentOut,
    summary="A document's metadata (ETag = version)",
    responses=ERRORS,
)
def get_document(
    access: AccessDep,
    document_id: uuid.UUID,
    request: Request,
) -> Response:
    row, mode = documents.get_document(access, document_id)
    access.audit(
        AuditAction.RecordDocumentRead,
        mode,
        target=f"DocumentReference/{row.id}",
        details={"part": "metadata"},
    )
    access.session.commit()
    body = document_out(row, presenters.Authors(access.session), api_language(request), access)
    return JSONResponse(
        body.model_dump(mode="json", by_alias=True), headers={"ETag": f'"{row.version}"'}
    )


@router.get(
    "/patients/{patient_id}/documents/{document_id}/content",
    summary="The document's content, decrypted and verified as it streams",
    responses={
        **ERRORS,
        200: {
            "content": {
                "application/pdf": {},
                "image/jpeg": {},
                "image/png": {},
                "text/plain": {},
                "text/xml": {},
            }
        },
    },
)
def document_content(
    access: AccessDep,
    document_id: uuid.UUID,
    container: ContainerDep,
) -> Response:
    row, chunks = documents.open_content(access, storage(container), document_id)
    access.session.commit()
    return StreamingResponse(
        chunks,
        media_type=row.mime_type,
        headers={
            "Content-Length": str(row.size),
            "Content-Disposition": "inline",
            "X-Content-SHA256": row.sha256,
            "Cache-Control": "no-store",
        },
    )


@router.post(
    "/patients/{patient_id}/documents/{document_id}/replace",
    status_code=201,
    response_model=DocumentOut,
    summary="File a new version; the old one becomes deprecated (If-Match recommended)",
    responses=ERRORS,
)
def replace_document(
    access: AccessDep,
    document_id: uuid.UUID,
    request: Request,
    container: ContainerDep,
    metadata: Annotated[str, Form(max_length=20000)],
    file: Annotated[UploadFile, File()],
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    _check_length(request, container)
    data = parse_metadata(metadata, file.content_type)
    row = documents.replace_document(
        access,
        storage(container),
        document_id,
        data,
        upload_chunks(file),
        expected_version=if_match_version(if_match),
    )
    access.session.commit()
    return created_document(row, access, request)


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["approved", "archived", "deleted"]


@router.post(
    "/patients/{patient_id}/documents/{document_id}/status",
    response_model=DocumentOut,
    summary="Archive, unarchive (approved) or delete one's own document (If-Match recommended)",
    responses=ERRORS,
)
def set_status(
    access: AccessDep,
    document_id: uuid.UUID,
    body: StatusIn,
    request: Request,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    row = documents.set_status(
        access,
        document_id,
        DocumentStatus(body.status),
        expected_version=if_match_version(if_match),
    )
    access.session.commit()
    body_out = document_out(row, presenters.Authors(access.session), api_language(request), access)
    return JSONResponse(
        body_out.model_dump(mode="json", by_alias=True), headers={"ETag": f'"{row.version}"'}
    )


class FlagsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    masked: bool | None = None
    invisible_to_patient: bool | None = None
    invisible_to_representatives: bool | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> FlagsIn:
        if (
            self.masked is None
            and self.invisible_to_patient is None
            and (self.invisible_to_representatives is None)
        ):
            raise ValueError("give at least one flag to change")
        return self


@router.patch(
    "/patients/{patient_id}/documents/{document_id}/flags",
    response_model=DocumentOut,
    summary="Visibility flags: the author changes them; the holder masks or unmasks",
    responses=ERRORS,
)
def set_flags(
    access: AccessDep,
    document_id: uuid.UUID,
    body: FlagsIn,
    request: Request,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    holder_side = access.actor.professional_id is None
    if (
        holder_side
        and body.invisible_to_patient is None
        and body.invisible_to_representatives is None
        and body.masked is not None
    ):
        row, _mode = documents.get_document(access, document_id, Action.document_mask)
        if row.author_patient_id is None:
            row = documents.set_masked(
                access, document_id, body.masked, expected_version=if_match_version(if_match)
            )
        else:
            row = documents.set_flags(
                access, document_id, masked=body.masked, expected_version=if_match_version(if_match)
            )
    else:
        row = documents.set_flags(
            access,
            document_id,
            masked=body.masked,
            invisible_to_patient=body.invisible_to_patient,
            invisible_to_representatives=body.invisible_to_representatives,
            expected_version=if_match_version(if_match),
        )
    access.session.commit()
    out = document_out(row, presenters.Authors(access.session), api_language(request), access)
    return JSONResponse(
        out.model_dump(mode="json", by_alias=True), headers={"ETag": f'"{row.version}"'}
    )


@router.post(
    "/patients/{patient_id}/documents/{document_id}/announcement",
    response_model=DocumentOut,
    summary="Record the consultation d'annonce: the document becomes visible to the patient",
    responses=ERRORS,
)
def announcement(
    access: AccessDep,
    document_id: uuid.UUID,
    request: Request,
) -> Response:
    row = documents.record_announcement(access, document_id)
    access.session.commit()
    out = document_out(row, presenters.Authors(access.session), api_language(request), access)
    return JSONResponse(out.model_dump(mode="json", by_alias=True))
