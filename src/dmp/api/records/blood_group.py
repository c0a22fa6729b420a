"""The blood-group card over REST: the current card, entering or correcting it, its versions,
masking, deletion, and the printable wallet card (PDF with a QR code)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dmp.access.services import Access
from dmp.api.problems import api_language
from dmp.api.records.common import ERRORS, AccessDep, MaskIn
from dmp.bloodgroup import display, services
from dmp.bloodgroup.model import BloodGroupInput
from dmp.bloodgroup.orm import BloodGroupRow
from dmp.container import Container
from dmp.records import presenters
from dmp.shared.errors import NotFound
from dmp.shared.i18n import translate

router = APIRouter(prefix="/api/v1", tags=["blood group"])

ETAG_HELP = "The card's ETag (from a GET): refused with 412 if the card changed since"


class BloodGroupOut(BaseModel):
    id: str = Field(description="This version's id")
    series_id: str
    series_number: int = Field(description="Version number within the card's history")
    status: str = Field(description="approved (current) or deprecated (replaced)")
    abo: str = Field(description="A, B, AB or O")
    rhd: str = Field(description="RhD (RH1): positive or negative")
    group: str = Field(description="Written form, e.g. 'A RhD+ (RH1+)'")
    big_c: bool | None = Field(description="C (RH2) present; null when not given")
    little_c: bool | None = Field(description="c (RH4) present")
    big_e: bool | None = Field(description="E (RH3) present")
    little_e: bool | None = Field(description="e (RH5) present")
    kell: bool | None = Field(description="K (KEL1) present")
    phenotype: str | None = Field(description="Written form, e.g. 'C+ c+ E− e+ K−'")
    rh_kel: str | None = Field(description="ISBT notation, e.g. 'RH:1,2,-3,4,5; KEL:-1'")
    rare_phenotype: bool
    rai_date: dt.date | None = Field(description="Irregular-antibody screen (RAI): its date")
    rai_result: str | None = Field(description="negative or positive")
    rai_specificity: str | None = Field(description="The antibody found (positive screen)")
    rai_unidentified: bool = Field(description="Positive screen, antibody not identified")
    laboratory: str | None
    biologist: str | None
    first_determination: dt.date | None
    second_determination: dt.date | None
    verified: bool = Field(
        description="Entered by a professional (else declared by the patient, not verified)"
    )
    source_label: str
    recorded_by: str
    masked: bool | None = Field(
        description="Hidden from professionals by the patient (told to the patient's side only)"
    )
    created_at: dt.datetime
    etag: str


def card_out(
    row: BloodGroupRow, access: Access, authors: presenters.Authors, language: str
) -> BloodGroupOut:
    card = row.card()
    screen = card.antibody_screen
    return BloodGroupOut(
        id=str(row.id),
        series_id=str(row.series_id),
        series_number=row.series_number,
        status=row.status,
        abo=row.abo,
        rhd=row.rhd,
        group=display.format_group(card.abo, card.rhd),
        big_c=row.big_c,
        little_c=row.little_c,
        big_e=row.big_e,
        little_e=row.little_e,
        kell=row.kell,
        phenotype=display.format_phenotype(card.phenotype) if card.phenotype else None,
        rh_kel=display.format_rh_kel(card.rhd, card.phenotype) if card.phenotype else None,
        rare_phenotype=row.rare_phenotype,
        rai_date=row.rai_date,
        rai_result=row.rai_result,
        rai_specificity=row.rai_specificity,
        rai_unidentified=screen is not None and screen.unidentified,
        laboratory=row.laboratory,
        biologist=row.biologist,
        first_determination=row.first_determination,
        second_determination=row.second_determination,
        verified=row.verified,
        source_label=translate(language, display.SOURCE_LABELS[card.source]),
        recorded_by=authors.of(row).name,
        masked=row.masked if access.actor.professional_id is None else None,
        created_at=row.created_at,
        etag=row.etag,
    )


def _one(row: BloodGroupRow, access: Access, request: Request, status: int = 200) -> Response:
    body = card_out(row, access, presenters.Authors(access.session, [row]), api_language(request))
    headers = {"ETag": f'"{row.etag}"'}
    if status == 201:
        headers["Location"] = f"/api/v1/patients/{row.patient_id}/blood-group"
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def _etag(value: str | None) -> str | None:
    """The ETag an ``If-Match`` header names (quoted or not, weak or strong)."""
    if not value:
        return None
    return value.strip().removeprefix("W/").strip('"')


@router.get(
    "/patients/{patient_id}/blood-group",
    response_model=BloodGroupOut,
    responses=ERRORS,
    summary="The current blood-group card (404 no-blood-group-card when there is none to see)",
)
def read_card(access: AccessDep, request: Request) -> Response:
    row = services.current(access)
    access.session.commit()  # the read is audited, even when there is no card
    if row is None:
        raise NotFound(services.NO_CARD, code="no-blood-group-card")
    return _one(row, access, request)


class BloodGroupIn(BaseModel):
    """A card's values. Antigens are true (present), false (absent) or omitted (not known): the
    phenotype is all five or none, and required from a professional. The source is not sent:
    it follows the caller (professional → verified, the patient's side → declared)."""

    model_config = ConfigDict(extra="forbid")

    abo: str = Field(max_length=4, description="A, B, AB or O")
    rhd: str = Field(max_length=10, description="positive or negative")
    big_c: bool | None = None
    little_c: bool | None = None
    big_e: bool | None = None
    little_e: bool | None = None
    kell: bool | None = None
    rare_phenotype: bool = Field(
        default=False, description="Allows C and c (or E and e) both absent"
    )
    rai_date: dt.date | None = None
    rai_result: str | None = Field(default=None, max_length=10, description="negative, positive")
    rai_specificity: str | None = Field(default=None, max_length=200, description="e.g. anti-E")
    rai_unidentified: bool = False
    laboratory: str | None = Field(default=None, max_length=300)
    biologist: str | None = Field(default=None, max_length=300)
    first_determination: dt.date | None = None
    second_determination: dt.date | None = None

    def as_input(self) -> BloodGroupInput:
        return BloodGroupInput(source=None, **self.model_dump())


@router.put(
    "/patients/{patient_id}/blood-group",
    response_model=BloodGroupOut,
    responses={**ERRORS, 201: {"model": BloodGroupOut}},
    summary="Enter the blood-group card, or a new version of it (201 for the first one)",
    description=(
        "A professional's card is verified (laboratory, biologist, determination date and the"
        " RH-KEL1 phenotype are then required) and replaces any current card; the patient's"
        " side declares a card (not verified) and may replace only a card it declared (409"
        " verified-card otherwise). Inconsistent values answer 422 with one error per field."
        " A printed card of the previous version no longer verifies."
    ),
)
def put_card(
    access: AccessDep,
    body: BloodGroupIn,
    request: Request,
    if_match: Annotated[str | None, Header(description=ETAG_HELP)] = None,
) -> Response:
    row = services.record(access, body.as_input(), expected=_etag(if_match))
    access.session.commit()
    return _one(row, access, request, 201 if row.series_number == 1 else 200)


@router.delete(
    "/patients/{patient_id}/blood-group",
    status_code=204,
    responses=ERRORS,
    summary="Delete the card (its author only; kept in the history, printed cards stop verifying)",
)
def delete_card(
    access: AccessDep, if_match: Annotated[str | None, Header(description=ETAG_HELP)] = None
) -> Response:
    services.delete(access, expected=_etag(if_match))
    access.session.commit()
    return Response(status_code=204)


@router.put(
    "/patients/{patient_id}/blood-group/masked",
    response_model=BloodGroupOut,
    responses=ERRORS,
    summary="The patient's side hides the card from professionals, or shows it again",
    description="Either way, a card printed before stops verifying: print it again.",
)
def mask_card(access: AccessDep, body: MaskIn, request: Request) -> Response:
    row = services.set_masked(access, body.masked)
    access.session.commit()
    return _one(row, access, request)


@router.get(
    "/patients/{patient_id}/blood-group/versions",
    response_model=list[BloodGroupOut],
    responses=ERRORS,
    summary="Every version of the card the caller may read, oldest first",
)
def card_versions(access: AccessDep, request: Request) -> list[BloodGroupOut]:
    rows = services.versions(access)
    authors = presenters.Authors(access.session, rows)
    access.session.commit()
    language = api_language(request)
    return [card_out(row, access, authors, language) for row in rows]


@router.get(
    "/patients/{patient_id}/blood-group/card.pdf",
    responses={**ERRORS, 200: {"content": {"application/pdf": {}}}},
    response_class=Response,
    summary="The wallet-size card (PDF, 85.6 × 54 mm, front and back)",
    description=(
        "Its QR code links to a public verification page through a signed token that holds no"
        " medical data; the page says whether the card is authentic and still current."
    ),
)
def card_pdf(access: AccessDep, request: Request) -> Response:
    language = api_language(request)
    container: Container = request.app.state.container
    pdf = services.card_pdf(
        access,
        keys=container.security.keys,
        base_url=container.settings.public_base(str(request.base_url)),
        language=language,
        gettext=lambda message: translate(language, message),
    )
    access.session.commit()
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'inline; filename="carte-groupe-sanguin.pdf"',
            "Cache-Control": "no-store",
        },
    )
