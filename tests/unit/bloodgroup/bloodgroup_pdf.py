"""A minimal reader for the PDFs WeasyPrint writes, so the card tests always run.

No PDF reader is a dependency (pydyf only writes), and poppler's tools may be missing. This
reads just what the tests need from a WeasyPrint file: objects (direct or inside compressed
object streams), page sizes, the document catalogue and info, the text of each page (decoded
through each font's ToUnicode map) and the unit squares of a vector QR code. It is not a general
PDF parser: it assumes direct stream lengths, Flate compression and 2-byte glyph ids (Identity-H),
which is what WeasyPrint produces.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)
_STREAM = re.compile(rb"^(<<.*?>>)\s*stream\r?\n", re.S)
_LENGTH = re.compile(rb"/Length (\d+)")
_REF = re.compile(rb"/([A-Za-z0-9_.+-]+) (\d+) 0 R")
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]*)>")
_TEXT_OP = re.compile(rb"/(\S+) [\d.]+ Tf|\[((?:[^\]\\]|\\.)*)\]\s*TJ|<([0-9A-Fa-f]*)>\s*Tj")
_UNIT_SQUARE = re.compile(rb"(?m)^(\d+) (\d+) m\n(\d+) \2 l\n\3 (\d+) l\n\1 \4 l\nh$")


@dataclass
class PdfObject:
    body: bytes  # the dictionary (or other value), without the stream
    stream: bytes | None = None  # decompressed


@dataclass
class Pdf:
    raw: bytes
    objects: dict[int, PdfObject] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: bytes) -> Pdf:
        pdf = cls(raw)
        for match in _OBJECT.finditer(raw):
            number, content = int(match.group(1)), match.group(2)
            head = _STREAM.match(content)
            if head is None:
                pdf.objects[number] = PdfObject(content)
                continue
            length = _LENGTH.search(head.group(1))
            assert length is not None, "only direct stream lengths are supported"
            data = content[head.end() : head.end() + int(length.group(1))]
            if b"/FlateDecode" in head.group(1):
                data = zlib.decompress(data)
            pdf.objects[number] = PdfObject(head.group(1), data)
        for obj in list(pdf.objects.values()):
            if b"/Type /ObjStm" in obj.body and obj.stream is not None:
                pdf._unpack_object_stream(obj)
        return pdf

    def _unpack_object_stream(self, obj: PdfObject) -> None:
        assert obj.stream is not None
        first = int(re.search(rb"/First (\d+)", obj.body).group(1))  # type: ignore[union-attr]
        count = int(re.search(rb"/N (\d+)", obj.body).group(1))  # type: ignore[union-attr]
        header = obj.stream[:first].split()
        pairs = [(int(header[2 * i]), int(header[2 * i + 1])) for i in range(count)]
        for index, (number, offset) in enumerate(pairs):
            end = pairs[index + 1][1] if index + 1 < count else len(obj.stream) - first
            self.objects[number] = PdfObject(obj.stream[first + offset : first + end].strip())

    # --- Structure ------------------------------------------------------------------------------

    def ref(self, body: bytes, key: bytes) -> int | None:
        match = re.search(rb"/" + key + rb" (\d+) 0 R", body)
        return int(match.group(1)) if match else None

    @property
    def catalog(self) -> bytes:
        return next(o.body for o in self.objects.values() if b"/Type /Catalog" in o.body)

    @property
    def info(self) -> bytes:
        trailer = next(o.body for o in self.objects.values() if b"/Type /XRef" in o.body)
        number = self.ref(trailer, b"Info")
        assert number is not None
        return self.objects[number].body

    @property
    def pages(self) -> list[PdfObject]:
        """Pages in document order (following the /Kids of the page tree)."""
        root = self.ref(self.catalog, b"Pages")
        assert root is not None
        kids = re.search(rb"/Kids \[(.*?)\]", self.objects[root].body)
        assert kids is not None
        return [self.objects[int(n)] for n in re.findall(rb"(\d+) 0 R", kids.group(1))]

    def media_box(self, page: PdfObject) -> tuple[float, ...]:
        match = re.search(rb"/MediaBox \[([^\]]*)\]", page.body)
        assert match is not None
        return tuple(float(v) for v in match.group(1).split())

    def content(self, page: PdfObject) -> bytes:
        contents = self.ref(page.body, b"Contents")
        assert contents is not None
        stream = self.objects[contents].stream
        assert stream is not None
        return stream

    # --- Text -----------------------------------------------------------------------------------

    def _font_maps(self) -> dict[bytes, dict[int, str]]:
        """Resource name of each font (WeasyPrint names are unique per file) → its glyph map."""
        by_object: dict[int, dict[int, str]] = {}
        for number, obj in self.objects.items():
            if b"/Type /Font" in obj.body:
                to_unicode = self.ref(obj.body, b"ToUnicode")
                if to_unicode is not None:
                    cmap = self.objects[to_unicode].stream
                    assert cmap is not None
                    by_object[number] = _parse_cmap(cmap)
        names: dict[bytes, dict[int, str]] = {}
        for obj in self.objects.values():
            for name, number in _REF.findall(obj.body):
                if int(number) in by_object:
                    names[name] = by_object[int(number)]
        return names

    def text_runs(self, page: PdfObject) -> list[str]:
        """Every string a page shows, in drawing order, one entry per Tj/TJ operator."""
        fonts = self._font_maps()
        current: dict[int, str] = {}
        runs: list[str] = []
        for match in _TEXT_OP.finditer(self.content(page)):
            font, array, single = match.groups()
            if font is not None:
                current = fonts[font]
                continue
            hexes = [single] if single is not None else _HEX.findall(array)
            runs.append("".join(_decode(h, current) for h in hexes))
        return runs

    def text(self, page: PdfObject) -> str:
        return "\n".join(self.text_runs(page))

    # --- Vector QR code ---------------------------------------------------------------------------

    def unit_squares(self, page: PdfObject) -> set[tuple[int, int]]:
        """Top-left corners of the 1 × 1 squares drawn on a page, in their own user space.

        The card draws one such square per dark QR module, in module units; nothing else on the
        card is drawn with integer unit squares.
        """
        return {
            (int(x), int(y))
            for x, y, x1, y1 in _UNIT_SQUARE.findall(self.content(page))
            if int(x1) == int(x) + 1 and int(y1) == int(y) + 1
        }


def _parse_cmap(cmap: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in _BFCHAR.findall(cmap):
        values = _HEX.findall(block)
        for source, target in zip(values[::2], values[1::2], strict=True):
            mapping[int(source, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
    for block in _BFRANGE.findall(cmap):
        for line in block.strip().splitlines():
            values = _HEX.findall(line)
            low, high, start = int(values[0], 16), int(values[1], 16), values[2:]
            if len(start) == 1 and b"[" not in line:
                first = int(start[0], 16)
                for offset in range(high - low + 1):
                    mapping[low + offset] = chr(first + offset)
            else:
                for offset, target in enumerate(start):
                    mapping[low + offset] = bytes.fromhex(target.decode()).decode("utf-16-be")
    return mapping


def _decode(hex_string: bytes, font: dict[int, str]) -> str:
    glyphs = bytes.fromhex(hex_string.decode())
    return "".join(
        font.get(int.from_bytes(glyphs[i : i + 2], "big"), "\ufffd")
        for i in range(0, len(glyphs), 2)
    )


def pdf_string(body: bytes, key: bytes) -> str | None:
    """A text string entry of a dictionary (``/Title (…)`` or ``/Title <FEFF…>``)."""
    literal = re.search(rb"/" + key + rb" \(((?:[^()\\]|\\.)*)\)", body)
    if literal is not None:
        value = re.sub(rb"\\(.)", rb"\1", literal.group(1))
        if value.startswith(b"\xfe\xff"):
            return value[2:].decode("utf-16-be")
        return value.decode("latin-1")
    hexa = re.search(rb"/" + key + rb" <([0-9A-Fa-f]*)>", body)
    if hexa is not None:
        value = bytes.fromhex(hexa.group(1).decode())
        return (
            value[2:].decode("utf-16-be")
            if value.startswith(b"\xfe\xff")
            else value.decode("latin-1")
        )
    return None
