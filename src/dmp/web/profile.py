"""The medical profile pages: entries by category, adding and correcting, history, masking."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dmp.access.policy import Action
from dmp.profile import services, summary
from dmp.profile.model import CATEGORIES, MEASUREMENTS, Category
from dmp.profile.orm import ProfileEntryRow
from dmp.profile.presenters import describe, details_of
from dmp.records import items, presenters
from dmp.records.items import item_facts
from dmp.shared.errors import N_, DomainError, NotFound
from dmp.web.context import Web, WebDep, WebFormDep
from dmp.web.record_common import RecordPage, parse_id, record_page, storage

router = APIRouter()

PROFILE_TITLE = N_("Profil médical")
ADD_TITLE = N_("Ajouter : %(what)s")
EDIT_TITLE = N_("Corriger : %(what)s")
ENTRY_TITLE = N_("Information du profil médical")


def _sections(record: RecordPage, rows: list[ProfileEntryRow], web: Web) -> list[dict[str, Any]]:
    authors = presenters.Authors(web.db, rows)
    can_add = record.access.decide(Action.document_create).allowed
    sections = []
    for category in CATEGORIES.values():
        entries = [r for r in rows if r.category == category.code]
        if category.code == "measurement":
            entries.sort(key=lambda r: str(r.values.get("measured_on", "")), reverse=True)
        sections.append(
            {
                "category": category,
                "entries": [
                    {
                        "row": row,
                        "text": describe(row, web.gettext),
                        "author": authors.of(row),
                    }
                    for row in entries
                ],
                "can_add": can_add,
            }
        )
    return sections


@router.get("/records/{patient_id}/profile")
def profile_page(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    rows = services.entries(record.access)
    return web.render(
        "records/profile.html",
        title=PROFILE_TITLE,
        sections=_sections(record, rows, web),
        can_summarise=record.is_holder_side
        and record.access.decide(Action.document_create).allowed,
        **record.context(),
    )


def _category(code: str | None) -> Category:
    category = CATEGORIES.get(code or "")
    if category is None:
        raise NotFound(N_("Cette page n'existe pas."), code="not-found")
    return category


def _form(
    web: Web,
    record: RecordPage,
    category: Category,
    *,
    values: dict[str, Any],
    action_url: str,
    title: str,
    error: DomainError | None = None,
) -> Response:
    context: dict[str, Any] = {
        "category": category,
        "action_url": action_url,
        "measurement_units": {code: unit for code, (_l, unit, _lo, _hi) in MEASUREMENTS.items()},
        "can_hide_from_representatives": not record.is_holder_side,
        **record.context(),
    }
    what = web.gettext(category.singular).lower()
    if error is not None:
        return web.form_error(
            "records/profile_form.html",
            error,
            title=web.gettext(title, what=what),
            values=values,
            **context,
        )
    return web.render(
        "records/profile_form.html", title=web.gettext(title, what=what), values=values, **context
    )


async def _submitted(request: Request, category: Category) -> dict[str, str]:
    form = await request.form()
    names = {spec.name for spec in category.fields} | {"invisible_to_representatives"}
    return {name: str(form.get(name) or "")[:4000] for name in names if form.get(name) is not None}


@router.post("/records/{patient_id}/profile/summary")
def summary_submit(web: WebFormDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    row = summary.file_summary(
        record.access, storage(web), language=web.language, gettext=web.gettext
    )
    web.flash(N_("La synthèse de votre profil médical est ajoutée à vos documents."))
    return web.redirect(f"/records/{record.patient_id}/documents/{row.id}")


@router.get("/records/{patient_id}/profile/new")
def add_form(web: WebDep, patient_id: str, category: str | None = None) -> Response:
    record = record_page(web, patient_id)
    record.access.require(Action.document_create)
    chosen = _category(category)
    return _form(
        web,
        record,
        chosen,
        values={},
        action_url=f"/records/{record.patient_id}/profile/new?category={chosen.code}",
        title=ADD_TITLE,
    )


@router.post("/records/{patient_id}/profile/new")
async def add_submit(
    web: WebFormDep, request: Request, patient_id: str, category: str | None = None
) -> Response:
    record = record_page(web, patient_id)
    chosen = _category(category)
    submitted = await _submitted(request, chosen)
    hidden = submitted.pop("invisible_to_representatives", "")
    try:
        with web.db.begin_nested():
            row = services.add(
                record.access,
                chosen.code,
                {k: v for k, v in submitted.items() if v.strip()},
                invisible_to_representatives=bool(hidden) and not record.is_holder_side,
            )
    except DomainError as exc:
        return _form(
            web,
            record,
            chosen,
            values={**submitted, "invisible_to_representatives": hidden},
            action_url=f"/records/{record.patient_id}/profile/new?category={chosen.code}",
            title=ADD_TITLE,
            error=exc,
        )
    web.flash(N_("L'information est ajoutée à votre profil médical."))
    return web.redirect(f"/records/{record.patient_id}/profile#{row.category}")


def _entry(
    web: Web, patient_id: str, entry_id: str, action: Action = Action.document_read
) -> tuple[RecordPage, ProfileEntryRow]:
    record = record_page(web, patient_id)
    row = services.get(record.access, parse_id(entry_id), action)
    return record, row


@router.get("/records/{patient_id}/profile/{entry_id}")
def entry_page(web: WebDep, patient_id: str, entry_id: str) -> Response:
    record, row = _entry(web, patient_id, entry_id)
    access = record.access
    versions = items.versions_of(access, ProfileEntryRow, row)
    authors = presenters.Authors(web.db, versions)
    facts = item_facts(row)
    current = row.status == "approved"
    return web.render(
        "records/profile_entry.html",
        title=ENTRY_TITLE,
        row=row,
        category=CATEGORIES[row.category],
        text=describe(row, web.gettext),
        details=details_of(row, web.gettext),
        author=authors.of(row),
        versions=[
            {"row": v, "text": describe(v, web.gettext), "author": authors.of(v)} for v in versions
        ],
        can_manage=current and access.decide(Action.document_manage, facts).allowed,
        can_mask=current and access.decide(Action.document_mask, facts).allowed,
        **record.context(),
    )


@router.get("/records/{patient_id}/profile/{entry_id}/edit")
def edit_form(web: WebDep, patient_id: str, entry_id: str) -> Response:
    record, row = _entry(web, patient_id, entry_id, Action.document_manage)
    category = CATEGORIES[row.category]
    values = {k: (f"{v:g}" if isinstance(v, float) else str(v)) for k, v in row.values.items()}
    return _form(
        web,
        record,
        category,
        values={**values, "version": str(row.version)},
        action_url=f"/records/{record.patient_id}/profile/{row.id}/edit",
        title=EDIT_TITLE,
    )


@router.post("/records/{patient_id}/profile/{entry_id}/edit")
async def edit_submit(
    web: WebFormDep, request: Request, patient_id: str, entry_id: str
) -> Response:
    record, row = _entry(web, patient_id, entry_id, Action.document_manage)
    category = CATEGORIES[row.category]
    submitted = await _submitted(request, category)
    submitted.pop("invisible_to_representatives", None)
    version = str((await request.form()).get("version") or "")
    try:
        with web.db.begin_nested():
            new = services.update(
                record.access,
                row.id,
                {k: v for k, v in submitted.items() if v.strip()},
                expected_version=int(version) if version.isdigit() else None,
            )
    except DomainError as exc:
        return _form(
            web,
            record,
            category,
            values={**submitted, "version": version},
            action_url=f"/records/{record.patient_id}/profile/{row.id}/edit",
            title=EDIT_TITLE,
            error=exc,
        )
    web.flash(N_("La correction est enregistrée ; la version précédente reste dans l'historique."))
    return web.redirect(f"/records/{record.patient_id}/profile/{new.id}")


def _confirm(web: Web, record: RecordPage, row: ProfileEntryRow, **context: Any) -> Response:
    return web.render(
        "records/confirm.html",
        row=row,
        lead=describe(row, web.gettext),
        back_url=f"/records/{record.patient_id}/profile/{row.id}",
        back_label=N_("Annuler et revenir à l'information"),
        **context,
        **record.context(),
    )


@router.get("/records/{patient_id}/profile/{entry_id}/delete")
def delete_confirm(web: WebDep, patient_id: str, entry_id: str) -> Response:
    record, row = _entry(web, patient_id, entry_id, Action.document_manage)
    return _confirm(
        web,
        record,
        row,
        title=N_("Supprimer cette information"),
        message=N_(
            "Elle n'apparaîtra plus dans le profil médical ; elle reste dans l'historique des"
            " modifications et dans le journal des accès."
        ),
        action_url=f"/records/{record.patient_id}/profile/{row.id}/delete",
        fields={"version": str(row.version)},
        button=N_("Supprimer"),
        warning=True,
    )


@router.post("/records/{patient_id}/profile/{entry_id}/delete")
async def delete_submit(
    web: WebFormDep, request: Request, patient_id: str, entry_id: str
) -> Response:
    record, row = _entry(web, patient_id, entry_id, Action.document_manage)
    version = str((await request.form()).get("version") or "")
    services.delete(
        record.access, row.id, expected_version=int(version) if version.isdigit() else None
    )
    web.flash(N_("L'information est supprimée."))
    return web.redirect(f"/records/{record.patient_id}/profile")


@router.get("/records/{patient_id}/profile/{entry_id}/mask")
def mask_confirm(web: WebDep, patient_id: str, entry_id: str) -> Response:
    record, row = _entry(web, patient_id, entry_id, Action.document_mask)
    return _confirm(
        web,
        record,
        row,
        title=N_("Ne plus masquer cette information")
        if row.masked
        else N_("Masquer cette information aux professionnels"),
        message=N_("Les professionnels que vous avez autorisés pourront de nouveau la voir.")
        if row.masked
        else N_(
            "Les professionnels ne la verront plus, sauf son auteur, votre médecin traitant et"
            " les professionnels à qui vous avez donné les mêmes droits."
        ),
        action_url=f"/records/{record.patient_id}/profile/{row.id}/mask",
        fields={"masked": "" if row.masked else "1"},
        button=N_("Ne plus masquer") if row.masked else N_("Masquer"),
        warning=not row.masked,
    )


@router.post("/records/{patient_id}/profile/{entry_id}/mask")
async def mask_submit(
    web: WebFormDep, request: Request, patient_id: str, entry_id: str
) -> Response:
    record, row = _entry(web, patient_id, entry_id, Action.document_mask)
    masked = bool((await request.form()).get("masked"))
    services.set_masked(record.access, row.id, masked)
    web.flash(
        N_("L'information est masquée aux professionnels.")
        if masked
        else N_("L'information n'est plus masquée.")
    )
    return web.redirect(f"/records/{record.patient_id}/profile/{row.id}")
