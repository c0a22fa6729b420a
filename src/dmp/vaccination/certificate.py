"""The vaccination certificate: a PDF of the doses the reader may see, verified ones marked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import jinja2

from dmp.records import presenters
from dmp.shared import pdf
from dmp.shared.i18n import format_date, format_datetime
from dmp.vaccination.orm import VaccinationRow

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )


def render_pdf(
    *,
    patient_name: str,
    birth_date: dt.date,
    rows: Sequence[VaccinationRow],
    authors: presenters.Authors,
    vaccine_label: Callable[[str], str],
    generated_at: dt.datetime,
    language: str,
    gettext: Callable[..., str],
) -> bytes:
    doses = [
        {
            "vaccine": vaccine_label(row.vaccine_code),
            "product": row.product or "",
            "dose": row.dose_number,
            "date": format_date(row.given_on, language),
            "lot": row.lot or "",
            "by": row.administered_by or (authors.of(row).name if row.verified else ""),
            "verified": row.verified,
        }
        for row in rows
    ]
    html = (
        _environment()
        .get_template("certificate.html")
        .render(
            _=gettext,
            language=language,
            patient_name=patient_name,
            birth_date=format_date(birth_date, language),
            generated_at=format_datetime(generated_at, language),
            doses=doses,
        )
    )
    return pdf.render_pdf(html)
