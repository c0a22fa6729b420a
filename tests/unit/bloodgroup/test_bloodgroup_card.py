"""The printed card: a real two-page PDF at bank-card size, with its data as text and the QR code
of the verification URL.

The checks that always run read the PDF with the small reader in ``bloodgroup_pdf``; when
poppler (``pdftotext``, ``pdftoppm``) and zbar (``zbarimg``) are installed, the text and the QR
code are also read back by those independent tools.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import re
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
import qrcode
import qrcode.constants
from bloodgroup_pdf import Pdf, pdf_string

from dmp.bloodgroup import verification
from dmp.bloodgroup.card import (
    CARD_HEIGHT_MM,
    CARD_WIDTH_MM,
    CardHolder,
    qr_matrix,
    qr_svg,
    render_html,
    render_pdf,
)
from dmp.bloodgroup.model import (
    BIOLOGIST_MAX,
    LABORATORY_MAX,
    SPECIFICITY_MAX,
    BloodGroupCard,
    BloodGroupInput,
    validate,
)

TODAY = dt.date(2026, 3, 12)
KEY = b"k" * 32
HOLDER = CardHolder("Marie MARTIN", dt.date(1962, 8, 14))
BASE_URL = "https://dmp.example.fr/carte-groupe-sanguin/verifier"
MM = 72 / 25.4  # PDF points per millimetre

ENGLISH = {
    "Carte de groupe sanguin": "Blood group card",
    "Date de naissance : %(date)s": "Date of birth: %(date)s",
    "Groupe %(abo)s, RhD positif": "Group %(abo)s, RhD positive",
    "Phénotype RH-KEL1 :": "RH-KEL1 phenotype:",
    "Vérifiée par un professionnel": "Verified by a health professional",
    "Résultats et vérification": "Results and verification",
    "RAI (recherche d'anticorps irréguliers)": "Antibody screen (RAI)",
    "%(result)s, le %(date)s": "%(result)s, on %(date)s",
    "Positive": "Positive",
    "Laboratoire": "Laboratory",
    "Biologiste : %(name)s": "Biologist: %(name)s",
    "Détermination": "Determination",
    "Code QR menant à la page de vérification de cette carte": "QR code to this card's check page",
    "Vérifier cette carte": "Check this card",
    "Carte émise le %(date)s": "Card issued on %(date)s",
}


def _card(**overrides: Any) -> BloodGroupCard:
    values: dict[str, Any] = {
        "abo": "A",
        "rhd": "positive",
        "source": "professional",
        "big_c": True,
        "little_c": True,
        "big_e": False,
        "little_e": True,
        "kell": False,
        "rai_date": dt.date(2026, 3, 3),
        "rai_result": "positive",
        "rai_specificity": "anti-E",
        "laboratory": "Laboratoire Cerballiance Paris 15",
        "biologist": "Dr Jeanne Dupont",
        "first_determination": dt.date(2025, 3, 12),
        **overrides,
    }
    return validate(BloodGroupInput(**values), today=TODAY)


def _url(version: int = 3) -> str:
    token = verification.sign(uuid.UUID("6f1c2a4e-8b1d-4c3e-9f20-1a2b3c4d5e6f"), version, KEY)
    return verification.verification_url(BASE_URL, token)


def _render(card: BloodGroupCard | None = None, **kwargs: Any) -> bytes:
    return render_pdf(
        card or _card(),
        holder=kwargs.pop("holder", HOLDER),
        verification_url=kwargs.pop("verification_url", _url()),
        issued_on=kwargs.pop("issued_on", TODAY),
        **kwargs,
    )


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return _render()


@pytest.fixture(scope="module")
def pdf(pdf_bytes: bytes) -> Pdf:
    return Pdf.parse(pdf_bytes)


def _lines(pdf: Pdf, page: int) -> list[str]:
    return pdf.text_runs(pdf.pages[page])


# --- A real PDF of the right size --------------------------------------------------------------


def test_is_a_pdf(pdf_bytes: bytes) -> None:
    assert pdf_bytes.startswith(b"%PDF-1.")
    assert pdf_bytes.rstrip().endswith(b"%%EOF")


def test_two_pages_of_bank_card_size(pdf: Pdf) -> None:
    assert len(pdf.pages) == 2  # front, back
    for page in pdf.pages:
        x0, y0, width, height = pdf.media_box(page)
        assert (x0, y0) == (0, 0)
        assert width == pytest.approx(CARD_WIDTH_MM * MM, abs=0.01)  # 242.65 pt
        assert height == pytest.approx(CARD_HEIGHT_MM * MM, abs=0.01)  # 153.07 pt


def test_accessible_pdf_basics(pdf: Pdf) -> None:
    assert b"/Lang (fr)" in pdf.catalog
    assert b"/MarkInfo <</Marked true>>" in pdf.catalog  # tagged: reading order for readers
    assert b"/StructTreeRoot" in pdf.catalog
    assert b"/DisplayDocTitle true" in pdf.catalog  # viewers show the title, not the file name
    assert pdf_string(pdf.info, b"Title") == "Carte de groupe sanguin – Marie MARTIN"
    assert pdf_string(pdf.info, b"CreationDate") == "D:20260312"  # the issue date
    (figure,) = [o.body for o in pdf.objects.values() if b"/S /Figure" in o.body]
    assert pdf_string(figure, b"Alt") == "Code QR menant à la page de vérification de cette carte"
    assert any(b"/S /H1" in o.body for o in pdf.objects.values())


# --- The data, as text ---------------------------------------------------------------------------


def test_front_shows_holder_group_phenotype_and_status(pdf: Pdf) -> None:
    assert _lines(pdf, 0) == [
        "CARTE DE GROUPE SANGUIN",
        "Marie MARTIN",
        "Date de naissance : 14 août 1962",
        "A RhD+",
        "(RH1+)",
        "Groupe A, RhD positif",
        "Phénotype RH-KEL1 : ",
        "C+ c+ E− e+ K−",
        "RH:1,2,-3,4,5; KEL:-1",
        "Vérifiée par un professionnel",
    ]


def test_back_shows_screen_laboratory_dates_issue_and_url(pdf: Pdf) -> None:
    url = _url()
    head, token = url.rsplit("/", 1)
    assert _lines(pdf, 1) == [
        "RÉSULTATS ET VÉRIFICATION",
        "RAI (recherche d'anticorps irréguliers)",
        "Positive (anti-E), le 3 mars 2026",
        "Laboratoire",
        "Laboratoire Cerballiance Paris 15",
        "Biologiste : Dr Jeanne Dupont",
        "Détermination",
        "12 mars 2025",
        "Vérifier cette carte",
        "Carte émise le 12 mars 2026",
        head + "/",
        token,  # never split: a break inside it would look like a hyphenation
    ]


def test_declared_card_says_so_and_shows_what_is_missing() -> None:
    card = validate(BloodGroupInput(abo="O", rhd="negative", source="patient"), today=TODAY)
    pdf = Pdf.parse(_render(card))
    front, back = _lines(pdf, 0), _lines(pdf, 1)
    assert "O RhD−" in front
    assert "(RH1−)" in front
    assert "Phénotype RH-KEL1 : non renseigné" in front
    assert "Déclarée par le patient (non vérifiée)" in front
    assert "Vérifiée par un professionnel" not in front
    assert "Non renseignée" in back  # no antibody screen
    assert "Laboratoire" not in back
    assert not any(line.startswith("Détermination") for line in back)


def test_two_determinations_and_an_unidentified_antibody() -> None:
    card = _card(
        second_determination=dt.date(2025, 3, 15), rai_specificity=None, rai_unidentified=True
    )
    back = _lines(Pdf.parse(_render(card)), 1)
    # The line may wrap on the narrow card: read the text as a whole.
    assert "Positive (anticorps non identifié), le 3 mars 2026" in " ".join(back)
    assert back[back.index("Déterminations") + 1] == "12 mars 2025 ; 15 mars 2025"


def test_rare_phenotype_is_printed() -> None:
    card = _card(rhd="negative", big_c=False, little_c=False, rare_phenotype=True)
    front = _lines(Pdf.parse(_render(card)), 0)
    assert "C− c− E− e+ K−" in front
    assert "Phénotype rare" in front


def test_english_card() -> None:
    pdf = Pdf.parse(_render(language="en", gettext=lambda m: ENGLISH.get(m, m)))
    assert b"/Lang (en)" in pdf.catalog
    assert pdf_string(pdf.info, b"Title") == "Blood group card – Marie MARTIN"
    front, back = _lines(pdf, 0), _lines(pdf, 1)
    assert "Date of birth: 14 August 1962" in front
    assert "Group A, RhD positive" in front
    assert "C+ c+ E− e+ K−" in front  # notations are international
    assert "Verified by a health professional" in front
    assert "Positive (anti-E), on 3 March 2026" in back
    assert "Card issued on 12 March 2026" in back


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        _render(language="de")


def test_the_longest_values_still_fit_on_two_pages() -> None:
    # Nothing is clipped: a side that overflows spills onto a third page, so this would see it.
    card = _card(
        abo="AB",
        rhd="negative",
        big_c=False,
        little_c=False,
        big_e=False,
        little_e=False,
        kell=True,
        rare_phenotype=True,
        laboratory=("Laboratoire de biologie médicale multisite Cerballiance " * 3)[
            :LABORATORY_MAX
        ],
        biologist=("Dr Marie-Christine Wojciechowska-Villeneuve " * 2)[:BIOLOGIST_MAX],
        rai_specificity=("anti-Fya, anti-Jkb, anti-S, anti-M, " * 3)[:SPECIFICITY_MAX],
        first_determination=dt.date(2025, 9, 12),
        second_determination=dt.date(2025, 12, 15),
        rai_date=dt.date(2025, 9, 30),
    )
    holder = CardHolder(
        "Marie-Christine Élisabeth WOJCIECHOWSKA-VILLENEUVE DE LA ROCHEFOUCAULD",
        dt.date(1962, 9, 14),
    )
    long_base = "https://monespacesante.sante.gouv.example/carte-de-groupe-sanguin/verification"
    url = verification.verification_url(long_base, verification.sign(uuid.uuid4(), 9, KEY))
    pdf = Pdf.parse(_render(card, holder=holder, verification_url=url, issued_on=TODAY))
    assert len(pdf.pages) == 2
    assert url.rsplit("/", 1)[1] in _lines(pdf, 1)


def test_values_are_escaped_in_the_html() -> None:
    html = render_html(
        _card(laboratory="<b>Labo</b> & fils"),
        holder=CardHolder("<script>alert(1)</script>", HOLDER.birth_date),
        verification_url=_url(),
        issued_on=TODAY,
    )
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Labo&lt;/b&gt; &amp; fils" in html


# --- The QR code ------------------------------------------------------------------------------


def _library_matrix(data: str) -> list[list[bool]]:
    """The QR code straight from the qrcode library, independently of the card module."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def _dark(matrix: list[list[bool]]) -> set[tuple[int, int]]:
    return {(x, y) for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark}


def _svg_modules(svg: str) -> set[tuple[int, int]]:
    squares = re.findall(r"M(\d+),(\d+)H(\d+)V(\d+)H\1z", svg)
    assert all(int(x1) == int(x) + 1 and int(y1) == int(y) + 1 for x, y, x1, y1 in squares)
    return {(int(x), int(y)) for x, y, _x1, _y1 in squares}


def test_qr_svg_is_the_library_matrix_of_the_url() -> None:
    url = _url()
    assert qr_matrix(url) == _library_matrix(url)
    assert _svg_modules(qr_svg(url)) == _dark(_library_matrix(url))


def test_qr_stays_small_for_a_typical_url() -> None:
    # Version 6 (41 modules) plus the quiet zone: about 0.45 mm per module at 22 mm.
    assert len(_url()) <= 106  # byte capacity of version 6 at level M
    assert len(_library_matrix(_url())) == 41 + 2 * 4


def test_html_embeds_the_qr_of_the_url() -> None:
    html = render_html(_card(), holder=HOLDER, verification_url=_url(), issued_on=TODAY)
    match = re.search(
        r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)"', html
    )
    assert match is not None
    assert match.group(2) == "Code QR menant à la page de vérification de cette carte"
    svg = base64.b64decode(match.group(1)).decode()
    assert _svg_modules(svg) == _dark(_library_matrix(_url()))


def test_pdf_draws_the_qr_of_the_url(pdf: Pdf) -> None:
    # Each dark module is a 1 × 1 square in the QR code's own coordinates on the back page.
    assert pdf.unit_squares(pdf.pages[1]) == _dark(_library_matrix(_url()))
    assert pdf.unit_squares(pdf.pages[0]) == set()


def test_the_qr_changes_with_the_card_version() -> None:
    assert _dark(_library_matrix(_url(4))) != _dark(_library_matrix(_url(3)))
    pdf = Pdf.parse(_render(verification_url=_url(4)))
    assert pdf.unit_squares(pdf.pages[1]) == _dark(_library_matrix(_url(4)))


# --- Independent readers, when installed --------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def test_pdftotext_reads_the_same_text(pdf_bytes: bytes, tmp_path: Path) -> None:
    pdftotext = _tool("pdftotext")
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf_bytes)
    text = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    for expected in ("Marie MARTIN", "A RhD+ (RH1+)", "C+ c+ E− e+ K−", "Positive (anti-E)"):
        assert expected in text
    assert _url().rsplit("/", 1)[1] in text


def test_pdfinfo_sees_two_card_sized_pages(pdf_bytes: bytes, tmp_path: Path) -> None:
    pdfinfo = _tool("pdfinfo")
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf_bytes)
    info = subprocess.run([pdfinfo, str(path)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+2$", info, re.M)
    assert re.search(r"^Page size:\s+242\.646 x 153\.071 pts$", info, re.M)
    assert re.search(r"^Tagged:\s+yes$", info, re.M)


def test_a_scanner_reads_the_url_from_the_printed_card(pdf_bytes: bytes, tmp_path: Path) -> None:
    pdftoppm, zbarimg = _tool("pdftoppm"), _tool("zbarimg")
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf_bytes)
    # 200 dpi: about what a phone camera resolves on a card at arm's length.
    subprocess.run(
        [pdftoppm, "-r", "200", "-f", "2", "-l", "2", "-png", str(path), str(tmp_path / "back")],
        check=True,
        capture_output=True,
    )
    (image,) = tmp_path.glob("back*.png")
    decoded = subprocess.run(
        [zbarimg, "--quiet", "--raw", str(image)], check=True, capture_output=True, text=True
    ).stdout
    assert decoded.strip() == _url()


# --- Quiet and quick ----------------------------------------------------------------------------


def test_rendering_logs_no_warning(caplog: pytest.LogCaptureFixture) -> None:
    # WeasyPrint reports unsupported CSS and failed resources through logging, not warnings.
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        _render()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
