"""GDPR rights over REST: rectification requests (made by the holder's side, answered by the
item's author or by the operators) and the consents registry with the research opposition."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, ConfigDict, Field

from dmp.api.dependencies import ActorDep, ContainerDep, DbDep
from dmp.api.problems import api_language
from dmp.api.records.common import ERRORS, AccessDep, if_match_version
from dmp.rights import services
from dmp.rights.model import (
    DESCRIPTION_MAX,
    IDENTITY_TRAITS,
    PURPOSE_LABELS,
    STATUS_LABELS,
)
from dmp.rights.orm import ConsentRow, RectificationRow
from dmp.rights.texts import text_of
from dmp.shared.i18n import translate

router = APIRouter(prefix="/api/v1", tags=["rights"])


class RectificationOut(BaseModel):
    id: str
    patient_id: str
    target_kind: Literal["identity", "profile", "document"]
    target: str = Field(
        description="The identity trait's name, or the id of the document or profile entry "
        "version the request names"
    )
    target_series_id: str | None = Field(description="The item's series (stable across versions)")
    target_label: str | None = Field(description="The identity trait, in words")
    description: str = Field(description="What the patient says is wrong")
    route: Literal["author", "operators"] = Field(
        description="Who answers: the item's professional author, or the platform's operators"
    )
    status: Literal["open", "corrected", "refused"]
    status_label: str
    requested_at: dt.datetime
    answered_at: dt.datetime | None
    answer: str | None = Field(description="The answer's note; a refusal's reason")
    corrected_value: str | None = Field(description="An identity trait's corrected value")
    correction_id: str | None = Field(
        description="The version of the item that now stands, when it changed"
    )
    version: int


def rectification_out(row: RectificationRow, language: str) -> RectificationOut:
    trait = row.target_trait
    return RectificationOut(
        id=str(row.id),
        patient_id=str(row.patient_id),
        target_kind=row.target_kind,
        target=trait or str(row.target_id),
        target_series_id=str(row.target_series_id) if row.target_series_id else None,
        target_label=translate(language, IDENTITY_TRAITS[trait]) if trait else None,
        description=row.description,
        route=row.route,
        status=row.status,
        status_label=translate(language, STATUS_LABELS[row.status]),
        requested_at=row.requested_at,
        answered_at=row.answered_at,
        answer=row.answer,
        corrected_value=row.corrected_value,
        correction_id=str(row.correction_id) if row.correction_id else None,
        version=row.version,
    )


class RectificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_kind: Literal["identity", "profile", "document"]
    target: str = Field(
        max_length=64,
        description="An identity trait (" + ", ".join(IDENTITY_TRAITS) + "), or the id of a "
        "document or profile entry a professional wrote",
    )
    description: str = Field(
        max_length=DESCRIPTION_MAX + 100, description="What is wrong (10 to 2000 characters)"
    )


@router.get(
    "/patients/{patient_id}/rectifications",
    response_model=list[RectificationOut],
    responses=ERRORS,
    summary="The record's rectification requests, newest first (the holder's side only)",
)
def list_rectifications(access: AccessDep, request: Request) -> list[RectificationOut]:
    rows = services.requests_of(access)
    access.session.commit()
    language = api_language(request)
    return [rectification_out(row, language) for row in rows]


@router.post(
    "/patients/{patient_id}/rectifications",
    status_code=201,
    response_model=RectificationOut,
    responses=ERRORS,
    summary="Report an error in an identity trait, or in a document or profile entry written "
    "by a professional (the holder's side only)",
    description="Identity traits go to the platform's operators, a document or profile entry "
    "to its professional author, who is told (the notice names neither the patient's words nor "
    "the item). Items the patient's side added itself are corrected directly: `422` `own-item`. "
    "One open request per item: `409` `request-pending`. An item the caller cannot see: `404`.",
)
def create_rectification(
    access: AccessDep, body: RectificationIn, request: Request
) -> RectificationOut:
    row = services.request(access, body.target_kind, body.target, body.description)
    access.session.commit()
    return rectification_out(row, api_language(request))


@router.get(
    "/rectifications",
    response_model=list[RectificationOut],
    responses=ERRORS,
    summary="The rectification requests the caller answers (author or operator), open first",
)
def addressed_rectifications(
    actor: ActorDep, db: DbDep, request: Request
) -> list[RectificationOut]:
    rows = services.addressed_to(db, actor.account)
    language = api_language(request)
    return [rectification_out(row, language) for row in rows]


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["corrected", "refused"]
    answer: str | None = Field(
        default=None, max_length=2100, description="A note; required when refused (the reason)"
    )
    corrected_value: str | None = Field(
        default=None,
        max_length=400,
        description="Identity traits: the corrected value (recorded with the answer)",
    )


@router.post(
    "/rectifications/{request_id}/answer",
    response_model=RectificationOut,
    responses=ERRORS,
    summary="Answer a rectification request (its author, or an operator for identity traits)",
    description="Make the correction first through the usual flows (replace the document, "
    "correct the profile entry): the answer notes the version that now stands. The answer is "
    "audited in the patient's access history and the holder's side is told. Anyone else gets "
    "`404`; an answered request `409` `already-answered`; `If-Match` is honoured.",
)
def answer_rectification(
    request_id: uuid.UUID,
    body: AnswerIn,
    actor: ActorDep,
    container: ContainerDep,
    db: DbDep,
    request: Request,
    if_match: Annotated[str | None, Header()] = None,
) -> RectificationOut:
    row = services.answer(
        db,
        container.settings,
        container.clock,
        actor.ctx,
        actor.account,
        request_id,
        outcome=body.outcome,
        text=body.answer,
        corrected_value=body.corrected_value,
        expected_version=if_match_version(if_match),
    )
    db.commit()
    return rectification_out(row, api_language(request))


class ConsentOut(BaseModel):
    id: str
    purpose: Literal["dmp-creation", "data-sharing", "research", "notifications"]
    purpose_label: str
    stance: Literal["consent", "opposition"]
    scope: str | None = Field(
        description="data-sharing: the professional's id; notifications: the notice preference"
    )
    text_version: str
    text: str | None = Field(description="The text agreed to (or opposed), in words")
    given_at: dt.datetime
    channel: Literal["web", "oral", "written", "api"]
    recorded_by: str | None
    withdrawn_at: dt.datetime | None
    in_force: bool


class ConsentsOut(BaseModel):
    research_opposed: bool = Field(
        description="The holder opposed the reuse of the record's data for research"
    )
    entries: list[ConsentOut]


def consent_out(row: ConsentRow, language: str) -> ConsentOut:
    text = text_of(row.text_version)
    return ConsentOut(
        id=str(row.id),
        purpose=row.purpose,
        purpose_label=translate(language, PURPOSE_LABELS[row.purpose]),
        stance=row.stance,
        scope=row.scope,
        text_version=row.text_version,
        text=translate(language, text) if text else None,
        given_at=row.given_at,
        channel=row.channel,
        recorded_by=str(row.recorded_by) if row.recorded_by else None,
        withdrawn_at=row.withdrawn_at,
        in_force=row.withdrawn_at is None,
    )


def _consents(access: AccessDep, request: Request) -> ConsentsOut:
    rows = services.consents(access)
    opposed = services.research_opposed(access)
    access.session.commit()
    language = api_language(request)
    return ConsentsOut(
        research_opposed=opposed, entries=[consent_out(row, language) for row in rows]
    )


@router.get(
    "/patients/{patient_id}/consents",
    response_model=ConsentsOut,
    responses=ERRORS,
    summary="The consents registry of the record's holder, newest first (holder's side only)",
    description="Each consent (record creation, sharing with a professional) or opposition "
    "(research use, a kind of notice) with the version of its text, its date, its channel and "
    "its withdrawal.",
)
def read_consents(access: AccessDep, request: Request) -> ConsentsOut:
    return _consents(access, request)


class ResearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    opposed: bool = Field(description="true: oppose research use; false: withdraw the opposition")


@router.put(
    "/patients/{patient_id}/consents/research",
    response_model=ConsentsOut,
    responses=ERRORS,
    summary="Oppose the reuse of the record's data for research, or withdraw the opposition",
    description="Research on DMP data rests on non-opposition: allowed unless the holder "
    "opposed it. Idempotent; a change is audited.",
)
def set_research(access: AccessDep, body: ResearchIn, request: Request) -> ConsentsOut:
    services.set_research_opposition(access, body.opposed)
    return _consents(access, request)
