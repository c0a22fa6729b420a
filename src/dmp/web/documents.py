"""Documents in the browser: list with filters, open, add, and manage (as the policy allows)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select

from dmp.access.policy import Action, DocumentStatus, Mode
from dmp.identity.orm import ProfessionalRow
from dmp.records import content, documents, presenters
from dmp.records.readable import readable_cda
from dmp.shared.errors import N_, DomainError, FieldError, InvalidInput
from dmp.terminology import valuesets
from dmp.web.context import WebDep, WebFormDep
from dmp.web.helpers import paginate
from dmp.web.record_common import RecordPage, parse_id, record_page, storage

router = APIRouter()

LIST_TITLE = N_("Documents")
DOCUMENT_TITLE = N_("Document")
ADD_TITLE = N_("Ajouter un document")
REPLACE_TITLE = N_("Remplacer le document")
MASK_TITLE = N_("Masquer le document aux professionnels")
UNMASK_TITLE = N_("Ne plus masquer le document")
DELETE_TITLE = N_("Supprimer le document")
VISIBILITY_TITLE = N_("Visibilité du document")
PAGE_SIZE = 20
INLINE_TEXT_LIMIT = 512 * 1024
CONTENT_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'"


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def type_options(holder_side: bool | None, language: str) -> list[tuple[str, str]]:
    """Type codes, sorted by label: for filing, the patient's own types on the holder's side
    and the professionals' types otherwise; for filtering (``None``), every type a list may
    show."""
    concepts = [
        c
        for c in valuesets.dmp_type_codes()
        if c.class_code is not None
        and (holder_side is None or c.code.startswith("DOCPAT") == holder_side)
    ]
    return sorted(((c.code, valuesets.label(c, language)) for c in concepts), key=lambda p: p[1])


def class_options(language: str) -> list[tuple[str, str]]:
    return [
        (c.code, valuesets.label(c, language)) for c in valuesets.class_codes() if c.code.isdigit()
    ]


def facility_options(language: str) -> list[tuple[str, str]]:
    return sorted(
        (
            (c.code, valuesets.label(c, language))
            for c in valuesets.dmp_facility_types()
            if c.code != "EXP_PATIENT"
        ),
        key=lambda p: p[1],
    )


AUTHOR_PATIENT = "patient"


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _author_options(record: RecordPage, gettext: Callable[[str], str]) -> list[tuple[str, str]]:
    """Who wrote what this caller may list, by name; the patient's side last."""
    ids, by_patient = documents.visible_authors(record.access)
    rows = record.access.session.scalars(select(ProfessionalRow).where(ProfessionalRow.id.in_(ids)))
    options = sorted(
        ((str(r.id), presenters.professional_name(r)) for r in rows),
        key=lambda option: option[1].removeprefix("Dr "),
    )
    if by_patient:
        options.append(
            (AUTHOR_PATIENT, gettext(N_("Le patient (documents ajoutés par lui ou pour lui)")))
        )
    return options


def _row_view(
    page: RecordPage, row: Any, authors: presenters.Authors, language: str
) -> dict[str, Any]:
    now = page.access.clock.now()
    days = page.access.settings.invisible_to_patient_days
    return {
        "row": row,
        "type_label": presenters.type_label(row.type_code, language),
        "class_label": presenters.class_label(row.class_code, language),
        "author": authors.of(row),
        "invisible_now": documents.effective_invisible(row, now, days),
    }


@router.get("/records/{patient_id}/documents")
def list_page(
    web: WebDep,
    patient_id: str,
    type: Annotated[str | None, Query(max_length=64)] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[str | None, Query(max_length=32)] = None,
    until: Annotated[str | None, Query(max_length=32)] = None,
    archived: Annotated[str | None, Query(max_length=3)] = None,
    deprecated: Annotated[str | None, Query(max_length=3)] = None,
    masked: Annotated[str | None, Query(max_length=3)] = None,
    author: Annotated[str | None, Query(max_length=40)] = None,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
) -> Response:
    record = record_page(web, patient_id)
    author_id = _uuid_or_none(author)
    query = documents.DocumentQuery(
        author_professional_id=author_id,
        by_patient=author == AUTHOR_PATIENT,
        type_codes=[type] if type else [],
        class_codes=[category] if category else [],
        since=_date(since),
        until=_date(until),
        include_archived=bool(archived),
        include_deprecated=bool(deprecated),
        only_masked=bool(masked),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    result = documents.list_documents(record.access, query)
    authors = presenters.Authors(web.db, result.items)
    filters = {
        "type": type or "",
        "category": category or "",
        "since": since or "",
        "until": until or "",
        "archived": archived or "",
        "deprecated": deprecated or "",
        "masked": masked or "",
        "author": (author or "") if author == AUTHOR_PATIENT or author_id else "",
    }
    pages = paginate(result.total, page, PAGE_SIZE, filters)
    if pages.past_the_end:
        return web.redirect(f"/records/{record.patient_id}/documents{pages.last_url}")
    return web.render(
        "records/documents.html",
        title=LIST_TITLE,
        items=[_row_view(record, row, authors, web.language) for row in result.items],
        total=result.total,
        pages=pages,
        values=filters,
        type_options=type_options(None, web.language),
        class_options=class_options(web.language),
        author_options=_author_options(record, web.gettext),
        can_add=record.access.decide(Action.document_create).allowed,
        can_list_masked=record.is_holder_side
        or result.mode in (Mode.treating_doctor, Mode.extended_rights),
        **record.context(),
    )


# --- Adding and replacing ------------------------------------------------------------------


def _form_context(record: RecordPage, web: WebDep) -> dict[str, Any]:
    return {
        "type_options": type_options(record.is_holder_side, web.language),
        "facility_options": facility_options(web.language),
        "max_mb": web.container.settings.max_document_mb,
        "accepted": ".pdf,.jpg,.jpeg,.png,.txt,.xml",
        **record.context(),
    }


@router.get("/records/{patient_id}/documents/new")
def add_form(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    record.access.require(Action.document_create)
    return web.render(
        "records/document_form.html",
        title=ADD_TITLE,
        action_url=f"/records/{record.patient_id}/documents/new",
        values={"confidentiality": "N", "facility_type_code": "SA07"},
        **_form_context(record, web),
    )


# The form's one date feeds both dates of the metadata; the file brings its own type.
FORM_FIELDS = {
    "creation_time": "service_date",
    "service_start": "service_date",
    "mime_type": "file",
    "format_code": "file",
}


def _input(
    record: RecordPage,
    *,
    title: str,
    type_code: str,
    service_date: str,
    facility_type_code: str,
    confidentiality: str,
    masked: str | None,
    invisible_to_patient: str | None,
    invisible_to_representatives: str | None,
    comments: str,
    mime: str,
) -> documents.DocumentInput:
    moment = None
    if service_date:
        day = _date(service_date)
        if day is None:
            raise InvalidInput(
                errors=[
                    FieldError(
                        "service_date",
                        "date-format",
                        N_("Saisissez une date réelle, par exemple 27 3 1985."),
                    )
                ]
            )
        moment = dt.datetime.combine(day, dt.time(12, 0), dt.UTC)
    return documents.DocumentInput(
        title=title,
        type_code=type_code,
        mime_type=mime,
        service_start=moment,
        creation_time=moment,
        confidentiality=confidentiality or "N",
        masked=bool(masked),
        invisible_to_patient=bool(invisible_to_patient),
        invisible_to_representatives=bool(invisible_to_representatives),
        facility_type_code=None if record.is_holder_side else (facility_type_code or None),
        comments=comments or None,
    )


def _chunks(upload: UploadFile) -> Iterator[bytes]:
    while chunk := upload.file.read(64 * 1024):
        yield chunk


@router.post("/records/{patient_id}/documents/new")
def add_submit(
    web: WebFormDep,
    patient_id: str,
    file: Annotated[UploadFile | None, File()] = None,
    title: Annotated[str, Form(max_length=2000)] = "",  # the rule (255) is checked with a message
    type_code: Annotated[str, Form(max_length=64)] = "",
    service_date: Annotated[str, Form(max_length=10)] = "",
    facility_type_code: Annotated[str, Form(max_length=64)] = "",
    confidentiality: Annotated[str, Form(max_length=1)] = "N",
    masked: Annotated[str | None, Form(max_length=3)] = None,
    invisible_to_patient: Annotated[str | None, Form(max_length=3)] = None,
    invisible_to_representatives: Annotated[str | None, Form(max_length=3)] = None,
    comments: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    record = record_page(web, patient_id)
    values = {
        "title": title,
        "type_code": type_code,
        "service_date": service_date,
        "facility_type_code": facility_type_code,
        "confidentiality": confidentiality,
        "masked": masked,
        "invisible_to_patient": invisible_to_patient,
        "invisible_to_representatives": invisible_to_representatives,
        "comments": comments,
    }
    context = _form_context(record, web)
    url = f"/records/{record.patient_id}/documents/new"
    try:
        if file is None or not file.filename:
            raise InvalidInput.single("file", "required", N_("Choisissez le fichier à ajouter."))
        data = _input(
            record,
            title=title,
            type_code=type_code,
            service_date=service_date,
            facility_type_code=facility_type_code,
            confidentiality=confidentiality,
            masked=masked,
            invisible_to_patient=invisible_to_patient,
            invisible_to_representatives=invisible_to_representatives,
            comments=comments,
            mime=file.content_type or "",
        )
        with web.db.begin_nested():
            row = documents.file_document(record.access, storage(web), data, _chunks(file))
    except DomainError as exc:
        return web.form_error(
            "records/document_form.html",
            exc,
            fields=FORM_FIELDS,
            title=ADD_TITLE,
            values=values,
            action_url=url,
            **context,
        )
    web.flash(N_("Le document a été ajouté."))
    return web.redirect(f"/records/{record.patient_id}/documents/{row.id}")


def _document(
    web: WebDep, patient_id: str, document_id: str, action: Action = Action.document_read
) -> tuple[RecordPage, Any, Any]:
    record = record_page(web, patient_id)
    row, mode = documents.get_document(record.access, parse_id(document_id), action)
    return record, row, mode


@router.get("/records/{patient_id}/documents/{document_id}")
def document_page(web: WebDep, patient_id: str, document_id: str) -> Response:
    record, row, mode = _document(web, patient_id, document_id)
    access = record.access
    from dmp.records.documents import facts

    now, days = access.clock.now(), access.settings.invisible_to_patient_days
    document_facts = facts(row, now, days)
    text = cda = None
    if row.mime_type in (content.TEXT, content.CDA) and row.size <= INLINE_TEXT_LIMIT:
        _row, chunks = documents.open_content(access, storage(web), row.id)
        data = b"".join(chunks)
        if row.mime_type == content.TEXT:
            text = data.decode("utf-8", errors="replace")
        else:
            cda = readable_cda(data)
    else:
        from dmp.audit.model import AuditAction

        access.audit(
            AuditAction.RecordDocumentRead,
            mode,
            target=f"DocumentReference/{row.id}",
            details={"part": "metadata"},
        )
    versions = (
        documents.versions_of(access, row)
        if row.series_number > 1 or row.status == "deprecated"
        else []
    )
    return web.render(
        "records/document.html",
        title=DOCUMENT_TITLE,
        row=row,
        view=_row_view(record, row, presenters.Authors(web.db), web.language),
        status_label=presenters.STATUS_LABELS.get(row.status, row.status),
        text=text,
        cda=cda,
        versions=versions,
        can_manage=access.decide(Action.document_manage, document_facts).allowed,
        can_mask=access.decide(Action.document_mask, document_facts).allowed,
        can_announce=access.decide(Action.announcement_record, document_facts).allowed
        and row.invisible_to_patient
        and row.announced_at is None,
        warn_invisible=not record.is_holder_side
        and (document_facts.invisible_to_patient or row.invisible_to_representatives),
        **record.context(),
    )


@router.get("/records/{patient_id}/documents/{document_id}/content")
def document_content(
    web: WebDep,
    patient_id: str,
    document_id: str,
    download: Annotated[str | None, Query(max_length=3)] = None,
) -> Response:
    record = record_page(web, patient_id)
    row, chunks = documents.open_content(record.access, storage(web), parse_id(document_id))
    web.db.commit()
    extension = {
        content.PDF: "pdf",
        content.JPEG: "jpg",
        content.PNG: "png",
        content.TEXT: "txt",
        content.CDA: "xml",
    }
    # XML could carry a style sheet and run in the page: CDA is read on the document page and
    # only ever downloaded here.
    disposition = "attachment" if download or row.mime_type == content.CDA else "inline"
    filename = f"document-{row.id.hex[:8]}.{extension.get(row.mime_type, 'bin')}"
    return StreamingResponse(
        _stream(chunks),
        media_type=row.mime_type + ("; charset=utf-8" if row.mime_type == content.TEXT else ""),
        headers={
            "Content-Length": str(row.size),
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            # A document is shown, never run: no scripts, nothing loaded from elsewhere.
            "Content-Security-Policy": CONTENT_CSP,
        },
    )


def _stream(chunks: Iterator[bytes]) -> Iterator[bytes]:
    yield from chunks


@router.get("/records/{patient_id}/documents/{document_id}/replace")
def replace_form(web: WebDep, patient_id: str, document_id: str) -> Response:
    record, row, _mode = _document(web, patient_id, document_id, Action.document_manage)
    return web.render(
        "records/document_form.html",
        title=REPLACE_TITLE,
        action_url=f"/records/{record.patient_id}/documents/{row.id}/replace",
        values={
            "title": row.title,
            "type_code": row.type_code,
            "confidentiality": row.confidentiality,
            "facility_type_code": row.facility_type_code,
            "masked": row.masked,
            "invisible_to_patient": row.invisible_to_patient,
            "invisible_to_representatives": row.invisible_to_representatives,
            "service_date": row.service_start.date().isoformat(),
            "version": row.version,
        },
        replacing=row,
        **_form_context(record, web),
    )


@router.post("/records/{patient_id}/documents/{document_id}/replace")
def replace_submit(
    web: WebFormDep,
    patient_id: str,
    document_id: str,
    file: Annotated[UploadFile | None, File()] = None,
    title: Annotated[str, Form(max_length=2000)] = "",  # the rule (255) is checked with a message
    type_code: Annotated[str, Form(max_length=64)] = "",
    service_date: Annotated[str, Form(max_length=10)] = "",
    facility_type_code: Annotated[str, Form(max_length=64)] = "",
    confidentiality: Annotated[str, Form(max_length=1)] = "N",
    masked: Annotated[str | None, Form(max_length=3)] = None,
    invisible_to_patient: Annotated[str | None, Form(max_length=3)] = None,
    invisible_to_representatives: Annotated[str | None, Form(max_length=3)] = None,
    comments: Annotated[str, Form(max_length=4000)] = "",
    version: Annotated[int | None, Form()] = None,
) -> Response:
    record, old, _mode = _document(web, patient_id, document_id, Action.document_manage)
    values = {
        "title": title,
        "type_code": type_code,
        "service_date": service_date,
        "facility_type_code": facility_type_code,
        "confidentiality": confidentiality,
        "masked": masked,
        "invisible_to_patient": invisible_to_patient,
        "invisible_to_representatives": invisible_to_representatives,
        "comments": comments,
        "version": version,
    }
    url = f"/records/{record.patient_id}/documents/{old.id}/replace"
    try:
        if file is None or not file.filename:
            raise InvalidInput.single("file", "required", N_("Choisissez le fichier à ajouter."))
        data = _input(
            record,
            title=title,
            type_code=type_code,
            service_date=service_date,
            facility_type_code=facility_type_code,
            confidentiality=confidentiality,
            masked=masked,
            invisible_to_patient=invisible_to_patient,
            invisible_to_representatives=invisible_to_representatives,
            comments=comments,
            mime=file.content_type or "",
        )
        with web.db.begin_nested():
            row = documents.replace_document(
                record.access, storage(web), old.id, data, _chunks(file), expected_version=version
            )
    except DomainError as exc:
        return web.form_error(
            "records/document_form.html",
            exc,
            fields=FORM_FIELDS,
            title=REPLACE_TITLE,
            values=values,
            action_url=url,
            replacing=old,
            **_form_context(record, web),
        )
    web.flash(N_("La nouvelle version du document a été ajoutée ; l'ancienne est conservée."))
    return web.redirect(f"/records/{record.patient_id}/documents/{row.id}")


# --- Managing ------------------------------------------------------------------------------


@router.get("/records/{patient_id}/documents/{document_id}/mask")
def mask_confirm(web: WebDep, patient_id: str, document_id: str) -> Response:
    record, row, _mode = _document(web, patient_id, document_id, Action.document_mask)
    return web.render(
        "records/confirm.html",
        title=UNMASK_TITLE if row.masked else MASK_TITLE,
        row=row,
        message=N_(
            "Les professionnels ne verront plus ce document, sauf son auteur, votre médecin"
            " traitant et les professionnels à qui vous avez donné les mêmes droits. Vous"
            " pourrez changer d'avis à tout moment."
        )
        if not row.masked
        else N_("Les professionnels que vous avez autorisés pourront de nouveau voir ce document."),
        action_url=f"/records/{record.patient_id}/documents/{row.id}/mask",
        fields={"masked": "" if row.masked else "1"},
        button=N_("Ne plus masquer") if row.masked else N_("Masquer ce document"),
        warning=not row.masked,
        **record.context(),
    )


@router.post("/records/{patient_id}/documents/{document_id}/mask")
def mask_submit(
    web: WebFormDep,
    patient_id: str,
    document_id: str,
    masked: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    record, row, _mode = _document(web, patient_id, document_id, Action.document_mask)
    if row.author_patient_id is None:
        documents.set_masked(record.access, row.id, bool(masked))
    else:
        documents.set_flags(record.access, row.id, masked=bool(masked))
    web.flash(
        N_("Le document est masqué aux professionnels.")
        if masked
        else N_("Le document n'est plus masqué.")
    )
    return web.redirect(f"/records/{record.patient_id}/documents/{row.id}")


@router.get("/records/{patient_id}/documents/{document_id}/delete")
def delete_confirm(web: WebDep, patient_id: str, document_id: str) -> Response:
    record, row, _mode = _document(web, patient_id, document_id, Action.document_manage)
    return web.render(
        "records/confirm.html",
        title=DELETE_TITLE,
        row=row,
        message=N_(
            "Le document ne sera plus visible dans le dossier. Sa trace reste dans"
            " l'historique des accès."
        ),
        action_url=f"/records/{record.patient_id}/documents/{row.id}/status",
        fields={"status": "deleted", "version": str(row.version)},
        button=N_("Supprimer ce document"),
        warning=True,
        **record.context(),
    )


@router.post("/records/{patient_id}/documents/{document_id}/status")
def status_submit(
    web: WebFormDep,
    patient_id: str,
    document_id: str,
    status: Annotated[str, Form(max_length=12)] = "",
    version: Annotated[int | None, Form()] = None,
) -> Response:
    record, row, _mode = _document(web, patient_id, document_id, Action.document_manage)
    try:
        target = DocumentStatus(status)
    except ValueError:
        target = None
    if target not in (DocumentStatus.archived, DocumentStatus.approved, DocumentStatus.deleted):
        return web.redirect(f"/records/{record.patient_id}/documents/{row.id}")
    assert target is not None
    documents.set_status(record.access, row.id, target, expected_version=version)
    messages = {
        DocumentStatus.archived: N_("Le document est archivé."),
        DocumentStatus.approved: N_("Le document n'est plus archivé."),
        DocumentStatus.deleted: N_("Le document a été supprimé."),
    }
    web.flash(messages[target])
    if target is DocumentStatus.deleted:
        return web.redirect(f"/records/{record.patient_id}/documents")
    return web.redirect(f"/records/{record.patient_id}/documents/{row.id}")


@router.post("/records/{patient_id}/documents/{document_id}/announcement")
def announcement_submit(web: WebFormDep, patient_id: str, document_id: str) -> Response:
    record, row, _mode = _document(web, patient_id, document_id, Action.announcement_record)
    documents.record_announcement(record.access, row.id)
    web.flash(
        N_(
            "La consultation d'annonce est enregistrée : le patient peut maintenant voir"
            " ce document."
        )
    )
    return web.redirect(f"/records/{record.patient_id}/documents/{row.id}")


@router.get("/records/{patient_id}/documents/{document_id}/visibility")
def visibility_form(web: WebDep, patient_id: str, document_id: str) -> Response:
    record, row, _mode = _document(web, patient_id, document_id, Action.document_manage)
    return web.render(
        "records/visibility.html",
        title=VISIBILITY_TITLE,
        row=row,
        values={
            "masked": row.masked,
            "invisible_to_patient": row.invisible_to_patient,
            "invisible_to_representatives": row.invisible_to_representatives,
        },
        **record.context(),
    )


@router.post("/records/{patient_id}/documents/{document_id}/visibility")
def visibility_submit(
    web: WebFormDep,
    patient_id: str,
    document_id: str,
    masked: Annotated[str | None, Form(max_length=3)] = None,
    invisible_to_patient: Annotated[str | None, Form(max_length=3)] = None,
    invisible_to_representatives: Annotated[str | None, Form(max_length=3)] = None,
    version: Annotated[int | None, Form()] = None,
) -> Response:
    record, row, _mode = _document(web, patient_id, document_id, Action.document_manage)
    values = {
        "masked": masked,
        "invisible_to_patient": invisible_to_patient,
        "invisible_to_representatives": invisible_to_representatives,
    }
    try:
        with web.db.begin_nested():
            documents.set_flags(
                record.access,
                row.id,
                masked=bool(masked),
                invisible_to_patient=bool(invisible_to_patient),
                invisible_to_representatives=bool(invisible_to_representatives),
                expected_version=version,
            )
    except DomainError as exc:
        return web.form_error(
            "records/visibility.html",
            exc,
            title=VISIBILITY_TITLE,
            row=row,
            values=values,
            **record.context(),
        )
    web.flash(N_("La visibilité du document est enregistrée."))
    return web.redirect(f"/records/{record.patient_id}/documents/{row.id}")
