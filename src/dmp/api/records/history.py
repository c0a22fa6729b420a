"""The access history over REST."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from dmp.access.policy import Action
from dmp.api.problems import api_language
from dmp.api.records.common import ERRORS, AccessDep
from dmp.audit.model import AuditAction
from dmp.linked.hidden import hidden_ids
from dmp.records import history
from dmp.shared.i18n import local_day_end, local_day_start, translate

router = APIRouter(prefix="/api/v1", tags=["records"])


# --- Access history ---------------------------------------------------------------------------


class HistoryOut(BaseModel):
    occurred_at: dt.datetime
    action: str
    description: str
    mode: str
    mode_label: str
    who: str
    profession: str | None
    organisation: str | None
    reason: str | None


class HistoryPage(BaseModel):
    items: list[HistoryOut]
    total: int


@router.get(
    "/patients/{patient_id}/history",
    response_model=HistoryPage,
    responses=ERRORS,
    summary="Access history (the holder, the médecin traitant)",
)
def access_history(
    access: AccessDep,
    request: Request,
    since: dt.date | None = None,
    until: dt.date | None = None,
    mode: str | None = None,
    professionals_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HistoryPage:
    granted = access.require(Action.history_read)
    entries, total = history.history(
        access.session,
        access.patient_id,
        since=local_day_start(since) if since else None,
        until=local_day_end(until) if until else None,
        mode=mode,
        professionals_only=professionals_only,
        limit=limit,
        offset=offset,
        hidden_ids=hidden_ids(access),
    )
    if access.actor.professional_id is not None:
        access.audit(AuditAction.RecordHistoryRead, granted)
    access.session.commit()
    language = api_language(request)
    return HistoryPage(
        items=[
            HistoryOut(
                occurred_at=e.occurred_at,
                action=e.action,
                description=translate(language, history.ACTION_LABELS.get(e.action, e.action)),
                mode=e.mode,
                mode_label=translate(language, history.MODE_LABELS.get(e.mode, e.mode))
                if e.mode
                else "",
                who=e.who,
                profession=translate(language, e.profession) if e.profession else None,
                organisation=e.organisation,
                reason=e.reason,
            )
            for e in entries
        ],
        total=total,
    )
