"""Directives anticipées pages: where they stand, the guided form of the official model, the
review and signing step, a signed scan, the revocation, and each version's document.

The form has no state on the server: the review page carries the answers in hidden fields, and
signing checks them all again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from starlette.datastructures import FormData, UploadFile

from dmp.directives.model import (
    AUTHORITY_LABELS,
    CHOICE_LABELS,
    SEDATION_LABELS,
    SITUATION_LABELS,
    TREATMENT_LABELS,
    AdvanceDirectives,
    Author,
    ProtectedAdultAuthorisation,
    TreatmentWish,
    TrustedPersonMention,
    Witness,
)
from dmp.directives.render import build_view
from dmp.directives_record import services as advance
from dmp.records import content
from dmp.shared.errors import N_, DomainError, FieldError, InvalidInput
from dmp.web.context import Web, WebDep, WebFormDep
from dmp.web.record_common import RecordPage, record_page, storage

router = APIRouter()

PAGE_TITLE = N_("Directives anticipées")
FORM_TITLE = N_("Rédiger mes directives anticipées")
REVIEW_TITLE = N_("Relire et signer mes directives anticipées")
SCAN_TITLE = N_("Déposer mes directives anticipées signées")
REVOKE_TITLE = N_("Révoquer mes directives anticipées")
NOT_STATED = "none"
MAX_FIELD = 8000

KIND_LABELS = {
    "form": N_("Rédigées en ligne"),
    "scan": N_("Document signé déposé"),
    "revocation": N_("Révocation"),
}
STATUS_LABELS = {
    "current": N_("En vigueur"),
    "superseded": N_("Version remplacée"),
    "revoked": N_("Révoquée"),
    "revocation": N_("Révocation"),
}
# The answers of the first step, carried by the review page in hidden fields.
ANSWER_FIELDS = (
    "author.surname",
    "author.first_names",
    "author.birth_day",
    "author.birth_month",
    "author.birth_year",
    "author.birth_place",
    "protected_adult",
    "protected_adult_authorisation.authority",
    "protected_adult_authorisation.reference",
    "situation",
    "foreseen_situations",
    *(f"treatments.{treatment.value}" for treatment in TREATMENT_LABELS),
    "other_treatments",
    "sedation",
    "other_wishes",
    "trusted_person.name",
    "trusted_person.phone",
    "trusted_person.email",
)
SIGNING_FIELDS = (
    "place",
    "author_cannot_write",
    "witnesses.0.name",
    "witnesses.0.capacity",
    "witnesses.0.is_trusted_person",
    "witnesses.1.name",
    "witnesses.1.capacity",
    "witnesses.1.is_trusted_person",
    "typed_name",
)
# Model field names → the form's own.
RENAMED = {
    "signature.typed_name": "typed_name",
    "signature.drawing_ref": "drawing",
    "signature.drawing": "drawing",
    "signature": "typed_name",
    "signature.kind": "typed_name",
    "signed_at": "",
    "protected_adult_authorisation.authorised": "protected_adult",
}
SIGNING_STEP = ("place", "witnesses", "signature", "signed_at", "typed_name", "drawing")


async def form_data(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(form_data)]


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value[:MAX_FIELD] if isinstance(value, str) else ""


def values_of(form: Mapping[str, Any], names: tuple[str, ...] = ANSWER_FIELDS) -> dict[str, str]:
    return {name: _text(form, name) for name in names}


def _birth_date(values: Mapping[str, str]) -> dt.date | None:
    parts = [values.get(f"author.birth_{p}", "").strip() for p in ("year", "month", "day")]
    if not any(parts):
        return None
    try:
        year, month, day = (int(p) for p in parts)
        return dt.date(year, month, day)
    except ValueError:
        raise InvalidInput.single(
            "author.birth_date", "date-format", N_("Saisissez une date de naissance réelle.")
        ) from None


def parse(values: Mapping[str, str]) -> AdvanceDirectives:
    """The directives the form describes (not validated: the model does that)."""
    treatments = tuple(
        TreatmentWish(treatment.value, values.get(f"treatments.{treatment.value}", ""))
        for treatment in TREATMENT_LABELS
        if values.get(f"treatments.{treatment.value}", NOT_STATED) not in ("", NOT_STATED)
    )
    trusted = [values.get(f"trusted_person.{n}", "").strip() for n in ("name", "phone", "email")]
    witnesses = tuple(
        Witness(
            name=values.get(f"witnesses.{i}.name", ""),
            capacity=values.get(f"witnesses.{i}.capacity", ""),
            is_trusted_person=bool(values.get(f"witnesses.{i}.is_trusted_person")),
        )
        for i in (0, 1)
        if values.get(f"witnesses.{i}.name", "").strip()
        or values.get(f"witnesses.{i}.capacity", "").strip()
    )
    return AdvanceDirectives(
        author=Author(
            surname=values.get("author.surname", ""),
            first_names=values.get("author.first_names", ""),
            birth_date=_birth_date(values),
            birth_place=values.get("author.birth_place", ""),
        ),
        situation=values.get("situation", ""),
        foreseen_situations=values.get("foreseen_situations", ""),
        treatments=treatments,
        other_treatments=values.get("other_treatments", ""),
        sedation=values.get("sedation") or None,
        other_wishes=values.get("other_wishes", ""),
        trusted_person=TrustedPersonMention(*trusted) if any(trusted) else None,
        author_can_write=not values.get("author_cannot_write"),
        witnesses=witnesses,
        protected_adult_authorisation=ProtectedAdultAuthorisation(
            authorised=True,
            authority=values.get("protected_adult_authorisation.authority", ""),
            reference=values.get("protected_adult_authorisation.reference", ""),
        )
        if values.get("protected_adult")
        else None,
        place=values.get("place", ""),
    )


def values_from(directives: AdvanceDirectives) -> dict[str, str]:
    """The form's values for existing directives (to write a new version from them)."""
    author = directives.author
    birth = author.birth_date
    values = {
        "author.surname": author.surname,
        "author.first_names": author.first_names,
        "author.birth_day": f"{birth.day:02d}" if birth else "",
        "author.birth_month": f"{birth.month:02d}" if birth else "",
        "author.birth_year": str(birth.year) if birth else "",
        "author.birth_place": author.birth_place,
        "situation": directives.situation,
        "foreseen_situations": directives.foreseen_situations,
        "other_treatments": directives.other_treatments,
        "sedation": directives.sedation or "",
        "other_wishes": directives.other_wishes,
        "place": directives.place,
    }
    for treatment in TREATMENT_LABELS:
        values[f"treatments.{treatment.value}"] = NOT_STATED
    for wish in directives.treatments:
        values[f"treatments.{wish.treatment}"] = wish.choice
    if directives.trusted_person is not None:
        values["trusted_person.name"] = directives.trusted_person.name
        values["trusted_person.phone"] = directives.trusted_person.phone
        values["trusted_person.email"] = directives.trusted_person.email
    authorisation = directives.protected_adult_authorisation
    if authorisation is not None:
        values["protected_adult"] = "1"
        values["protected_adult_authorisation.authority"] = authorisation.authority
        values["protected_adult_authorisation.reference"] = authorisation.reference
    return values


def _answer_errors(directives: AdvanceDirectives, now: dt.datetime) -> list[FieldError]:
    """The first step's problems (signing comes next)."""
    return [
        error for error in directives.errors(now=now) if not error.field.startswith(SIGNING_STEP)
    ]


# --- Pages ---------------------------------------------------------------------------------


def _overview_context(web: Web, record: RecordPage) -> dict[str, Any]:
    seen = advance.read(record.access)
    base = f"/records/{record.patient_id}/directives"
    entries = [
        {
            "number": entry.row.number,
            "kind": web.gettext(KIND_LABELS[entry.row.kind]),
            "status": entry.status,
            "status_label": web.gettext(STATUS_LABELS[entry.status]),
            "date": entry.row.signed_at,
            "revoked_at": entry.row.revoked_at,
            "url": f"{base}/versions/{entry.row.number}",
        }
        for entry in reversed(seen.entries)
    ]
    latest = seen.latest
    return {
        "current": seen.current,
        "revoked_at": latest.signed_at if latest is not None and seen.revoked else None,
        "entries": entries,
        "may_write": advance.may_write(record.access),
        "base_url": base,
    }


@router.get("/records/{patient_id}/directives")
def directives_page(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    context = _overview_context(web, record)
    return web.render("records/directives.html", title=PAGE_TITLE, **context, **record.context())


def _form_context(web: Web, record: RecordPage) -> dict[str, Any]:
    def _(message: str) -> str:
        return web.gettext(message)

    choices = [(NOT_STATED, _(N_("Je ne me prononce pas")), None)] + [
        (choice.value, _(label), None) for choice, label in CHOICE_LABELS.items()
    ]
    return {
        "action_url": f"/records/{record.patient_id}/directives/review",
        "back_url": f"/records/{record.patient_id}/directives",
        "situation_options": [(s.value, _(label), None) for s, label in SITUATION_LABELS.items()],
        "treatments": [(t.value, _(label)) for t, label in TREATMENT_LABELS.items()],
        "choice_options": choices,
        "sedation_options": [(s.value, _(label), None) for s, label in SEDATION_LABELS.items()],
        "authority_options": [(a.value, _(label), None) for a, label in AUTHORITY_LABELS.items()],
        **record.context(),
    }


def _show_form(
    web: Web,
    record: RecordPage,
    values: Mapping[str, str],
    error: DomainError | None = None,
) -> Response:
    context = _form_context(web, record)
    if error is not None:
        return web.form_error(
            "records/directives_form.html",
            error,
            title=FORM_TITLE,
            values=values,
            fields=RENAMED,
            **context,
        )
    return web.render("records/directives_form.html", title=FORM_TITLE, values=values, **context)


@router.get("/records/{patient_id}/directives/new")
def new_form(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    advance.require_author(record.access)
    seen = advance.read(record.access)
    values: dict[str, str] = {}
    if seen.current is not None:
        answers = advance.open_answers(record.access, storage(web), seen.current)
        if answers is not None:
            values = values_from(answers[0])
    if not values:
        values = values_from(
            AdvanceDirectives(author=advance.identity_of(record.access), situation="")
        )
    return _show_form(web, record, values)


@router.post("/records/{patient_id}/directives/new")
def back_to_form(web: WebFormDep, patient_id: str, form: FormDep) -> Response:
    """« Modifier mes réponses » from the review page: the form again, as it was filled."""
    record = record_page(web, patient_id)
    advance.require_author(record.access)
    return _show_form(web, record, values_of(form, ANSWER_FIELDS + SIGNING_FIELDS))


def _review(
    web: Web,
    record: RecordPage,
    values: Mapping[str, str],
    directives: AdvanceDirectives,
    error: DomainError | None = None,
) -> Response:
    view = build_view(directives, language=web.language, gettext=web.gettext)
    context = {
        "view": view,
        "answers": {name: values.get(name, "") for name in ANSWER_FIELDS},
        "action_url": f"/records/{record.patient_id}/directives/sign",
        "edit_url": f"/records/{record.patient_id}/directives/new",
        "back_url": f"/records/{record.patient_id}/directives",
        "display_name": directives.author.display_name,
        **record.context(),
    }
    if error is not None:
        return web.form_error(
            "records/directives_review.html",
            error,
            title=REVIEW_TITLE,
            values=values,
            fields=RENAMED,
            **context,
        )
    return web.render(
        "records/directives_review.html", title=REVIEW_TITLE, values=values, **context
    )


@router.post("/records/{patient_id}/directives/review")
def review(web: WebFormDep, patient_id: str, form: FormDep) -> Response:
    record = record_page(web, patient_id)
    advance.require_author(record.access)
    values = values_of(form)
    try:
        directives = parse(values)
        errors = _answer_errors(directives, record.access.clock.now())
        if errors:
            raise InvalidInput(errors=errors)
    except DomainError as exc:
        return _show_form(web, record, values, exc)
    return _review(web, record, values, directives)


def _upload(form: Mapping[str, Any], name: str) -> UploadFile | None:
    value = form.get(name)
    if isinstance(value, UploadFile) and value.filename:
        return value
    return None


@router.post("/records/{patient_id}/directives/sign")
def sign(web: WebFormDep, patient_id: str, form: FormDep) -> Response:
    record = record_page(web, patient_id)
    advance.require_author(record.access)
    values = values_of(form, ANSWER_FIELDS + SIGNING_FIELDS)
    password = form.get("password")
    drawing_file = _upload(form, "drawing")
    try:
        directives = parse(values)
    except DomainError as exc:
        return _show_form(web, record, values, exc)
    try:
        drawing = drawing_file.file.read(advance.MAX_DRAWING_BYTES + 1) if drawing_file else None
        signed = advance.prepare(
            record.access, directives, typed_name=values["typed_name"], drawing=drawing
        )
    except DomainError as exc:
        if isinstance(exc, InvalidInput) and any(
            not e.field.startswith(SIGNING_STEP) and e.field != "drawing" for e in exc.errors
        ):
            return _show_form(web, record, values, exc)
        return _review(web, record, values, directives, exc)
    proof = advance.reauthenticate(
        record.access, web.security, password if isinstance(password, str) else ""
    )
    if isinstance(proof, DomainError):
        return _review(web, record, values, directives, proof)  # the failure is committed
    try:
        with web.db.begin_nested():
            row = advance.sign(
                record.access,
                storage(web),
                proof,
                signed,
                typed_name=values["typed_name"],
                drawing=drawing,
            )
    except DomainError as exc:
        return _review(web, record, values, directives, exc)
    web.flash(
        N_("Vos directives anticipées sont signées et enregistrées (version %(number)s)."),
        number=row.number,
    )
    return web.redirect(f"/records/{record.patient_id}/directives")


# --- Scan -------------------------------------------------------------------------------------


def _scan_form(web: Web, record: RecordPage, error: DomainError | None = None) -> Response:
    context = {
        "action_url": f"/records/{record.patient_id}/directives/scan",
        "back_url": f"/records/{record.patient_id}/directives",
        "max_mb": web.container.settings.max_document_mb,
        **record.context(),
    }
    if error is not None:
        return web.form_error("records/directives_scan.html", error, title=SCAN_TITLE, **context)
    return web.render("records/directives_scan.html", title=SCAN_TITLE, **context)


@router.get("/records/{patient_id}/directives/scan")
def scan_form(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    advance.require_author(record.access)
    return _scan_form(web, record)


def _chunks(upload: UploadFile) -> Iterator[bytes]:
    while chunk := upload.file.read(64 * 1024):
        yield chunk


@router.post("/records/{patient_id}/directives/scan")
def scan_submit(web: WebFormDep, patient_id: str, form: FormDep) -> Response:
    record = record_page(web, patient_id)
    advance.require_author(record.access)
    file = _upload(form, "file")
    password = form.get("password")
    if file is None:
        return _scan_form(
            web,
            record,
            InvalidInput.single("file", "required", N_("Choisissez le fichier à déposer.")),
        )
    if content.normalise_mime(file.content_type) not in advance.SCAN_TYPES:
        return _scan_form(
            web,
            record,
            InvalidInput.single("file", "file-type", advance.SCAN_TYPE_REFUSED),
        )
    proof = advance.reauthenticate(
        record.access, web.security, password if isinstance(password, str) else ""
    )
    if isinstance(proof, DomainError):
        return _scan_form(web, record, proof)
    try:
        with web.db.begin_nested():
            row = advance.file_scan(
                record.access,
                storage(web),
                proof,
                mime=file.content_type or "",
                chunks=_chunks(file),
            )
    except DomainError as exc:
        return _scan_form(web, record, exc)
    web.flash(
        N_("Vos directives signées sont enregistrées (version %(number)s)."), number=row.number
    )
    return web.redirect(f"/records/{record.patient_id}/directives")


# --- Revocation -------------------------------------------------------------------------------


@router.get("/records/{patient_id}/directives/revoke")
def revoke_confirm(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    advance.require_author(record.access)
    return web.render(
        "records/confirm.html",
        title=REVOKE_TITLE,
        lead=web.gettext(N_("Vos directives anticipées ne seront plus en vigueur.")),
        message=N_(
            "Les professionnels verront que vous les avez révoquées ; les versions précédentes"
            " restent dans l'historique. Vous pourrez en rédiger de nouvelles à tout moment."
        ),
        action_url=f"/records/{record.patient_id}/directives/revoke",
        fields={},
        button=N_("Révoquer mes directives"),
        warning=True,
        back_url=f"/records/{record.patient_id}/directives",
        back_label=N_("Annuler et revenir à mes directives"),
        **record.context(),
    )


@router.post("/records/{patient_id}/directives/revoke")
def revoke_submit(web: WebFormDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    advance.revoke(record.access, storage(web))
    web.flash(N_("Vos directives anticipées sont révoquées."))
    return web.redirect(f"/records/{record.patient_id}/directives")


# --- Documents --------------------------------------------------------------------------------


@router.get("/records/{patient_id}/directives/versions/{number}")
def version_content(web: WebDep, patient_id: str, number: int) -> Response:
    record = record_page(web, patient_id)
    row, chunks = advance.open_version(record.access, storage(web), number)
    web.db.commit()
    extension = {content.PDF: "pdf", content.JPEG: "jpg", content.PNG: "png"}
    filename = f"directives-anticipees-v{number}.{extension.get(row.mime_type, 'bin')}"
    return StreamingResponse(
        chunks,
        media_type=row.mime_type,
        headers={
            "Content-Length": str(row.size),
            "Content-Disposition": f'inline; filename="{filename}"',
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "Cache-Control": "no-store",
        },
    )
