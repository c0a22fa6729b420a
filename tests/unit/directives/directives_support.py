"""Helpers for the directives tests: a valid document, English, and a small PDF text reader.

WeasyPrint compresses its streams (and most objects, in object streams) and writes text as glyph
ids, so finding words in the PDF means: inflate every FlateDecode stream, read each font's
ToUnicode map, and decode the ``Tj``/``TJ`` strings of the page contents with the font in use.
That is enough for the PDFs WeasyPrint writes, and runs without poppler.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zlib
from typing import Any

from directives_english import ENGLISH

from dmp.directives.model import (
    AdvanceDirectives,
    Author,
    SedationWish,
    Signature,
    SignatureKind,
    Situation,
    Treatment,
    TreatmentChoice,
    TreatmentWish,
    TrustedPersonMention,
)

NOW = dt.datetime(2026, 3, 12, 13, 30, tzinfo=dt.UTC)


def signed_directives(**overrides: Any) -> AdvanceDirectives:
    """A valid, signed document: Marie Claire Martin, serious illness, three treatment wishes."""
    directives = AdvanceDirectives(
        author=Author("Martin", "Marie Claire", dt.date(1962, 8, 14), "Besançon (Doubs)"),
        situation=Situation.serious_illness,
        foreseen_situations="En cas de coma irréversible, je refuse d'être maintenue en vie.",
        treatments=(
            TreatmentWish(Treatment.cardiopulmonary_resuscitation, TreatmentChoice.refuse),
            TreatmentWish(Treatment.dialysis, TreatmentChoice.limit),
            TreatmentWish(Treatment.artificial_nutrition_hydration, TreatmentChoice.stop),
        ),
        other_treatments="Pas d'antibiotiques en fin de vie.",
        sedation=SedationWish.yes,
        other_wishes="Je souhaite finir ma vie à la maison.",
        trusted_person=TrustedPersonMention("Paul Martin", phone="06 12 34 56 78"),
        place="Lyon",
        signed_at=NOW - dt.timedelta(minutes=25),
        signature=Signature(SignatureKind.typed, typed_name="Marie Claire Martin"),
    )
    return dataclasses.replace(directives, **overrides)


def english(message: str) -> str:
    return ENGLISH.get(message, message)


# --- PDF text -------------------------------------------------------------------------------

_OBJ = re.compile(rb"(\d+) 0 obj\s*(<<.*?>>)\s*(stream\r?\n|endobj)", re.S)


def _inflate(head: bytes, data: bytes) -> bytes:
    return zlib.decompress(data) if b"/FlateDecode" in head else data


def pdf_objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number → (dictionary, inflated stream or None), object streams included."""
    objects: dict[int, tuple[bytes, bytes | None]] = {}
    for match in _OBJ.finditer(pdf):
        number, head = int(match.group(1)), match.group(2)
        if match.group(3) == b"endobj":
            objects[number] = (head, None)
            continue
        length = re.search(rb"/Length (\d+)", head)
        assert length is not None
        start = match.end()
        objects[number] = (head, _inflate(head, pdf[start : start + int(length.group(1))]))
    for head, stream in list(objects.values()):
        if b"/Type /ObjStm" not in head or stream is None:
            continue
        first = re.search(rb"/First (\d+)", head)
        assert first is not None
        offset = int(first.group(1))
        pairs = [int(x) for x in stream[:offset].split()]
        numbers, starts = pairs[0::2], [*pairs[1::2], len(stream) - offset]
        for index, number in enumerate(numbers):
            body = stream[offset + starts[index] : offset + starts[index + 1]].strip()
            objects.setdefault(number, (body, None))
    return objects


def _cmap(data: bytes) -> dict[bytes, str]:
    def text(hex_string: bytes) -> str:
        return bytes.fromhex(hex_string.decode()).decode("utf-16-be")

    mapping: dict[bytes, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for source, target in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[bytes.fromhex(source.decode())] = text(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, target in re.findall(
            rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]+>|\[[^\]]*\])", block
        ):
            width = len(low) // 2
            lo, hi = int(low, 16), int(high, 16)
            if target.startswith(b"["):
                targets = [text(t) for t in re.findall(rb"<([0-9a-fA-F]+)>", target)]
            else:
                base = text(target[1:-1])
                targets = [base[:-1] + chr(ord(base[-1]) + i) for i in range(hi - lo + 1)]
            for i, value in enumerate(targets):
                mapping[(lo + i).to_bytes(width, "big")] = value
    return mapping


def pdf_text(pdf: bytes) -> str:
    """The text shown on the pages, whitespace collapsed."""
    objects = pdf_objects(pdf)
    font_maps: dict[int, dict[bytes, str]] = {}
    for number, (head, _stream) in objects.items():
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", head)
        if to_unicode:
            cmap_stream = objects[int(to_unicode.group(1))][1]
            assert cmap_stream is not None
            font_maps[number] = _cmap(cmap_stream)
    # Resource names (``/F1 12 0 R``), wherever the font resources dictionary sits.
    resource_fonts: dict[bytes, dict[bytes, str]] = {}
    for head, _stream in objects.values():
        for name, number in re.findall(rb"/([^\s/<>\[\]()]+)\s+(\d+) 0 R", head):
            if int(number) in font_maps:
                resource_fonts[name] = font_maps[int(number)]
    runs: list[str] = []
    operator = re.compile(
        rb"/([^\s/<>\[\]]+)\s+[\d.]+\s+Tf|\[(.*?)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj", re.S
    )
    for head, stream in objects.values():
        if stream is None or b"BT" not in stream or b"Length1" in head:
            continue
        font: dict[bytes, str] = {}
        for match in operator.finditer(stream):
            if match.group(1) is not None:
                font = resource_fonts.get(match.group(1), {})
                continue
            strings = (
                re.findall(rb"<([0-9a-fA-F]*)>", match.group(2))
                if match.group(2) is not None
                else [match.group(3)]
            )
            width = len(next(iter(font), b"\0\0"))
            run = []
            for hex_string in strings:
                raw = bytes.fromhex(hex_string.decode())
                run += [font.get(raw[i : i + width], "\ufffd") for i in range(0, len(raw), width)]
            runs.append("".join(run))
    return " ".join(" ".join(runs).split())
