"""The printable wallet-size blood-group card: HTML from a Jinja2 template, PDF by WeasyPrint.

The PDF has two pages of exactly 85.6 × 54 mm (ISO/IEC 7810 ID-1, a bank card): page 1 is the
front, page 2 the back. Pages at the card's own size print at true size from any viewer ("actual
size" centres them on A4), feed card printers and duplex printers directly, and let each side be
checked on its own; a side-by-side sheet would need cutting guides and a fold.

Accessibility: the document language (``<html lang>``, PDF ``/Lang``), a title shown by viewers,
a tagged PDF (PDF/UA-1 variant, so screen readers get the reading order and the QR code's
alternative text), every value as real text, and black or white text on white or dark blue.

The QR code holds only the verification URL, whose token carries no medical data
(:mod:`dmp.bloodgroup.verification`); the same URL is printed under it.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import qrcode
import qrcode.constants
import qrcode.image.svg

from dmp.bloodgroup.display import (
    describe_group,
    describe_screen,
    describe_source,
    format_phenotype,
    format_rh1,
    format_rh_kel,
    format_rhd,
)
from dmp.bloodgroup.model import BloodGroupCard
from dmp.shared import pdf
from dmp.shared.i18n import LANGUAGES, format_date, translations

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
CARD_WIDTH_MM = 85.6
CARD_HEIGHT_MM = 54.0
# The standard four-module quiet zone: the card is small, but a scanner needs the margin more
# than the few millimetres it costs.
QR_BORDER = 4

Gettext = Callable[[str], str]


@dataclass(frozen=True)
class CardHolder:
    """Who the card belongs to, as printed: the name as it should read (e.g. ``Marie MARTIN``)."""

    name: str
    birth_date: dt.date


@cache
def _environment() -> jinja2.Environment:
    # Our own small environment: the card is a print document, separate from the web pages.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR code modules for ``data`` (quiet zone included), ``True`` for dark."""
    code = _qr(data)
    return [list(row) for row in code.get_matrix()]


def qr_svg(data: str) -> str:
    """The QR code for ``data`` as a standalone SVG: one square sub-path per dark module, in
    module units (the printed size is set by the template)."""
    image = _qr(data).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg: str = image.to_string(encoding="unicode")
    return svg


def _qr(data: str) -> qrcode.QRCode[Any]:
    # Level M (15 % recovery) keeps the code at version 6 for a typical URL, so modules stay
    # near 0.45 mm on a 22 mm code; the smallest fitting version is chosen. box_size 10 makes
    # qrcode's SVG use whole numbers for module coordinates.
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=QR_BORDER
    )
    code.add_data(data)
    code.make(fit=True)
    return code


def render_html(
    card: BloodGroupCard,
    *,
    holder: CardHolder,
    verification_url: str,
    issued_on: dt.date,
    language: str = "fr",
    gettext: Gettext | None = None,
) -> str:
    """The card as HTML for WeasyPrint.

    ``gettext`` translates the French msgids; by default the app catalogue of ``language``
    (the identity for French). Raises ``ValueError`` for an unsupported language.
    """
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language}")
    translate = gettext or translations(language).gettext

    def _(message: str, **params: Any) -> str:
        text = translate(message)
        return text % params if params else text

    screen = card.antibody_screen
    url_head, _slash, url_token = verification_url.rpartition("/")
    svg = qr_svg(verification_url)
    context = {
        "_": _,
        "language": language,
        "issued_iso": issued_on.isoformat(),
        "issued_on": format_date(issued_on, language),
        "holder_name": holder.name,
        "birth_date": format_date(holder.birth_date, language),
        "abo": card.abo.value,
        "rhd": format_rhd(card.rhd),
        "rh1": format_rh1(card.rhd),
        "group_words": describe_group(card.abo, card.rhd, translate),
        "phenotype": format_phenotype(card.phenotype) if card.phenotype else None,
        "rh_kel": format_rh_kel(card.rhd, card.phenotype) if card.phenotype else None,
        "rare_phenotype": card.rare_phenotype,
        "verified": card.verified,
        "source_label": describe_source(card.source, translate),
        "screen": describe_screen(screen, translate) if screen else None,
        "screen_date": format_date(screen.performed_on, language) if screen else None,
        "laboratory": card.laboratory,
        "biologist": card.biologist,
        "determinations": [format_date(day, language) for day in card.determinations],
        "qr_src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii"),
        # Printed as the address, then the token alone on its own line: a line break inside
        # the token would land next to its "-" and "_" and read as a hyphenation.
        "url_head": url_head + "/",
        "url_token": url_token,
    }
    return _environment().get_template("card.html").render(context)


def render_pdf(
    card: BloodGroupCard,
    *,
    holder: CardHolder,
    verification_url: str,
    issued_on: dt.date,
    language: str = "fr",
    gettext: Gettext | None = None,
) -> bytes:
    """The card as a two-page PDF (front, back), each page 85.6 × 54 mm. See :func:`render_html`."""
    html = render_html(
        card,
        holder=holder,
        verification_url=verification_url,
        issued_on=issued_on,
        language=language,
        gettext=gettext,
    )
    return pdf.render_pdf(html)  # the QR code is a data URI: the card needs nothing outside itself
