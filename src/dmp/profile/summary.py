"""The "Synthèse" of the medical profile: a PDF of what the reader may see, on request,
filed in the record as a patient document (DOCPAT08, "Profil médical Mon espace santé")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from dmp.access.policy import Action
from dmp.access.services import Access, patient_of
from dmp.audit.model import AuditAction
from dmp.profile import services
from dmp.profile.model import CATEGORIES
from dmp.profile.orm import ProfileEntryRow
from dmp.profile.presenters import describe, details_of
from dmp.records import documents, presenters
from dmp.records.orm import DocumentRow
from dmp.shared import pdf
from dmp.shared.errors import N_, InvalidInput
from dmp.shared.i18n import format_date, format_datetime

SUMMARY_TYPE = "DOCPAT08"
TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def render_pdf(
    *,
    patient_name: str,
    birth_date: dt.date,
    rows: Sequence[ProfileEntryRow],
    authors: presenters.Authors,
    generated_at: dt.datetime,
    language: str,
    gettext: Callable[..., str],
) -> bytes:

    sections: list[dict[str, Any]] = []
    for category in CATEGORIES.values():
        entries = []
        for row in rows:
            if row.category != category.code:
                continue
            author = authors.of(row)
            source = (
                gettext(N_("Déclaré par le patient")) if row.declared_by_patient else author.name
            )
            details = [value for _label, value in details_of(row, gettext)][len(category.summary) :]
            entries.append(
                {
                    "text": describe(row, gettext),
                    "details": ", ".join(details),
                    "source": f"{source} — {format_date(row.created_at.date(), language)}",
                }
            )
        sections.append({"label": gettext(category.label), "entries": entries})
    html = (
        _environment()
        .get_template("summary.html")
        .render(
            _=gettext,
            language=language,
            patient_name=patient_name,
            birth_date=format_date(birth_date, language),
            generated_at=format_datetime(generated_at, language),
            sections=sections,
        )
    )
    return pdf.render_pdf(html)


def file_summary(
    access: Access,
    storage: documents.Storage,
    *,
    language: str,
    gettext: Callable[..., str],
) -> DocumentRow:
    """Produce the summary and file it as the holder's own document (the holder's side
    asks for it; what it holds is exactly what that reader sees of the profile)."""
    if access.actor.professional_id is not None:
        raise InvalidInput.single(
            "summary",
            "holder-only",
            N_("La synthèse est produite à la demande du patient ou de son représentant."),
        )
    mode = access.require(Action.document_create)
    rows = services.entries(access)
    patient = patient_of(access.session, access.patient_id)
    now = access.clock.now()
    content = render_pdf(
        patient_name=patient.display_name,
        birth_date=patient.birth_date,
        rows=rows,
        authors=presenters.Authors(access.session, rows),
        generated_at=now,
        language=language,
        gettext=gettext,
    )
    title = gettext(
        N_("Synthèse de mon profil médical du %(date)s"), date=format_date(now.date(), language)
    )
    row = documents.file_document(
        access,
        storage,
        documents.DocumentInput(
            title=title,
            type_code=SUMMARY_TYPE,
            mime_type="application/pdf",
            comments=gettext(N_("Produite par dmp à partir du profil médical.")),
        ),
        iter([content]),
    )
    access.audit(
        AuditAction.RecordProfileSummary,
        mode,
        target=f"DocumentReference/{row.id}",
        details={"entries": str(len(rows))},
    )
    return row
