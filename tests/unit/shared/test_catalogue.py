"""The English catalogue is complete, consistent with the French source, and compiled."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

SRC = Path(__file__).resolve().parents[3] / "src" / "dmp"
PO = SRC / "locale" / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def source_messages() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    found: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(SRC), method_map, keywords={"_": None, "N_": None, "gettext": None}
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.fixture(scope="module")
def catalogue():  # type: ignore[no-untyped-def]
    with PO.open("rb") as handle:
        return read_po(handle, locale="en")


def test_every_source_message_is_translated(catalogue) -> None:  # type: ignore[no-untyped-def]
    missing = sorted(
        m for m in source_messages() if not (catalogue.get(m) and catalogue.get(m).string)
    )
    assert missing == [], "run `make i18n` and translate:\n" + "\n".join(missing)


def test_no_fuzzy_or_obsolete_entries(catalogue) -> None:  # type: ignore[no-untyped-def]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert fuzzy == []
    assert list(catalogue.obsolete) == []


def test_translations_keep_their_placeholders(catalogue) -> None:  # type: ignore[no-untyped-def]
    wrong = [
        m.id
        for m in catalogue
        if m.id and set(PLACEHOLDER.findall(m.id)) != set(PLACEHOLDER.findall(m.string))
    ]
    assert wrong == []


def test_translations_are_english(catalogue) -> None:  # type: ignore[no-untyped-def]
    # A message copied untranslated would keep French words; names and codes may stay equal.
    french = re.compile(r"\b(votre|vous|le|la|les|des|une|est|pour)\b")
    untranslated = [m.id for m in catalogue if m.id and french.search(m.string)]
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file(catalogue) -> None:  # type: ignore[no-untyped-def]
    with MO.open("rb") as handle:
        compiled = read_mo(handle)
    expected = {m.id: m.string for m in catalogue if m.id}
    actual = {m.id: m.string for m in compiled if m.id}
    assert actual == expected, "run `make i18n` to recompile messages.mo"
