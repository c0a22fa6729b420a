"""The GDPR export over REST: ask for a copy of one's data, follow it, download it.

Only the account that asked sees an export; any other caller gets 404, as for a missing one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from dmp.api.dependencies import ActorDep, ContainerDep, DbDep
from dmp.api.problems import api_language
from dmp.api.records.common import ERRORS
from dmp.export import services
from dmp.export.model import ExportStatus
from dmp.export.orm import ExportRow

router = APIRouter(prefix="/api/v1/me/exports", tags=["exports"])
GONE: dict[int | str, dict[str, Any]] = {410: ERRORS[404]}


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    include: Annotated[
        list[uuid.UUID] | None,
        Field(
            max_length=20,
            description="Linked profiles to include (default: every profile you manage)",
        ),
    ] = None


class ExportOut(BaseModel):
    id: str
    status: ExportStatus
    progress: int = Field(ge=0, le=100)
    patient_ids: list[str]
    created_at: dt.datetime
    ready_at: dt.datetime | None
    expires_at: dt.datetime | None
    size: int | None = Field(description="Bytes of the ZIP, once ready")
    sha256: str | None = Field(description="SHA-256 of the ZIP, once ready")
    download_url: str | None


def export_out(row: ExportRow, now: dt.datetime) -> ExportOut:
    ready = services.is_downloadable(row, now)
    return ExportOut(
        id=str(row.id),
        status=ExportStatus(row.status),
        progress=row.progress,
        patient_ids=[str(pid) for pid in row.patient_ids],
        created_at=row.created_at,
        ready_at=row.ready_at,
        expires_at=row.expires_at,
        size=row.size if ready else None,
        sha256=row.sha256 if ready else None,
        download_url=f"/api/v1/me/exports/{row.id}/download" if ready else None,
    )


@router.post(
    "",
    status_code=202,
    response_model=ExportOut,
    summary="Ask for a copy of your data (and of the linked profiles you manage)",
    responses=ERRORS,
)
def request_export(
    actor: ActorDep,
    container: ContainerDep,
    db: DbDep,
    request: Request,
    response: Response,
    body: ExportIn | None = None,
) -> ExportOut:
    row = services.request_export(
        db,
        container.settings,
        container.clock,
        actor.ctx,
        actor.account,
        language=api_language(request),
        include=body.include if body else None,
    )
    db.commit()
    response.headers["Location"] = f"/api/v1/me/exports/{row.id}"
    return export_out(row, container.clock.now())


@router.get("", response_model=list[ExportOut], summary="Your exports, newest first")
def list_exports(actor: ActorDep, container: ContainerDep, db: DbDep) -> list[ExportOut]:
    now = container.clock.now()
    return [export_out(row, now) for row in services.exports_of(db, actor.account)]


@router.get(
    "/{export_id}",
    response_model=ExportOut,
    summary="One export: its status and progress",
    responses=ERRORS,
)
def get_export(
    export_id: uuid.UUID, actor: ActorDep, container: ContainerDep, db: DbDep
) -> ExportOut:
    return export_out(services.get_export(db, actor.account, export_id), container.clock.now())


@router.get(
    "/{export_id}/download",
    summary="The ZIP, decrypted and checked as it streams (7 days after it is ready)",
    responses={**ERRORS, **GONE, 200: {"content": {"application/zip": {}}}},
)
def download(export_id: uuid.UUID, actor: ActorDep, container: ContainerDep, db: DbDep) -> Response:
    row, chunks = services.open_download(
        db,
        container.clock,
        actor.ctx,
        actor.account,
        container.keks,
        container.blobs,
        export_id,
    )
    db.commit()
    return StreamingResponse(
        _stream(chunks),
        media_type="application/zip",
        headers={
            "Content-Length": str(row.size),
            "Content-Disposition": f'attachment; filename="dmp-export-{row.id.hex[:8]}.zip"',
            "Cache-Control": "no-store",
            "X-Content-SHA256": row.sha256 or "",
        },
    )


def _stream(chunks: Iterator[bytes]) -> Iterator[bytes]:
    yield from chunks
