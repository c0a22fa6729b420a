"""Finding professionals, and the caller's own notices."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy import select

from dmp.api.auth import PROBLEM
from dmp.api.dependencies import ActorDep, ContainerDep, DbDep, get_actor
from dmp.api.problems import api_language
from dmp.api.records.sharing import ProfessionalOut, professional_out
from dmp.identity.directory import search_professionals
from dmp.notifications.orm import InboxRow
from dmp.notifications.services import notice_text
from dmp.shared.errors import N_, NotFound

router = APIRouter(prefix="/api/v1", tags=["directory"])


@router.get(
    "/professionals",
    response_model=list[ProfessionalOut],
    summary="Search professionals by name or RPPS (to authorise or block one)",
    responses={401: PROBLEM},
    dependencies=[Depends(get_actor)],
)
def professionals(
    request: Request,
    db: DbDep,
    q: Annotated[str, Query(min_length=2, max_length=100)],
) -> list[ProfessionalOut]:
    language = api_language(request)
    return [professional_out(db, row.id, language) for row in search_professionals(db, q)]


class NoticeOut(BaseModel):
    id: str
    kind: str
    title: str
    text: str
    created_at: dt.datetime
    read: bool


@router.get(
    "/me/notices",
    response_model=list[NoticeOut],
    summary="My notices, newest first",
    responses={401: PROBLEM},
)
def notices(request: Request, actor: ActorDep, db: DbDep) -> list[NoticeOut]:
    language = api_language(request)
    rows = db.scalars(
        select(InboxRow)
        .where(InboxRow.account_id == actor.account.id)
        .order_by(InboxRow.created_at.desc())
        .limit(100)
    ).all()
    result = []
    for row in rows:
        title, text = notice_text(row, language)
        result.append(
            NoticeOut(
                id=str(row.id),
                kind=row.kind,
                title=title,
                text=text,
                created_at=row.created_at,
                read=row.read_at is not None,
            )
        )
    return result


@router.post(
    "/me/notices/{notice_id}/read",
    status_code=204,
    summary="Mark a notice as read",
    responses={401: PROBLEM, 404: PROBLEM},
)
def read_notice(notice_id: uuid.UUID, actor: ActorDep, container: ContainerDep, db: DbDep) -> None:
    row = db.get(InboxRow, notice_id)
    if row is None or row.account_id != actor.account.id:
        raise NotFound(N_("Ce message n'existe pas."), code="notice-not-found")
    if row.read_at is None:
        row.read_at = container.clock.now()
    db.commit()
