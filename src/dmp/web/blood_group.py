"""Blood-group card pages: the card, entering or correcting it, its versions, masking and
deleting it, the printable wallet card, and the public page its QR code leads to."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from dmp.access.policy import Action
from dmp.bloodgroup import display, services
from dmp.bloodgroup.model import BloodGroupInput, Phenotype
from dmp.bloodgroup.orm import BloodGroupRow
from dmp.bloodgroup.services import CardStatus
from dmp.records import items, presenters
from dmp.records.items import item_facts
from dmp.shared.errors import N_, Conflict, DomainError, FieldError, InvalidInput, NotFound
from dmp.web.context import Web, WebDep, WebFormDep
from dmp.web.record_common import RecordPage, record_page

router = APIRouter()

CARD_TITLE = N_("Groupe sanguin")
NEW_TITLE = N_("Saisir la carte de groupe sanguin")
EDIT_TITLE = N_("Mettre à jour la carte de groupe sanguin")
VERSIONS_TITLE = N_("Versions de la carte de groupe sanguin")
VERIFY_TITLE = N_("Vérification d'une carte de groupe sanguin")

ANTIGENS = (
    ("big_c", N_("Antigène C (RH2)")),
    ("little_c", N_("Antigène c (RH4)")),
    ("big_e", N_("Antigène E (RH3)")),
    ("little_e", N_("Antigène e (RH5)")),
    ("kell", N_("Antigène Kell (K, KEL1)")),
)
DATE_FIELDS = ("rai_date", "first_determination", "second_determination")
TEXT_FIELDS = ("laboratory", "biologist", "rai_specificity")


def _base(record: RecordPage) -> str:
    return f"/records/{record.patient_id}/blood-group"


def _phenotype_rows(phenotype: Phenotype | None) -> list[tuple[str, bool]]:
    if phenotype is None:
        return []
    return [(label, bool(getattr(phenotype, name))) for name, label in ANTIGENS]


def _view(web: Web, row: BloodGroupRow, authors: presenters.Authors) -> dict[str, Any]:
    """A card's values in words, for the pages."""
    card = row.card()
    screen = card.antibody_screen
    return {
        "row": row,
        "group": display.format_group(card.abo, card.rhd),
        "group_words": display.describe_group(card.abo, card.rhd, web.gettext),
        "phenotype": display.format_phenotype(card.phenotype) if card.phenotype else None,
        "rh_kel": display.format_rh_kel(card.rhd, card.phenotype) if card.phenotype else None,
        "antigens": _phenotype_rows(card.phenotype),
        "screen": display.describe_screen(screen, web.gettext) if screen else None,
        "screen_date": screen.performed_on if screen else None,
        "source": display.describe_source(card.source, web.gettext),
        "author": authors.of(row),
    }


@router.get("/records/{patient_id}/blood-group")
def card_page(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    row = services.current(record.access)
    access = record.access
    facts = item_facts(row) if row is not None else None
    return web.render(
        "records/blood_group.html",
        title=CARD_TITLE,
        card=_view(web, row, presenters.Authors(web.db, [row])) if row else None,
        can_record=services.may_replace(access, row),
        can_delete=facts is not None and access.decide(Action.document_manage, facts).allowed,
        can_mask=facts is not None and access.decide(Action.document_mask, facts).allowed,
        **record.context(),
    )


@router.get("/records/{patient_id}/blood-group/versions")
def versions_page(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    rows = services.versions(record.access)
    authors = presenters.Authors(web.db, rows)
    return web.render(
        "records/blood_group_versions.html",
        title=VERSIONS_TITLE,
        versions=[_view(web, row, authors) for row in reversed(rows)],
        status_labels=presenters.STATUS_LABELS,
        **record.context(),
    )


@router.get("/records/{patient_id}/blood-group/card.pdf")
def card_pdf(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    pdf = services.card_pdf(
        record.access,
        keys=web.container.security.keys,
        base_url=web.container.settings.public_base(str(web.request.base_url)),
        language=web.language,
        gettext=web.gettext,
    )
    web.db.commit()  # the print is audited even if the download is interrupted
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'inline; filename="carte-groupe-sanguin.pdf"',
            "Cache-Control": "no-store",
        },
    )


# --- Entering and correcting ---------------------------------------------------------------


def _flag(value: bool | None) -> str:
    return "" if value is None else ("present" if value else "absent")


def _values(row: BloodGroupRow) -> dict[str, str]:
    data = row.as_input()
    values = {
        "abo": data.abo or "",
        "rhd": data.rhd or "",
        "rare_phenotype": "1" if data.rare_phenotype else "",
        "rai_result": data.rai_result or "",
        "rai_unidentified": "1" if data.rai_unidentified else "",
    }
    for name, _label in ANTIGENS:
        values[name] = _flag(getattr(data, name))
    for name in DATE_FIELDS:
        day = getattr(data, name)
        values[name] = day.isoformat() if day else ""
    for name in TEXT_FIELDS:
        values[name] = getattr(data, name) or ""
    return values


def _prefill(record: RecordPage, row: BloodGroupRow | None) -> bool:
    """Correcting one's own card starts from its values; replacing someone else's starts blank
    (a professional must copy a laboratory result, not confirm a declaration)."""
    if row is None:
        return False
    if record.is_holder_side:
        return row.author_patient_id is not None
    return row.author_professional_id == record.access.actor.professional_id


def _form(
    web: Web,
    record: RecordPage,
    row: BloodGroupRow | None,
    *,
    values: dict[str, Any],
    error: DomainError | None = None,
) -> Response:
    title = web.gettext(EDIT_TITLE if row is not None else NEW_TITLE)
    presence = [
        ("", web.gettext(N_("Non indiqué")), None),
        ("present", web.gettext(N_("Présent (+)")), None),
        ("absent", web.gettext(N_("Absent (−)")), None),
    ]
    context = {
        "action_url": f"{_base(record)}/edit",
        "antigens": [(name, web.gettext(label)) for name, label in ANTIGENS],
        "presence": presence,
        "replacing": row is not None,
        **record.context(),
    }
    if error is not None:
        return web.form_error(
            "records/blood_group_form.html", error, title=title, values=values, **context
        )
    return web.render("records/blood_group_form.html", title=title, values=values, **context)


def _visible(record: RecordPage) -> BloodGroupRow | None:
    """The card as this caller sees it (no audit: the form page does not show a card)."""
    rows = items.current_items(record.access, BloodGroupRow)
    return rows[-1] if rows else None


@router.get("/records/{patient_id}/blood-group/edit")
def edit_form(web: WebDep, patient_id: str) -> Response:
    record = record_page(web, patient_id)
    record.access.require(Action.document_create)
    row = _visible(record)
    if not services.may_replace(record.access, row):
        raise Conflict(services.VERIFIED_CARD, code="verified-card")
    values = _values(row) if row is not None and _prefill(record, row) else {}
    if row is not None:
        values["current"] = row.etag
    return _form(web, record, row, values=values)


def _date(name: str, value: str, errors: list[FieldError]) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        errors.append(FieldError(name, "date-format", N_("Saisissez une date réelle.")))
        return None


def _antigen(value: str) -> bool | None:
    return {"present": True, "absent": False}.get(value)


Text = Annotated[str, Form(max_length=300)]


@router.post("/records/{patient_id}/blood-group/edit")
def edit_submit(
    web: WebFormDep,
    patient_id: str,
    abo: Text = "",
    rhd: Text = "",
    big_c: Text = "",
    little_c: Text = "",
    big_e: Text = "",
    little_e: Text = "",
    kell: Text = "",
    rare_phenotype: Text = "",
    rai_date: Text = "",
    rai_result: Text = "",
    rai_specificity: Text = "",
    rai_unidentified: Text = "",
    laboratory: Text = "",
    biologist: Text = "",
    first_determination: Text = "",
    second_determination: Text = "",
    current: Text = "",
) -> Response:
    record = record_page(web, patient_id)
    values = {
        "abo": abo,
        "rhd": rhd,
        "big_c": big_c,
        "little_c": little_c,
        "big_e": big_e,
        "little_e": little_e,
        "kell": kell,
        "rare_phenotype": rare_phenotype,
        "rai_date": rai_date,
        "rai_result": rai_result,
        "rai_specificity": rai_specificity,
        "rai_unidentified": rai_unidentified,
        "laboratory": laboratory,
        "biologist": biologist,
        "first_determination": first_determination,
        "second_determination": second_determination,
        "current": current,
    }
    date_errors: list[FieldError] = []
    days = {name: _date(name, values[name], date_errors) for name in DATE_FIELDS}
    data = BloodGroupInput(
        abo=abo,
        rhd=rhd,
        source=None,
        big_c=_antigen(big_c),
        little_c=_antigen(little_c),
        big_e=_antigen(big_e),
        little_e=_antigen(little_e),
        kell=_antigen(kell),
        rare_phenotype=bool(rare_phenotype),
        rai_date=days["rai_date"],
        rai_result=rai_result or None,
        rai_specificity=rai_specificity or None,
        rai_unidentified=bool(rai_unidentified),
        laboratory=laboratory or None,
        biologist=biologist or None,
        first_determination=days["first_determination"],
        second_determination=days["second_determination"],
    )
    try:
        with web.db.begin_nested():
            try:
                row = services.record(record.access, data, expected=current or None)
            except InvalidInput as exc:
                if not date_errors:
                    raise
                # A mistyped date is reported with the rest, instead of what follows from it
                # (a date said to be missing).
                mistyped = {e.field for e in date_errors}
                rest = [e for e in exc.errors if e.field not in mistyped]
                raise InvalidInput(errors=[*date_errors, *rest]) from exc
            if date_errors:
                raise InvalidInput(errors=date_errors)
    except DomainError as exc:
        return _form(web, record, _visible(record), values=values, error=exc)
    web.flash(
        N_("La carte de groupe sanguin est enregistrée ; imprimez-la de nouveau si besoin.")
        if row.series_number > 1
        else N_("La carte de groupe sanguin est enregistrée.")
    )
    return web.redirect(_base(record))


# --- Deleting and masking ------------------------------------------------------------------


def _confirm(web: Web, record: RecordPage, row: BloodGroupRow, **context: Any) -> Response:
    card = row.card()
    return web.render(
        "records/confirm.html",
        row=row,
        lead=web.gettext(CARD_TITLE) + " : " + display.format_group(card.abo, card.rhd),
        back_url=_base(record),
        back_label=N_("Annuler et revenir à la carte de groupe sanguin"),
        **context,
        **record.context(),
    )


def _managed(web: Web, patient_id: str, action: Action) -> tuple[RecordPage, BloodGroupRow]:
    record = record_page(web, patient_id)
    row = _visible(record)
    record.access.require(Action.documents_list)
    if row is None or not record.access.decide(action, item_facts(row)).allowed:
        raise NotFound(services.NO_CARD, code="no-blood-group-card")
    return record, row


@router.get("/records/{patient_id}/blood-group/delete")
def delete_confirm(web: WebDep, patient_id: str) -> Response:
    record, row = _managed(web, patient_id, Action.document_manage)
    return _confirm(
        web,
        record,
        row,
        title=N_("Supprimer la carte de groupe sanguin"),
        message=N_(
            "Elle n'apparaîtra plus dans le dossier et les cartes imprimées ne seront plus"
            " reconnues comme à jour ; elle reste dans l'historique des modifications."
        ),
        action_url=f"{_base(record)}/delete",
        fields={"current": row.etag},
        button=N_("Supprimer"),
        warning=True,
    )


@router.post("/records/{patient_id}/blood-group/delete")
def delete_submit(web: WebFormDep, patient_id: str, current: Text = "") -> Response:
    record, _row = _managed(web, patient_id, Action.document_manage)
    services.delete(record.access, expected=current or None)
    web.flash(N_("La carte de groupe sanguin est supprimée."))
    return web.redirect(_base(record))


@router.get("/records/{patient_id}/blood-group/mask")
def mask_confirm(web: WebDep, patient_id: str) -> Response:
    record, row = _managed(web, patient_id, Action.document_mask)
    return _confirm(
        web,
        record,
        row,
        title=N_("Ne plus masquer la carte de groupe sanguin")
        if row.masked
        else N_("Masquer la carte de groupe sanguin aux professionnels"),
        message=N_(
            "Les professionnels que vous avez autorisés pourront de nouveau la voir. Imprimez"
            " ensuite une nouvelle carte : l'ancienne ne sera plus reconnue comme à jour."
        )
        if row.masked
        else N_(
            "Les professionnels ne la verront plus, sauf son auteur, votre médecin traitant et"
            " les professionnels à qui vous avez donné les mêmes droits. Les cartes imprimées"
            " ne seront plus reconnues comme à jour."
        ),
        action_url=f"{_base(record)}/mask",
        fields={"masked": "" if row.masked else "1"},
        button=N_("Ne plus masquer") if row.masked else N_("Masquer"),
        warning=not row.masked,
    )


@router.post("/records/{patient_id}/blood-group/mask")
def mask_submit(web: WebFormDep, patient_id: str, masked: Text = "") -> Response:
    record, _row = _managed(web, patient_id, Action.document_mask)
    services.set_masked(record.access, bool(masked))
    web.flash(
        N_("La carte de groupe sanguin est masquée aux professionnels.")
        if masked
        else N_("La carte de groupe sanguin n'est plus masquée.")
    )
    return web.redirect(_base(record))


# --- The public verification page ------------------------------------------------------------


@router.get(services.VERIFY_PATH + "/{token}")
def verify_page(web: WebDep, token: str) -> Response:
    """No login: whoever holds the printed card (a nurse, a laboratory) checks it here."""
    result = services.verify_token(
        web.db, web.container.clock, web.container.security.keys, token[:100], web.ctx
    )
    card = result.card
    response = web.render(
        "records/blood_group_verify.html",
        title=VERIFY_TITLE,
        status_code=404 if result.status is CardStatus.invalid else 200,
        result=result,
        group=display.format_group(card.abo, card.rhd) if card else None,
        group_words=display.describe_group(card.abo, card.rhd, web.gettext) if card else None,
        phenotype=display.format_phenotype(card.phenotype) if card and card.phenotype else None,
        antigens=_phenotype_rows(card.phenotype) if card else [],
        source=display.describe_source(card.source, web.gettext) if card else None,
    )
    # The token is the whole secret of the link: never cached, never sent on as a referrer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
