"""The medical profile over REST: entries by category, their history, masking."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dmp.access.services import Access
from dmp.api.dependencies import ContainerDep
from dmp.api.problems import api_language
from dmp.api.records.common import ERRORS, AccessDep, MaskIn, if_match_version, storage
from dmp.api.records.documents import DocumentOut, created_document
from dmp.profile import services, summary
from dmp.profile.model import CATEGORIES
from dmp.profile.orm import ProfileEntryRow
from dmp.records import presenters
from dmp.shared.i18n import translate

router = APIRouter(prefix="/api/v1", tags=["profile"])


class EntryAuthor(BaseModel):
    name: str
    professional_id: str | None
    profession: str | None
    organisation: str | None
    patient: bool = Field(description="Declared by the patient's side (not verified)")


class ProfileEntryOut(BaseModel):
    id: str
    series_id: str
    series_number: int
    status: str
    category: str
    category_label: str
    values: dict[str, Any] = Field(
        description="The entry's fields (dates ISO 8601, numbers as numbers); see /profile/schema"
    )
    unit: str | None = Field(description="For a measurement, the value's unit")
    author: EntryAuthor
    masked: bool
    invisible_to_representatives: bool
    created_at: dt.datetime
    version: int


class ProfileOut(BaseModel):
    items: list[ProfileEntryOut]


def entry_out(row: ProfileEntryRow, authors: presenters.Authors, language: str) -> ProfileEntryOut:
    from dmp.profile.model import unit_of

    author = authors.of(row)
    category = CATEGORIES[row.category]
    return ProfileEntryOut(
        id=str(row.id),
        series_id=str(row.series_id),
        series_number=row.series_number,
        status=row.status,
        category=row.category,
        category_label=translate(language, category.singular),
        values=row.values,
        unit=unit_of(row.values) or None if row.category == "measurement" else None,
        author=EntryAuthor(
            name=author.name,
            professional_id=str(author.professional_id) if author.professional_id else None,
            profession=translate(language, author.profession) if author.profession else None,
            organisation=author.organisation,
            patient=author.is_patient,
        ),
        masked=row.masked,
        invisible_to_representatives=row.invisible_to_representatives,
        created_at=row.created_at,
        version=row.version,
    )


def _one(row: ProfileEntryRow, access: Access, request: Request, status: int = 200) -> Response:
    body = entry_out(row, presenters.Authors(access.session, [row]), api_language(request))
    headers = {"ETag": f'"{row.version}"'}
    if status == 201:
        headers["Location"] = f"/api/v1/patients/{row.patient_id}/profile/{row.id}"
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


class FieldOut(BaseModel):
    name: str
    label: str
    kind: str
    required: bool
    max_length: int | None
    choices: list[dict[str, str]] | None


class CategoryOut(BaseModel):
    code: str
    label: str
    fields: list[FieldOut]


@router.get(
    "/profile/schema",
    response_model=list[CategoryOut],
    summary="The profile's categories and their fields (to build a form)",
)
def profile_schema(request: Request) -> list[CategoryOut]:
    language = api_language(request)
    return [
        CategoryOut(
            code=category.code,
            label=translate(language, category.label),
            fields=[
                FieldOut(
                    name=spec.name,
                    label=translate(language, spec.label),
                    kind=spec.kind,
                    required=spec.required,
                    max_length=spec.max_length if spec.kind in ("text", "long_text") else None,
                    choices=[
                        {"code": code, "label": translate(language, label)}
                        for code, label in spec.choices
                    ]
                    or None,
                )
                for spec in category.fields
            ],
        )
        for category in CATEGORIES.values()
    ]


@router.get(
    "/patients/{patient_id}/profile",
    response_model=ProfileOut,
    responses=ERRORS,
    summary="The medical profile's current entries the caller may see",
)
def read_profile(
    access: AccessDep,
    request: Request,
    category: Annotated[str | None, Query(max_length=20)] = None,
) -> ProfileOut:
    rows = services.entries(access, category)
    authors = presenters.Authors(access.session, rows)
    access.session.commit()
    language = api_language(request)
    return ProfileOut(items=[entry_out(row, authors, language) for row in rows])


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(max_length=20)
    values: dict[str, Any]
    invisible_to_representatives: bool = Field(
        default=False,
        description="A minor's confidential care: never shown to legal representatives"
        " (professionals only)",
    )


@router.post(
    "/patients/{patient_id}/profile",
    status_code=201,
    response_model=ProfileEntryOut,
    responses=ERRORS,
    summary="Add an entry (declared by the patient's side, or by a professional)",
)
def add_entry(access: AccessDep, body: EntryIn, request: Request) -> Response:
    row = services.add(
        access,
        body.category,
        body.values,
        invisible_to_representatives=body.invisible_to_representatives,
    )
    access.session.commit()
    return _one(row, access, request, 201)


@router.post(
    "/patients/{patient_id}/profile/summary",
    status_code=201,
    response_model=DocumentOut,
    responses=ERRORS,
    summary="Print the profile as a PDF summary and file it as the patient's document (DOCPAT08)",
    description="The patient's side only. Answers the filed document, like a document upload.",
)
def file_summary(access: AccessDep, container: ContainerDep, request: Request) -> Response:
    language = api_language(request)
    row = summary.file_summary(
        access,
        storage(container),
        language=language,
        gettext=lambda message, **params: translate(language, message, params or None),
    )
    access.session.commit()
    return created_document(row, access, request)


@router.get(
    "/patients/{patient_id}/profile/{entry_id}",
    response_model=ProfileEntryOut,
    responses=ERRORS,
    summary="One entry (any version the caller may read)",
)
def get_entry(access: AccessDep, entry_id: uuid.UUID, request: Request) -> Response:
    row = services.get(access, entry_id)
    access.session.commit()
    return _one(row, access, request)


class ValuesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    values: dict[str, Any]


@router.put(
    "/patients/{patient_id}/profile/{entry_id}",
    response_model=ProfileEntryOut,
    responses=ERRORS,
    summary="Correct an entry (its author only): a new version, the old one kept",
)
def update_entry(
    access: AccessDep,
    entry_id: uuid.UUID,
    body: ValuesIn,
    request: Request,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    row = services.update(
        access, entry_id, body.values, expected_version=if_match_version(if_match)
    )
    access.session.commit()
    return _one(row, access, request)


@router.delete(
    "/patients/{patient_id}/profile/{entry_id}",
    status_code=204,
    responses=ERRORS,
    summary="Delete an entry (its author only; kept in the history)",
)
def delete_entry(
    access: AccessDep,
    entry_id: uuid.UUID,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    services.delete(access, entry_id, expected_version=if_match_version(if_match))
    access.session.commit()
    return Response(status_code=204)


@router.put(
    "/patients/{patient_id}/profile/{entry_id}/masked",
    response_model=ProfileEntryOut,
    responses=ERRORS,
    summary="The patient's side hides an entry from professionals, or shows it again",
)
def mask_entry(access: AccessDep, entry_id: uuid.UUID, body: MaskIn, request: Request) -> Response:
    row = services.set_masked(access, entry_id, body.masked)
    access.session.commit()
    return _one(row, access, request)


@router.get(
    "/patients/{patient_id}/profile/{entry_id}/versions",
    response_model=ProfileOut,
    responses=ERRORS,
    summary="Every version of an entry the caller may read, oldest first",
)
def entry_versions(access: AccessDep, entry_id: uuid.UUID, request: Request) -> ProfileOut:
    rows = services.versions(access, entry_id)
    authors = presenters.Authors(access.session, rows)
    access.session.commit()
    language = api_language(request)
    return ProfileOut(items=[entry_out(row, authors, language) for row in rows])
