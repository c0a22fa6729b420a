"""A CDA R2 document as readable text (title, then each section's title and text), until the
interoperability work renders it fully. Parsing is bounded and never resolves entities."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

HL7 = "{urn:hl7-org:v3}"
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: list[str]


@dataclass(frozen=True)
class ReadableCda:
    title: str
    sections: list[Section]


def _text(element: ET.Element | None) -> str:
    if element is None:
        return ""
    return " ".join(" ".join(element.itertext()).split())


def readable_cda(data: bytes) -> ReadableCda | None:
    """None when the bytes are not a CDA document we can read."""
    if len(data) > MAX_BYTES or b"<!ENTITY" in data or b"<!DOCTYPE" in data:
        return None
    try:
        root = ET.fromstring(data)  # noqa: S314 — see the guards above
    except ET.ParseError:
        return None
    if root.tag != f"{HL7}ClinicalDocument":
        return None
    sections: list[Section] = []
    for section in root.iter(f"{HL7}section"):
        text = section.find(f"{HL7}text")
        paragraphs = []
        if text is not None:
            for child in list(text) or [text]:
                value = _text(child)
                if value:
                    paragraphs.append(value)
            if not list(text) and text.text and text.text.strip():
                paragraphs = [" ".join(text.text.split())]
        sections.append(Section(_text(section.find(f"{HL7}title")), paragraphs))
    return ReadableCda(_text(root.find(f"{HL7}title")), sections)
