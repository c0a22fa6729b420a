"""The directives as plain text, HTML and PDF, in French and in English."""

from __future__ import annotations

import dataclasses
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from directives_english import ENGLISH
from directives_support import english, pdf_objects, pdf_text, signed_directives

from dmp.directives.model import (
    AdvanceDirectives,
    Author,
    ProtectedAdultAuthorisation,
    SedationWish,
    Signature,
    SignatureKind,
    Situation,
    Witness,
)
from dmp.directives.render import (
    SignatureDrawing,
    build_view,
    render_html,
    render_pdf,
    render_text,
)
from dmp.shared.errors import InvalidInput

SOURCE = Path(__file__).resolve().parents[3] / "src" / "dmp" / "directives"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
SVG_PATH = "M10 80 C 40 10, 65 10, 95 80 S 150 90, 180 60 L 290 40"


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 2, 1, 8, 0, 0, 0, 0)  # 2×1, 8-bit greyscale
    pixels = zlib.compress(b"\x00\x00\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def messages() -> set[str]:
    return {
        message
        for _f, _l, message, _c, _ctx in extract_from_dir(
            str(SOURCE), [("**.py", "python")], keywords={"N_": None}
        )
    }


class TestText:
    def test_the_whole_document_in_the_order_of_the_model(self) -> None:
        text = render_text(signed_directives(), version=2)
        expected_in_order = [
            "MES DIRECTIVES ANTICIPÉES",
            "Je soussigné(e) Marie Claire MARTIN, né(e) le 14 août 1962 à Besançon (Doubs).",
            "Je suis atteint(e) d'une maladie grave ou je suis en fin de vie",
            "En cas de coma irréversible, je refuse d'être maintenue en vie.",
            "- Réanimation cardio-respiratoire : Refuser",
            "- Dialyse rénale : Limiter",
            "- Alimentation et hydratation artificielles : Arrêter",
            "Pas d'antibiotiques en fin de vie.",
            "Sédation profonde et continue jusqu'au décès",
            "Oui, je souhaite une sédation profonde et continue jusqu'à mon décès.",
            "Je souhaite finir ma vie à la maison.",
            "Ma personne de confiance est Paul Martin.",
            "- Téléphone : 06 12 34 56 78",
            "Fait à Lyon, le 12 mars 2026.",
            "Signé électroniquement par Marie Claire Martin le 12 mars 2026 à 14 h 05 (après"
            " ré-authentification).",
            "Directives anticipées de Marie Claire MARTIN, version 2. Révisables et révocables à"
            " tout moment : la version la plus récente prévaut.",
        ]
        positions = [text.find(line) for line in expected_in_order]
        assert -1 not in positions, [
            s for s, p in zip(expected_in_order, positions, strict=True) if p < 0
        ]
        assert positions == sorted(positions)
        assert "Brouillon" not in text
        assert "Témoins" not in text  # the author wrote them: no witnesses section

    def test_serious_illness_version(self) -> None:
        text = render_text(signed_directives(situation=Situation.serious_illness), version=1)
        assert "compte tenu de ma maladie" in text
        assert "un coma en phase terminale de ma maladie" in text
        assert "Je pense être en bonne santé" not in text

    def test_good_health_version(self) -> None:
        text = render_text(signed_directives(situation=Situation.healthy), version=1)
        assert (
            "Je pense être en bonne santé : je ne suis pas atteint(e) d'une maladie grave" in text
        )
        assert "à la suite d'un accident grave ou d'une maladie grave" in text
        assert "un coma prolongé jugé irréversible" in text
        assert "compte tenu de ma maladie" not in text

    def test_witnesses_and_protected_adult(self) -> None:
        directives = signed_directives(
            author_can_write=False,
            witnesses=(Witness("Jeanne Durand", "amie"), Witness("Paul Martin", "frère", True)),
            protected_adult_authorisation=ProtectedAdultAuthorisation(
                True, "family-council", "délibération du 2 mai 2025"
            ),
        )
        text = render_text(directives, version=1)
        assert "Je suis dans l'impossibilité physique d'écrire seul(e) mes directives." in text
        assert "- Jeanne Durand, amie\n- Paul Martin, frère (ma personne de confiance)" in text
        assert (
            "j'ai l'autorisation du conseil de famille (référence : délibération du 2 mai 2025)"
            in text
        )

    def test_unanswered_parts_say_so(self) -> None:
        directives = signed_directives(
            treatments=(), sedation=None, other_treatments="", trusted_person=None
        )
        text = render_text(directives, version=1)
        assert "Je n'ai pas exprimé de volonté sur un traitement en particulier." in text
        assert "Non renseigné." in text
        assert "Je ne mentionne pas de personne de confiance dans ces directives." in text

    def test_sedation_answers(self) -> None:
        for wish, sentence in [
            (SedationWish.no, "Non, je ne souhaite pas de sédation profonde et continue."),
            (SedationWish.no_opinion, "Je ne me prononce pas."),
        ]:
            assert sentence in render_text(signed_directives(sedation=wish), version=1)

    def test_a_draft_renders_with_blanks_and_says_it_is_not_signed(self) -> None:
        empty = AdvanceDirectives(author=Author("", "", None, ""), situation="")
        text = render_text(empty)
        assert "Brouillon : ces directives ne sont pas encore signées." in text
        assert "Je soussigné(e) …, né(e) le … à …." in text
        assert "Ma situation" in text
        assert "Pas encore signé." in text
        assert "Directives anticipées de …, brouillon." in text

    def test_a_signed_document_without_version_number_is_still_a_draft(self) -> None:
        assert "Brouillon" in render_text(signed_directives())

    def test_drawn_signature_sentence(self) -> None:
        drawn = signed_directives(signature=Signature(SignatureKind.drawn, drawing_ref="blob:1"))
        assert (
            "Signé électroniquement le 12 mars 2026 à 14 h 05 (après ré-authentification), avec"
            " la signature manuscrite ci-dessous." in render_text(drawn, version=1)
        )


class TestHtml:
    def test_accessible_document(self) -> None:
        html = render_html(signed_directives(), version=2)
        assert html.startswith('<!doctype html>\n<html lang="fr">')
        assert "<title>Directives anticipées de Marie Claire MARTIN</title>" in html
        assert html.count("<h1>") == 1
        assert "<caption>Mes volontés sur les traitements</caption>" in html
        assert '<th scope="row">Dialyse rénale</th><td>Limiter</td>' in html

    def test_user_text_is_escaped(self) -> None:
        html = render_html(signed_directives(other_wishes="<script>alert(1)</script>"), version=1)
        assert "<script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    def test_drawn_signature_as_svg_path(self) -> None:
        drawn = signed_directives(signature=Signature(SignatureKind.drawn, drawing_ref="blob:1"))
        html = render_html(drawn, version=1, drawing=SignatureDrawing(svg_path=SVG_PATH))
        assert f'<path d="{SVG_PATH}"' in html
        assert 'aria-label="Signature manuscrite de Marie Claire MARTIN"' in html

    def test_drawn_signature_as_png(self) -> None:
        drawn = signed_directives(signature=Signature(SignatureKind.drawn, drawing_ref="blob:1"))
        html = render_html(drawn, version=1, drawing=SignatureDrawing(png=tiny_png()))
        assert '<img class="signature" src="data:image/png;base64,iVBORw0KGgo' in html
        assert 'alt="Signature manuscrite de Marie Claire MARTIN"' in html

    @pytest.mark.parametrize(
        "drawing",
        [
            SignatureDrawing(svg_path='M0 0"/><script>alert(1)</script>'),
            SignatureDrawing(svg_path="L 10 10"),
            SignatureDrawing(svg_path=""),
            SignatureDrawing(png=b"GIF89a..."),
            SignatureDrawing(png=tiny_png() + b"\0" * 512 * 1024),
        ],
        ids=["markup", "no move first", "empty", "not a png", "too big"],
    )
    def test_a_drawing_that_is_not_one_is_refused(self, drawing: SignatureDrawing) -> None:
        drawn = signed_directives(signature=Signature(SignatureKind.drawn, drawing_ref="blob:1"))
        with pytest.raises(InvalidInput) as caught:
            render_html(drawn, version=1, drawing=drawing)
        assert [(e.field, e.code) for e in caught.value.errors] == [
            ("signature.drawing", "drawing-format")
        ]

    def test_typed_signature_ignores_a_drawing(self) -> None:
        html = render_html(
            signed_directives(), version=1, drawing=SignatureDrawing(svg_path=SVG_PATH)
        )
        assert "<svg" not in html

    def test_unknown_language(self) -> None:
        with pytest.raises(ValueError, match="unsupported language"):
            build_view(signed_directives(), language="de")


class TestPdf:
    def test_a_tagged_pdf_holding_the_text(self) -> None:
        pdf = render_pdf(signed_directives(), version=2)
        assert pdf.startswith(b"%PDF-")
        text = pdf_text(pdf)
        for expected in [
            "Mes directives anticipées",
            "Je soussigné(e) Marie Claire MARTIN, né(e) le 14 août 1962 à Besançon (Doubs).",
            "Réanimation cardio-respiratoire Refuser",
            "Dialyse rénale Limiter",
            "En cas de coma irréversible, je refuse d'être maintenue en vie.",
            "Oui, je souhaite une sédation profonde et continue jusqu'à mon décès.",
            "Je souhaite finir ma vie à la maison.",
            "Directives anticipées de Marie Claire MARTIN, version 2.",
            "la version la plus récente prévaut.",
        ]:
            assert expected in text
        dictionaries = b"".join(head for head, _stream in pdf_objects(pdf).values())
        assert b"/Lang (fr)" in dictionaries
        assert b"/MarkInfo <</Marked true>>" in dictionaries
        assert b"/StructTreeRoot" in dictionaries
        assert b"/DisplayDocTitle true" in dictionaries
        metadata = b"".join(s for h, s in pdf_objects(pdf).values() if s and b"/Metadata" in h)
        assert "Directives anticipées de Marie Claire MARTIN".encode() in metadata
        assert b'pdfuaid:part="1"' in metadata

    def test_the_drawn_signature_is_in_the_pdf(self) -> None:
        drawn = signed_directives(signature=Signature(SignatureKind.drawn, drawing_ref="blob:1"))
        pdf = render_pdf(drawn, version=1, drawing=SignatureDrawing(png=tiny_png()))
        assert b"/Subtype /Image" in b"".join(h for h, _s in pdf_objects(pdf).values())
        assert "avec la signature manuscrite ci-dessous." in pdf_text(pdf)

    def test_english_pdf(self) -> None:
        pdf = render_pdf(signed_directives(), version=2, language="en", gettext=english)
        text = pdf_text(pdf)
        assert "My advance directives" in text
        assert "born on 14 August 1962 in Besançon (Doubs)" in text
        assert "Cardiopulmonary resuscitation Refuse" in text
        assert "the most recent version prevails." in text
        assert "Mes directives anticipées" not in text
        assert b"/Lang (en)" in b"".join(h for h, _s in pdf_objects(pdf).values())

    @pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext missing")
    def test_poppler_reads_the_same_text(self) -> None:
        pdf = render_pdf(signed_directives(), version=2)
        result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
        poppler = " ".join(result.stdout.decode().split())
        assert "Je soussigné(e) Marie Claire MARTIN" in poppler
        assert "Alimentation et hydratation artificielles Arrêter" in poppler


class TestEnglish:
    def test_every_message_has_an_english_translation_with_its_placeholders(self) -> None:
        source = messages()
        assert sorted(source - set(ENGLISH)) == []
        assert sorted(set(ENGLISH) - source) == []
        wrong = [
            m for m in source if set(PLACEHOLDER.findall(m)) != set(PLACEHOLDER.findall(ENGLISH[m]))
        ]
        assert wrong == []

    def test_english_text_leaves_no_french_wording(self) -> None:
        directives = signed_directives(
            author_can_write=False,
            witnesses=(Witness("Jeanne Durand", "amie"), Witness("Paul Martin", "frère", True)),
            protected_adult_authorisation=ProtectedAdultAuthorisation(True, "judge", "TJ Lyon"),
        )
        for situation in Situation:
            text = render_text(
                dataclasses.replace(directives, situation=situation),
                version=4,
                language="en",
                gettext=english,
            )
            assert text.startswith("MY ADVANCE DIRECTIVES\n")
            assert "- Cardiopulmonary resuscitation: Refuse" in text
            assert "Signed electronically by Marie Claire Martin on 12 March 2026 at 14:05" in text
            french = [
                m
                for m in messages()
                if len(m) > 12 and ENGLISH[m] != m and PLACEHOLDER.sub("", m).strip(" .") in text
            ]
            assert french == []
