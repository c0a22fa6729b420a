"""Historique des accès: who looked, when, what, on what grounds."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from dmp.access.policy import Action
from dmp.audit.model import AuditAction
from dmp.linked.hidden import hidden_ids
from dmp.records import history
from dmp.shared.errors import N_
from dmp.shared.i18n import local_day_end, local_day_start
from dmp.web.context import WebDep
from dmp.web.helpers import paginate
from dmp.web.record_common import record_page

router = APIRouter()

HISTORY_TITLE = N_("Historique des accès")
PAGE_SIZE = 50


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/records/{patient_id}/history")
def history_page(
    web: WebDep,
    patient_id: str,
    since: Annotated[str | None, Query(max_length=32)] = None,
    until: Annotated[str | None, Query(max_length=32)] = None,
    mode: Annotated[str | None, Query(max_length=20)] = None,
    professionals: Annotated[str | None, Query(max_length=3)] = None,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
) -> Response:
    record = record_page(web, patient_id)
    granted = record.access.require(Action.history_read)
    start, end = _day(since), _day(until)
    entries, total = history.history(
        web.db,
        record.patient_id,
        since=local_day_start(start) if start else None,
        until=local_day_end(end) if end else None,
        mode=mode if mode in history.MODE_LABELS else None,
        professionals_only=bool(professionals),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        hidden_ids=hidden_ids(record.access),
    )
    values = {
        "since": since or "",
        "until": until or "",
        "mode": mode or "",
        "professionals": professionals or "",
    }
    pages = paginate(total, page, PAGE_SIZE, values)
    if pages.past_the_end:
        return web.redirect(f"/records/{record.patient_id}/history{pages.last_url}")
    if record.access.actor.professional_id is not None:
        record.access.audit(AuditAction.RecordHistoryRead, granted)
    return web.render(
        "records/history.html",
        title=HISTORY_TITLE,
        entries=entries,
        total=total,
        pages=pages,
        action_labels=history.ACTION_LABELS,
        mode_labels=history.MODE_LABELS,
        mode_options=[(code, web.gettext(label)) for code, label in history.MODE_LABELS.items()],
        values=values,
        **record.context(),
    )
