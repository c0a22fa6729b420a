"""The page "Télécharger mes données": ask for a copy of everything, follow its preparation,
download it for 7 days. Works without JavaScript: while a copy is being prepared the page asks
the browser to reload it (HTTP ``Refresh``) and offers an "Actualiser" link."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response, StreamingResponse

from dmp.export import services
from dmp.export.model import STATUS_LABELS, ExportStatus
from dmp.export.orm import ExportRow
from dmp.identity.model import Role
from dmp.identity.orm import PatientRow
from dmp.shared.errors import N_, DomainError, NotFound
from dmp.web.context import Web, WebDep, WebFormDep

router = APIRouter()

EXPORT_TITLE = N_("Télécharger mes données")
REFRESH_SECONDS = 10
TAGS = {
    ExportStatus.queued: "tag-muted",
    ExportStatus.running: "tag-warning",
    ExportStatus.ready: "tag-success",
    ExportStatus.failed: "tag-danger",
    ExportStatus.expired: "tag-muted",
}


def _view(web: Web, row: ExportRow, names: dict[uuid.UUID, str]) -> dict[str, Any]:
    status = ExportStatus(row.status)
    return {
        "row": row,
        "status": status.value,
        "label": web.gettext(STATUS_LABELS[status]),
        "tag": TAGS[status],
        "people": [names.get(pid, "—") for pid in row.patient_ids],
        "downloadable": services.is_downloadable(row, web.container.clock.now()),
        "size_mb": f"{(row.size or 0) / (1024 * 1024):.1f}".replace(
            ".", "," if web.language == "fr" else "."
        ),
    }


def _page(web: Web, *, error: DomainError | None = None, values: Any = None) -> Response:
    account = web.require_account(Role.patient)
    container = web.container
    people = services.people_of(web.db, container.settings, container.clock, web.ctx, account)
    rows = services.exports_of(web.db, account)
    names = {person.patient_id: person.display_name for person in people}
    for row in rows:  # a profile no longer linked keeps its name in the list
        for patient_id in row.patient_ids:
            if patient_id not in names:
                patient = web.db.get(PatientRow, patient_id)
                names[patient_id] = patient.display_name if patient else "—"
    views = [_view(web, row, names) for row in rows]
    pending = any(ExportStatus(row.status).pending for row in rows)
    context: dict[str, Any] = {
        "people": people,
        "linked": [person for person in people if not person.own],
        "exports": views,
        "pending": pending,
        "refresh_seconds": REFRESH_SECONDS,
    }
    if error is not None:
        response: Response = web.form_error(
            "export/exports.html", error, title=EXPORT_TITLE, values=values, **context
        )
    else:
        response = web.render("export/exports.html", title=EXPORT_TITLE, **context)
    if pending:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


@router.get("/export")
def export_page(web: WebDep) -> Response:
    return _page(web)


@router.post("/export")
def request_export(
    web: WebFormDep,
    include: Annotated[list[str] | None, Form(max_length=40)] = None,
) -> Response:
    account = web.require_account(Role.patient)
    chosen: list[uuid.UUID] = []
    for value in include or []:
        try:
            chosen.append(uuid.UUID(value))
        except ValueError:
            return _page(web, error=NotFound(N_("Ce profil rattaché n'existe pas.")))
    try:
        with web.db.begin_nested():
            services.request_export(
                web.db,
                web.container.settings,
                web.container.clock,
                web.ctx,
                account,
                language=web.language,
                include=chosen,
            )
    except DomainError as exc:
        return _page(web, error=exc, values={"include": [str(c) for c in chosen]})
    web.flash(
        N_(
            "Votre demande est enregistrée. La copie est préparée en quelques minutes :"
            " cette page vous dira quand la télécharger."
        )
    )
    return web.redirect("/export")


@router.get("/export/{export_id}/download")
def download(web: WebDep, export_id: str) -> Response:
    account = web.require_account()  # anybody but the requester: "not found"
    try:
        wanted = uuid.UUID(export_id)
    except ValueError as exc:
        raise NotFound(services.EXPORT_NOT_FOUND, code="export-not-found") from exc
    container = web.container
    row, chunks = services.open_download(
        web.db,
        container.clock,
        web.ctx,
        account,
        container.keks,
        container.blobs,
        wanted,
    )
    web.db.commit()
    day = (row.ready_at or row.created_at).date().isoformat()
    return StreamingResponse(
        _stream(chunks),
        media_type="application/zip",
        headers={
            "Content-Length": str(row.size),
            "Content-Disposition": f'attachment; filename="dmp-mes-donnees-{day}.zip"',
            "Cache-Control": "no-store",
            "X-Content-SHA256": row.sha256 or "",
        },
    )


def _stream(chunks: Iterator[bytes]) -> Iterator[bytes]:
    yield from chunks
