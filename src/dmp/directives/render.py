"""Directives as a document: PDF (WeasyPrint), standalone HTML, or plain text for a preview.

The wording and order follow the official model (arrêté du 3 août 2016): identity, the wishes
part of the version that applies (serious illness or good health), treatments, deep continuous
sedation, other wishes, personne de confiance, witnesses, place, date and signature. The words
are built once, in :func:`build_view`, and every output shows the same view, so the PDF and the
preview cannot disagree.

Every sentence is a French msgid marked with ``N_`` and translated through the ``gettext``
given (identity by default, that is French). The template holds no words of its own. Drafts
render too (missing values as « … »), marked as not signed.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

import jinja2

from dmp.directives.model import (
    CHOICE_LABELS,
    NOT_STATED,
    SEDATION_LABELS,
    SITUATION_LABELS,
    TREATMENT_LABELS,
    AdvanceDirectives,
    Authority,
    SedationWish,
    SignatureKind,
    Situation,
    Treatment,
    TreatmentChoice,
)
from dmp.shared import pdf
from dmp.shared.errors import N_, InvalidInput
from dmp.shared.i18n import (
    DEFAULT_LANGUAGE,
    DISPLAY_TZ,
    LANGUAGES,
    Gettext,
    format_date,
    format_datetime,
)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
MISSING = "…"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_DRAWING_BYTES = 512 * 1024
_SVG_PATH = re.compile(r"^[Mm][MmZzLlHhVvCcSsQqTtAaEe0-9+\-.,\s]*$")

TITLE = N_("Mes directives anticipées")
DOCUMENT_TITLE = N_("Directives anticipées de %(name)s")
DRAFT = N_("Brouillon : ces directives ne sont pas encore signées.")
H_IDENTITY = N_("Mon identité")
IDENTITY = N_("Je soussigné(e) %(name)s, né(e) le %(birth_date)s à %(birth_place)s.")
PURPOSE = N_(
    "Je rédige ici mes directives anticipées, pour le cas où je ne serais plus en mesure"
    " d'exprimer ma volonté."
)
PROTECTED = {
    Authority.judge: N_(
        "Je bénéficie d'une mesure de protection juridique avec représentation relative à la"
        " personne, et j'ai l'autorisation du juge (référence : %(reference)s)."
    ),
    Authority.family_council: N_(
        "Je bénéficie d'une mesure de protection juridique avec représentation relative à la"
        " personne, et j'ai l'autorisation du conseil de famille (référence : %(reference)s)."
    ),
}
PROTECTED_NOT_AUTHORISED = N_(
    "Je bénéficie d'une mesure de protection juridique avec représentation relative à la"
    " personne. L'autorisation du juge ou du conseil de famille n'est pas renseignée."
)
H_SITUATION_UNKNOWN = N_("Ma situation")
SITUATION_INTROS = {
    Situation.serious_illness: N_(
        "Je rédige ces directives compte tenu de ma maladie, pour le cas où je ne serais plus en"
        " mesure de m'exprimer."
    ),
    Situation.healthy: N_(
        "Je rédige ces directives pour le cas où, à la suite d'un accident grave ou d'une maladie"
        " grave, je ne serais plus en mesure de m'exprimer."
    ),
}
H_SITUATIONS = N_("Les situations dans lesquelles je risque de me trouver")
SITUATIONS_PROMPTS = {
    Situation.serious_illness: N_(
        "Par exemple : un coma en phase terminale de ma maladie. J'indique notamment si j'accepte"
        " ou si je refuse d'être maintenu(e) artificiellement en vie si j'étais définitivement"
        " inconscient(e)."
    ),
    Situation.healthy: N_(
        "Par exemple : un coma prolongé jugé irréversible. J'indique notamment si j'accepte ou si"
        " je refuse d'être maintenu(e) artificiellement en vie si j'étais définitivement"
        " inconscient(e)."
    ),
}
H_TREATMENTS = N_("Les traitements et actes médicaux")
TREATMENTS_PROMPT = N_(
    "J'indique si j'accepte ou si je refuse que les traitements suivants soient entrepris,"
    " poursuivis, limités ou arrêtés, notamment ceux qui me maintiendraient artificiellement en"
    " vie :"
)
TREATMENTS_CAPTION = N_("Mes volontés sur les traitements")
COLUMN_TREATMENT = N_("Traitement")
COLUMN_WISH = N_("Ma volonté")
NO_TREATMENT = N_("Je n'ai pas exprimé de volonté sur un traitement en particulier.")
H_OTHER_TREATMENTS = N_("Autres traitements ou actes médicaux")
H_SEDATION = N_("Sédation profonde et continue jusqu'au décès")
SEDATION_PROMPT = N_(
    "Si mes traitements sont arrêtés, j'indique si je souhaite ou non une sédation profonde et"
    " continue, associée à un traitement de la douleur, jusqu'à mon décès :"
)
H_OTHER_WISHES = N_("Mes autres souhaits")
OTHER_WISHES_PROMPT = N_(
    "Lieu où je souhaite finir ma vie, souhaits spirituels ou religieux, personnes à prévenir…"
)
H_TRUSTED_PERSON = N_("Ma personne de confiance")
TRUSTED_PERSON = N_("Ma personne de confiance est %(name)s.")
TRUSTED_PHONE = N_("Téléphone : %(phone)s")
TRUSTED_EMAIL = N_("Adresse e-mail : %(email)s")
NO_TRUSTED_PERSON = N_("Je ne mentionne pas de personne de confiance dans ces directives.")
H_WITNESSES = N_("Témoins")
WITNESSES_CANNOT_WRITE = N_(
    "Je suis dans l'impossibilité physique d'écrire seul(e) mes directives. Les deux témoins"
    " ci-dessous attestent qu'elles sont l'expression de ma volonté libre et éclairée :"
)
WITNESSES_CAN_WRITE = N_(
    "Les deux témoins ci-dessous attestent que ces directives sont l'expression de ma volonté"
    " libre et éclairée :"
)
WITNESS = N_("%(name)s, %(capacity)s")
WITNESS_TRUSTED_PERSON = N_("%(name)s, %(capacity)s (ma personne de confiance)")
H_SIGNATURE = N_("Lieu, date et signature")
PLACE_AND_DATE = N_("Fait à %(place)s, le %(date)s.")
SIGNED_TYPED = N_("Signé électroniquement par %(name)s le %(moment)s (après ré-authentification).")
SIGNED_DRAWN = N_(
    "Signé électroniquement le %(moment)s (après ré-authentification), avec la signature"
    " manuscrite ci-dessous."
)
SIGNATURE_ALT = N_("Signature manuscrite de %(name)s")
NOT_SIGNED = N_("Pas encore signé.")
FOOTER = N_(
    "Directives anticipées de %(name)s, version %(version)s. Révisables et révocables à tout"
    " moment : la version la plus récente prévaut."
)
FOOTER_DRAFT = N_(
    "Directives anticipées de %(name)s, brouillon. Révisables et révocables à tout moment : la"
    " version la plus récente prévaut."
)


@dataclass(frozen=True)
class SignatureDrawing:
    """A drawn signature as the caller holds it: PNG bytes, or SVG path data (a ``d``
    attribute) drawn in a ``width`` × ``height`` box."""

    png: bytes | None = None
    svg_path: str | None = None
    width: int = 300
    height: int = 100


# The view: what every output shows, already translated.


@dataclass(frozen=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    text: str
    prompt: bool = False  # wording of the model, as opposed to the author's answer


@dataclass(frozen=True)
class Subheading:
    kind: ClassVar[str] = "subheading"
    text: str


@dataclass(frozen=True)
class FreeText:
    """Text the author wrote, kept as written (line breaks included)."""

    kind: ClassVar[str] = "free"
    text: str


@dataclass(frozen=True)
class Table:
    kind: ClassVar[str] = "table"
    caption: str
    headers: tuple[str, str]
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Items:
    kind: ClassVar[str] = "items"
    items: tuple[str, ...]


@dataclass(frozen=True)
class Image:
    kind: ClassVar[str] = "image"
    alt: str
    png_data_uri: str | None = None
    svg_path: str | None = None
    width: int = 300
    height: int = 100


Block = Paragraph | Subheading | FreeText | Table | Items | Image


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class View:
    language: str
    title: str
    document_title: str
    author_name: str
    draft: str | None
    sections: tuple[Section, ...]
    footer: str
    created: str | None  # ISO 8601 signature time, for the PDF metadata


def _identity(message: str) -> str:
    return message


def build_view(
    directives: AdvanceDirectives,
    *,
    version: int | None = None,
    language: str = DEFAULT_LANGUAGE,
    gettext: Gettext | None = None,
    drawing: SignatureDrawing | None = None,
) -> View:
    """The translated content of the document; ``version`` is None for a draft."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    _ = gettext or _identity
    author = directives.author
    name = author.display_name or MISSING
    signed = directives.signed_at is not None and directives.signature is not None
    sections = [
        _identity_section(directives, _, language),
        *_wishes_sections(directives, _),
        _trusted_person_section(directives, _),
    ]
    if directives.witnesses or not directives.author_can_write:
        sections.append(_witnesses_section(directives, _))
    sections.append(_signature_section(directives, _, language, drawing))
    footer = (
        _(FOOTER) % {"name": name, "version": version}
        if version is not None
        else _(FOOTER_DRAFT) % {"name": name}
    )
    return View(
        language=language,
        title=_(TITLE),
        document_title=_(DOCUMENT_TITLE) % {"name": name},
        author_name=name,
        draft=None if signed and version is not None else _(DRAFT),
        sections=tuple(sections),
        footer=footer,
        created=directives.signed_at.isoformat() if directives.signed_at else None,
    )


def _text(value: str) -> str:
    return " ".join((value or "").split()) or MISSING


def _free(value: str, _: Gettext) -> Block:
    text = (value or "").strip()
    return FreeText(text) if text else Paragraph(_(NOT_STATED))


def _identity_section(directives: AdvanceDirectives, _: Gettext, language: str) -> Section:
    author = directives.author
    blocks: list[Block] = [
        Paragraph(
            _(IDENTITY)
            % {
                "name": author.display_name or MISSING,
                "birth_date": format_date(author.birth_date, language)
                if author.birth_date
                else MISSING,
                "birth_place": _text(author.birth_place),
            }
        ),
        Paragraph(_(PURPOSE)),
    ]
    authorisation = directives.protected_adult_authorisation
    if authorisation is not None:
        if authorisation.authorised and authorisation.authority in set(Authority):
            message = PROTECTED[Authority(authorisation.authority)]
            blocks.append(Paragraph(_(message) % {"reference": _text(authorisation.reference)}))
        else:
            blocks.append(Paragraph(_(PROTECTED_NOT_AUTHORISED)))
    return Section(_(H_IDENTITY), tuple(blocks))


def _wishes_sections(directives: AdvanceDirectives, _: Gettext) -> list[Section]:
    situation = Situation(directives.situation) if directives.situation in set(Situation) else None
    if situation is None:
        first = Section(
            _(H_SITUATION_UNKNOWN),
            (
                Paragraph(_(NOT_STATED)),
                Subheading(_(H_SITUATIONS)),
                _free(directives.foreseen_situations, _),
            ),
        )
    else:
        first = Section(
            _(SITUATION_LABELS[situation]),
            (
                Paragraph(_(SITUATION_INTROS[situation])),
                Subheading(_(H_SITUATIONS)),
                Paragraph(_(SITUATIONS_PROMPTS[situation]), prompt=True),
                _free(directives.foreseen_situations, _),
            ),
        )
    rows = tuple(
        (
            _(TREATMENT_LABELS[Treatment(w.treatment)])
            if w.treatment in set(Treatment)
            else _text(w.treatment),
            _(CHOICE_LABELS[TreatmentChoice(w.choice)])
            if w.choice in set(TreatmentChoice)
            else _(NOT_STATED),
        )
        for w in directives.treatments
    )
    treatments = Section(
        _(H_TREATMENTS),
        (
            Paragraph(_(TREATMENTS_PROMPT), prompt=True),
            Table(_(TREATMENTS_CAPTION), (_(COLUMN_TREATMENT), _(COLUMN_WISH)), rows)
            if rows
            else Paragraph(_(NO_TREATMENT)),
            Subheading(_(H_OTHER_TREATMENTS)),
            _free(directives.other_treatments, _),
        ),
    )
    sedation = directives.sedation
    answer = (
        _(SEDATION_LABELS[SedationWish(sedation)])
        if sedation is not None and sedation in set(SedationWish)
        else _(NOT_STATED)
    )
    sedation_section = Section(
        _(H_SEDATION), (Paragraph(_(SEDATION_PROMPT), prompt=True), Paragraph(answer))
    )
    other = Section(
        _(H_OTHER_WISHES),
        (Paragraph(_(OTHER_WISHES_PROMPT), prompt=True), _free(directives.other_wishes, _)),
    )
    return [first, treatments, sedation_section, other]


def _trusted_person_section(directives: AdvanceDirectives, _: Gettext) -> Section:
    person = directives.trusted_person
    if person is None:
        return Section(_(H_TRUSTED_PERSON), (Paragraph(_(NO_TRUSTED_PERSON)),))
    contacts = []
    if person.phone.strip():
        contacts.append(_(TRUSTED_PHONE) % {"phone": _text(person.phone)})
    if person.email.strip():
        contacts.append(_(TRUSTED_EMAIL) % {"email": _text(person.email)})
    blocks: list[Block] = [Paragraph(_(TRUSTED_PERSON) % {"name": _text(person.name)})]
    if contacts:
        blocks.append(Items(tuple(contacts)))
    return Section(_(H_TRUSTED_PERSON), tuple(blocks))


def _witnesses_section(directives: AdvanceDirectives, _: Gettext) -> Section:
    intro = WITNESSES_CAN_WRITE if directives.author_can_write else WITNESSES_CANNOT_WRITE
    items = tuple(
        _(WITNESS_TRUSTED_PERSON if w.is_trusted_person else WITNESS)
        % {"name": _text(w.name), "capacity": _text(w.capacity)}
        for w in directives.witnesses
    )
    blocks: list[Block] = [Paragraph(_(intro))]
    blocks.append(Items(items) if items else Paragraph(_(NOT_STATED)))
    return Section(_(H_WITNESSES), tuple(blocks))


def _signature_section(
    directives: AdvanceDirectives,
    _: Gettext,
    language: str,
    drawing: SignatureDrawing | None,
) -> Section:
    signed_at = directives.signed_at
    day = format_date(signed_at.astimezone(DISPLAY_TZ).date(), language) if signed_at else MISSING
    blocks: list[Block] = [
        Paragraph(_(PLACE_AND_DATE) % {"place": _text(directives.place), "date": day})
    ]
    signature = directives.signature
    if signed_at is None or signature is None:
        blocks.append(Paragraph(_(NOT_SIGNED)))
        return Section(_(H_SIGNATURE), tuple(blocks))
    moment = format_datetime(signed_at, language)
    name = directives.author.display_name or MISSING
    if signature.kind == SignatureKind.drawn:
        blocks.append(Paragraph(_(SIGNED_DRAWN) % {"moment": moment}))
        if drawing is not None:
            blocks.append(_image(drawing, _(SIGNATURE_ALT) % {"name": name}))
    else:
        typed = " ".join(signature.typed_name.split()) or name
        blocks.append(Paragraph(_(SIGNED_TYPED) % {"name": typed, "moment": moment}))
    return Section(_(H_SIGNATURE), tuple(blocks))


def _image(drawing: SignatureDrawing, alt: str) -> Image:
    """Checked here because the bytes come from the caller: a PNG, or bare path data (no markup,
    so nothing can be injected into the SVG)."""
    if not (0 < drawing.width <= 2000 and 0 < drawing.height <= 2000):
        raise ValueError("signature box must be between 1 and 2000 units wide and high")
    if drawing.png is not None:
        if not drawing.png.startswith(PNG_MAGIC) or len(drawing.png) > MAX_DRAWING_BYTES:
            raise _bad_drawing()
        uri = "data:image/png;base64," + base64.b64encode(drawing.png).decode("ascii")
        return Image(alt, png_data_uri=uri, width=drawing.width, height=drawing.height)
    path = (drawing.svg_path or "").strip()
    if not path or len(path) > MAX_DRAWING_BYTES or not _SVG_PATH.match(path):
        raise _bad_drawing()
    return Image(alt, svg_path=path, width=drawing.width, height=drawing.height)


def _bad_drawing() -> InvalidInput:
    return InvalidInput.single(
        "signature.drawing",
        "drawing-format",
        N_("La signature dessinée n'a pas pu être lue. Dessinez-la de nouveau."),
    )


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(
    directives: AdvanceDirectives,
    *,
    version: int | None = None,
    language: str = DEFAULT_LANGUAGE,
    gettext: Gettext | None = None,
    drawing: SignatureDrawing | None = None,
) -> str:
    """A standalone HTML document (what the PDF prints)."""
    view = build_view(
        directives, version=version, language=language, gettext=gettext, drawing=drawing
    )
    return _environment().get_template("directives.html").render(v=view)


def render_pdf(
    directives: AdvanceDirectives,
    *,
    version: int | None = None,
    language: str = DEFAULT_LANGUAGE,
    gettext: Gettext | None = None,
    drawing: SignatureDrawing | None = None,
) -> bytes:
    """A tagged PDF (PDF/UA-1: structure, language, title shown), fetching nothing from outside:
    the only resource it may load is the signature drawing, inlined as a ``data:`` URL."""
    html = render_html(
        directives, version=version, language=language, gettext=gettext, drawing=drawing
    )
    return pdf.render_pdf(html)


def render_text(
    directives: AdvanceDirectives,
    *,
    version: int | None = None,
    language: str = DEFAULT_LANGUAGE,
    gettext: Gettext | None = None,
) -> str:
    """Plain text of the same document, for a preview or a screen reader-friendly copy."""
    view = build_view(directives, version=version, language=language, gettext=gettext)
    colon = " : " if view.language == "fr" else ": "  # French typography spaces the colon
    lines = [view.title.upper(), ""]
    if view.draft:
        lines += [view.draft, ""]
    for section in view.sections:
        lines += [section.heading, "-" * len(section.heading)]
        for block in section.blocks:
            lines += _text_block(block, colon)
        lines.append("")
    lines.append(view.footer)
    return "\n".join(lines) + "\n"


def _text_block(block: Block, colon: str) -> Sequence[str]:
    if isinstance(block, Paragraph | FreeText):
        return [block.text]
    if isinstance(block, Subheading):
        return ["", block.text]
    if isinstance(block, Table):
        return [block.caption] + [f"- {label}{colon}{wish}" for label, wish in block.rows]
    if isinstance(block, Items):
        return [f"- {item}" for item in block.items]
    return [f"[{block.alt}]"]
