"""My messages: what happened to my record (never what a document says)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import select, update

from dmp.notifications.orm import InboxRow
from dmp.notifications.services import notice_text
from dmp.shared.errors import N_
from dmp.web.context import WebDep, WebFormDep

router = APIRouter()

NOTICES_TITLE = N_("Messages")


@router.get("/notices")
def notices_page(web: WebDep) -> Response:
    account = web.require_account()
    rows = web.db.scalars(
        select(InboxRow)
        .where(InboxRow.account_id == account.id)
        .order_by(InboxRow.created_at.desc())
        .limit(100)
    ).all()
    items = [(row, *notice_text(row, web.language)) for row in rows]
    return web.render("records/notices.html", title=NOTICES_TITLE, items=items)


@router.post("/notices/read")
def mark_read(web: WebFormDep) -> Response:
    account = web.require_account()
    web.db.execute(
        update(InboxRow)
        .where(InboxRow.account_id == account.id, InboxRow.read_at.is_(None))
        .values(read_at=web.security.now())
    )
    web.flash(N_("Tous les messages sont marqués comme lus."))
    return web.redirect("/notices")
